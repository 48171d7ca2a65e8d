"""The bot's user-facing errors (B codes, docs/diagnostics.md) and token hygiene."""

from __future__ import annotations

import os

from mlops_spec.diagnostics import Diagnostic, UserError


class BotError(UserError):
    """A GitHub call that cannot be done (exit 2): says what and which permission."""

    @classmethod
    def of(cls, code: str, message: str, hint: str | None = None) -> BotError:
        return cls([Diagnostic(code=code, message=redact(message), file="",
                               hint=redact(hint) if hint else None)])


class Uncertain(Exception):
    """A write that may have landed (5xx or timeout after sending): never repeat it blindly."""


def redact(text: str) -> str:
    """Remove every token the environment holds from text that may be shown."""
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "MLOPS_PR_TOKEN"):
        token = os.environ.get(name)
        if token and len(token) >= 4:
            text = text.replace(token, "***")
    return text
