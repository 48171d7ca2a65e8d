"""The validation pipeline: load -> model -> meaning checks -> diagnostics."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic_core import ValidationError

from mlops_spec.diagnostics import Diagnostic, InputError
from mlops_spec.spec.compiled import spec_validator
from mlops_spec.spec.loader import LoadedDocument, load_file, load_text
from mlops_spec.spec.sections import Spec

SPEC_FILENAMES = ("mlops.yaml", "mlops.yml")
SKIP_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".tox",
                       ".mypy_cache", ".ruff_cache", ".pytest_cache"})


class Result:
    """The outcome of validating one file (a plain class: dataclasses cost startup time)."""

    __slots__ = ("diagnostics", "document", "file", "spec", "unreadable")

    def __init__(self, file: str, spec: Spec | None = None,
                 document: LoadedDocument | None = None,
                 diagnostics: list[Diagnostic] | None = None, unreadable: bool = False) -> None:
        self.file = file
        self.spec = spec
        self.document = document
        self.diagnostics: list[Diagnostic] = diagnostics if diagnostics is not None else []
        self.unreadable = unreadable

    def __repr__(self) -> str:
        return (f"Result(file={self.file!r}, ok={self.ok}, "
                f"diagnostics={len(self.diagnostics)})")

    @property
    def ok(self) -> bool:
        return self.spec is not None and not any(d.is_error for d in self.diagnostics)

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        return 0 if self.ok else 1


def check_document(doc: LoadedDocument) -> Result:
    """Validate loaded data against the model, then the meaning-level rules."""
    from mlops_spec.spec import rules

    result = Result(file=doc.file, document=doc, diagnostics=list(doc.warnings))
    try:
        spec: Spec = spec_validator().validate_python(doc.data)
    except ValidationError as exc:
        from mlops_spec.spec import schema_errors  # only needed when something is wrong

        errors = [schema_errors.convert(e, doc) for e in exc.errors()]  # type: ignore[arg-type]
        # A YAML 1.1 warning adds nothing where the same value already has an error.
        failed = {(d.line, d.column) for d in errors}
        result.diagnostics = [w for w in result.diagnostics
                              if (w.line, w.column) not in failed] + errors
        result.diagnostics.sort(key=Diagnostic.sort_key)
        return result
    result.spec = spec
    for finding in rules.check(spec):
        span = doc.locate(finding.path, key=finding.at_key)
        result.diagnostics.append(Diagnostic(
            code=finding.code, message=finding.message, file=doc.file,
            line=span.line if span else None, column=span.column if span else None,
            severity=finding.severity, hint=finding.hint, path=finding.path,
            end_column=span.end_column if span and span.end_line == span.line else None))
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one file is loaded and checked.

    Loading and checking make many small containers but next to no reference cycles
    (reference counting frees them); the collections those allocations trigger rescan every
    earlier result, which costs about 15% when one run validates hundreds of specs. Any
    cycle made meanwhile is collected once the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _validate(file: str, load: Callable[[], LoadedDocument]) -> Result:
    with _cyclic_gc_paused():
        try:
            doc = load()
        except InputError as exc:
            # A syntax error keeps the text, so the source line and caret are shown.
            return Result(file=file, diagnostics=exc.diagnostics, unreadable=True,
                          document=getattr(exc, "document", None))
        return check_document(doc)


def validate_text(file: str, text: str) -> Result:
    return _validate(file, lambda: load_text(file, text))


def validate_file(path: Path, display: str | None = None) -> Result:
    file = display or str(path)
    return _validate(file, lambda: load_file(path, file))


def discover(target: Path) -> Iterator[Path]:
    """Spec files under a directory (for monorepos), in a stable order."""
    for root, dirs, files in os.walk(target):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if name in SPEC_FILENAMES:
                yield Path(root) / name


Item = tuple[str, Path | None]
"""A spec to validate: (the name to show, its path); no path for a directory without one."""


def expand(paths: list[str]) -> list[Item]:
    """The spec files named by ``paths``: files as given, directories searched."""
    items: list[Item] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = list(discover(path))
            if not found:
                items.append((raw, None))
            items += [(str(p), p) for p in found]
        else:
            items.append((raw, path))
    return items


def validate_item(item: Item) -> Result:
    raw, path = item
    if path is None:
        return Result(file=raw, unreadable=True, diagnostics=[Diagnostic(
            code="L001", message="no mlops.yaml found in this directory", file=raw,
            hint="pass the spec file itself, or a directory that contains one")])
    return validate_file(path, raw)
