"""The team handles the base branch's spec names, read with ``git show REF:PATH``.

Minimal on purpose: the gate (mlops_spec.git, written in parallel) owns reading specs from
git; this reads one file's ``owners`` to know which teams' membership to resolve.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from mlops_spec.bot.errors import BotError
from mlops_spec.diagnostics import UserError


def show(ref: str, path: Path) -> str | None:
    """The text of ``path`` (relative to the working directory) at ``ref``; None if the
    file does not exist there. An unknown ref or no git repository is an error."""
    def git(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", *args], capture_output=True, check=False, timeout=60)

    if git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise BotError.of("B011", f"cannot resolve the base {ref!r} with git",
                          "run in the repository's checkout with full history "
                          "(actions/checkout with fetch-depth: 0) and pass --base REF")
    relative = path.as_posix() if path.is_absolute() else f"./{path.as_posix()}"
    shown = git("show", f"{ref}:{relative}")
    if shown.returncode != 0:
        return None
    return shown.stdout.decode("utf-8", "replace")


def team_handles(text: str, file: str) -> list[str]:
    """``org/team`` for every ``@org/team`` handle under ``owners`` (lower-cased, unique)."""
    from mlops_spec.spec.loader import load_text

    try:
        data = load_text(file, text).data
    except UserError:
        return []  # an unreadable base spec names no teams; the gate reports the spec
    owners = data.get("owners") if isinstance(data, dict) else None
    if not isinstance(owners, dict):
        return []
    found: dict[str, None] = {}
    for handles in owners.values():
        for handle in handles if isinstance(handles, list) else []:
            if isinstance(handle, str) and "/" in handle:
                found[handle.removeprefix("@").lower()] = None
    return list(found)
