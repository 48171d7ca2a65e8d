"""The bot's user-facing errors (B codes, docs/diagnostics.md) and token hygiene."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def settled(what: str) -> Iterator[None]:
    """An unconfirmed write that the caller could not reconcile becomes B005 (re-run: every
    bot command finds what landed and does only the rest)."""
    try:
        yield
    except Uncertain as exc:
        raise BotError.of("B005", f"GitHub did not confirm a write when trying to {what} "
                                  f"({exc})",
                          "re-run the job: the command looks for what landed before writing "
                          "again") from None
