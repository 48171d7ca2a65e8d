"""Plain helpers shared by the test modules (fixtures wrapping them live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlops_spec.diagnostics import Diagnostic
from mlops_spec.validate import Result, validate_text

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "example-repo" / "mlops.yaml"
BIN = Path(sys.executable).parent
CLI = BIN / "mlops-spec"


Mutate = Callable[..., str]
"""The ``mutated`` fixture: ``mutated((old, new), ...)`` is the example with those edits."""


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def mutate(text: str, *edits: tuple[str, str]) -> str:
    """Apply ``(old, new)`` replacements; each ``old`` must occur exactly once.

    Failing loudly when the example changes keeps a mutation from silently doing nothing.
    """
    for old, new in edits:
        count = text.count(old)
        assert count == 1, f"{old!r} occurs {count} times in the text, expected once"
        text = text.replace(old, new)
    return text


def position_of(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the only occurrence of ``needle`` (plus ``offset``)."""
    assert text.count(needle) == 1, f"{needle!r} is not unique in the text"
    index = text.index(needle) + offset
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def line_of(text: str, needle: str) -> int:
    return position_of(text, needle)[0]


def check(text: str, file: str = "mlops.yaml") -> Result:
    return validate_text(file, text)


def codes(result: Result) -> list[str]:
    return [d.code for d in result.diagnostics]


def show(diagnostics: list[Diagnostic]) -> str:
    """Diagnostics as one line each, for assertion messages."""
    return "\n".join(f"{d.line}:{d.column} {d.severity.value}[{d.code}] {d.message} "
                     f"(hint: {d.hint})" for d in diagnostics) or "(no diagnostics)"


@dataclass
class Run:
    """One finished subprocess, with its own resource usage."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    """Wall-clock time from start to exit."""
    cpu_seconds: float
    """User plus system CPU time of the child alone (steady when the machine is busy)."""
    max_rss_mib: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_measured(args: list[str], cwd: Path, timeout: float = 20.0) -> Run:
    """Run a command and read the child's own peak RSS with ``os.wait4``.

    Output goes to temporary files so a chatty child cannot block on a full pipe while we
    wait; the child is killed after ``timeout`` seconds (the caller asserts the real bar).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen never waits again
        out.seek(0)
        err.seek(0)
        return Run(returncode=proc.returncode,
                   stdout=out.read().decode("utf-8", errors="replace"),
                   stderr=err.read().decode("utf-8", errors="replace"),
                   seconds=seconds, cpu_seconds=usage.ru_utime + usage.ru_stime,
                   max_rss_mib=usage.ru_maxrss / 1024)
