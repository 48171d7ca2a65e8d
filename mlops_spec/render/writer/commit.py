"""Apply a plan to the tree: atomic writes, stale removal, manifest last, rollback on failure."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from mlops_spec.render.errors import WriteConflict
from mlops_spec.render.writer.manifest import MANIFEST, TreeCache
from mlops_spec.render.writer.plan import TreePlan
from mlops_spec.render.writer.state import desired_state


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        temp.chmod(path.stat().st_mode & 0o777 if path.exists() else 0o644)
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@dataclass
class ApplyResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    """Generated files that had been edited by hand, replaced or removed by this render."""


def apply(root: Path, plan: TreePlan, *, force: bool = False,
          cache: TreeCache | None = None) -> ApplyResult:
    """Bring the tree to the plan; on any failure, put back what was already changed.

    Pass one ``TreeCache`` to every apply of the same root in one invocation: it is kept
    true with what this apply writes, so each directory is scanned once per run.
    """
    cache = cache or TreeCache(root)
    try:
        desired = desired_state(root, plan, force=force, cache=cache)
    except BaseException:
        cache.clear()
        raise
    result = ApplyResult(edited=desired.edited)
    changes = {path: text for path, text in desired.texts.items() if cache.read(path) != text}
    result.unchanged = sorted(set(desired.texts) - set(changes))
    originals: dict[Path, str | None] = {}
    try:
        for path, text in sorted(changes.items()):
            originals[root / path] = cache.read(path)
            atomic_write(root / path, text)
            result.written.append(path)
        for path in desired.stale:
            target = root / path
            if target.exists():
                originals[target] = cache.read(path)
                target.unlink()
                result.removed.append(path)
        if cache.read(MANIFEST) != desired.manifest:
            originals[root / MANIFEST] = cache.read(MANIFEST)
            atomic_write(root / MANIFEST, desired.manifest)
    except BaseException as exc:
        _restore(root, originals)
        cache.clear()
        if isinstance(exc, OSError):
            raise WriteConflict(f"cannot write the generated files ({exc}); the tree was "
                                "left as it was") from None
        raise
    for path in result.written:
        cache.record(path, changes[path])
    for path in result.removed:
        cache.record(path, None)
        _prune_empty_dirs(root, (root / path).parent)
    cache.record_manifest(desired.specs, desired.manifest)
    return result


def _restore(root: Path, originals: dict[Path, str | None]) -> None:
    """Undo a partly applied render: rewrite replaced files, delete created ones."""
    for path, text in reversed(originals.items()):
        if text is None:
            path.unlink(missing_ok=True)
            _prune_empty_dirs(root, path.parent)
        else:
            atomic_write(path, text)


def _prune_empty_dirs(root: Path, directory: Path) -> None:
    root = root.resolve()
    while directory.resolve() != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
