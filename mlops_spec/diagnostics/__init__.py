"""The one diagnostic type used by loading, validation, governance and rendering."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


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


class InputError(Exception):
    """Input could not be read or parsed at all (exit code 2), carried as diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics[0].message if diagnostics else "input error")
        self.diagnostics = diagnostics
