"""Plain helpers shared by the test modules (fixtures wrapping them live in conftest.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlops_spec.diagnostics import Diagnostic
from mlops_spec.spec.validate import Result, validate_text

REPO = Path(__file__).resolve().parents[2]
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


# Runs the command from a small fresh process. Measuring with os.wait4 straight from the
# test process would be wrong: on Linux a child's peak RSS includes the memory of the
# process it was forked from (the hiwater of the pre-exec image), and pytest grows large.
_LAUNCHER = r"""
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as handle:
    json.dump({"status": status, "cpu": usage.ru_utime + usage.ru_stime,
               "rss_kib": usage.ru_maxrss, "seconds": time.perf_counter() - start}, handle)
"""


def run_measured(args: list[str], cwd: Path, timeout: float = 20.0) -> Run:
    """Run a command and read its own wall time, CPU time and peak RSS.

    Output goes to temporary files so a chatty child cannot block on a full pipe while we
    wait; the command is killed after ``timeout`` seconds (the caller asserts the real bar).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "usage.json"
        proc = subprocess.Popen([sys.executable, "-S", "-c", _LAUNCHER, str(report), *args],
                                cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        usage = json.loads(report.read_text()) if report.exists() else {
            "status": 9, "cpu": float(timeout), "rss_kib": 0, "seconds": float(timeout)}
        out.seek(0)
        err.seek(0)
        return Run(returncode=os.waitstatus_to_exitcode(usage["status"]),
                   stdout=out.read().decode("utf-8", errors="replace"),
                   stderr=err.read().decode("utf-8", errors="replace"),
                   seconds=usage["seconds"], cpu_seconds=usage["cpu"],
                   max_rss_mib=usage["rss_kib"] / 1024)
