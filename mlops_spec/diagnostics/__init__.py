"""The one diagnostic type used by loading, validation, governance and rendering."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class Diagnostic(NamedTuple):
    """One finding, located in a file when it has a place.

    ``line`` and ``column`` are 1-based; ``None`` when the finding has no place in the file
    (an unreadable file, a missing section at top level of an empty mapping, ...).
    """

    code: str
    message: str
    file: str
    line: int | None = None
    column: int | None = None
    severity: Severity = Severity.ERROR
    hint: str | None = None
    path: tuple[str | int, ...] = ()
    end_column: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def dotted_path(self) -> str:
        return format_path(self.path)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line or 0, self.column or 0, self.code)


def format_path(path: tuple[str | int, ...]) -> str:
    """Render a data path the way users write it: ``deployment.environments[1].name``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


class UserError(Exception):
    """Every user-facing failure: diagnostics to show and the exit code to leave with.

    Commands raise a subclass and never catch it themselves: ``error_handler.guarded`` alone
    prints the diagnostics (text format, on stderr) and returns ``exit_code``. Messages never
    carry secrets; a hint says what to do about it.
    """

    exit_code = 2

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, Any] | None = None
                 ) -> None:
        super().__init__(diagnostics[0].message if diagnostics else "error")
        self.diagnostics = diagnostics
        self.sources: dict[str, Any] = sources or {}
        """file -> its ``LoadedDocument``, for source excerpts under located diagnostics."""

    @classmethod
    def single(cls, code: str, message: str, file: str = "", *, hint: str | None = None,
               line: int | None = None, column: int | None = None) -> UserError:
        """One diagnostic, the common case: ``raise StoreError.single("A003", ...)``."""
        return cls([Diagnostic(code=code, message=message, file=file, line=line,
                               column=column, hint=hint)])

    def located(self, file: str) -> UserError:
        """The same error, naming ``file`` where a diagnostic names no file yet (a render
        error raised deep in the writer belongs to the spec being rendered)."""
        self.diagnostics = [d if d.file else d._replace(file=file) for d in self.diagnostics]
        return self


class InputError(UserError):
    """Input could not be read or parsed at all (exit code 2), carried as diagnostics."""


class MissingExtra(UserError):
    """An optional dependency is not installed: exit 2 naming the extra to install."""

    def __init__(self, extra: str, module: str, needed_for: str) -> None:
        super().__init__([Diagnostic(
            code="X001", file="",
            message=f"{needed_for} needs the Python package {module!r}, which is not installed",
            hint=f"install 'mlops-spec[{extra}]' (pip install 'mlops-spec[{extra}]')")])
        self.extra = extra


def require(module: str, extra: str, needed_for: str) -> None:
    """Import ``module`` or raise ``MissingExtra``; call before importing heavy extras."""
    import importlib.util

    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise MissingExtra(extra, module, needed_for)
