"""What can stop a render: each a ``UserError`` (exit 2) with one R-coded diagnostic."""

from __future__ import annotations

from mlops_spec.diagnostics import Diagnostic, UserError


class RenderError(UserError):
    """A spec that validated but cannot be rendered as asked (R001)."""

    code = "R001"

    def __init__(self, message: str, *, file: str = "", hint: str | None = None) -> None:
        super().__init__([Diagnostic(code=self.code, message=message, file=file, hint=hint)])
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UnknownTarget(RenderError):
    """``--target`` names no target (R004)."""

    code = "R004"


class WriteConflict(RenderError):
    """The tree cannot be brought to the plan: a file mlops-spec does not own, a broken
    block marker, an unwritable directory (R002). Nothing was changed."""

    code = "R002"


class UnsafeValue(RenderError, ValueError):
    """A value that cannot be placed safely in the requested output context (R003)."""

    code = "R003"
