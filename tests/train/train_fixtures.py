"""Helpers of the train/evaluate/score tests: the example trained once, small projects.

Plain functions rather than fixtures: a ``conftest.py`` here would shadow the suite's own
``conftest`` module, whose ``cli`` these tests use.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from conftest import cli
from helpers import REPO, example_text, mutate

from mlops_spec.tools import example_data


@cache
def trained_example() -> Path:
    """``mlops-spec train example-repo --out DIR``, run once per test session."""
    root = Path(tempfile.mkdtemp(prefix="trained-example-"))
    atexit.register(shutil.rmtree, root, True)
    out = root / "out"
    run = cli("train", REPO / "example-repo", "--out", out, "--quiet")
    assert run.code == 0, run.err
    return out


@cache
def _csv(rows: int) -> str:
    return example_data.to_csv(example_data.generate(rows))


def write_project(root: Path, *edits: tuple[str, str], rows: int = 800,
                  csv: Callable[[str], str] | None = None) -> Path:
    """A directory with the example spec (edited) and generated data; returns the spec."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    text = _csv(rows)
    (root / "data" / "applications.csv").write_text(csv(text) if csv else text,
                                                    encoding="utf-8")
    spec = root / "mlops.yaml"
    spec.write_text(mutate(example_text(), *edits), encoding="utf-8")
    return spec
