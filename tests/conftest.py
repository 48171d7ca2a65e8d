"""Shared fixtures and helpers: the bundled example and its mutations, running the CLI
in-process, finding external validators, rendering variants."""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import Mutate, example_text, mutate

from mlops_spec.main import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
"""Reference data vendored into the repository (action pins, CRD schemas), with provenance."""
TOOLS = REPO / ".tools"


@pytest.fixture(scope="session")
def example() -> str:
    """The text of example-repo/mlops.yaml, which every mutation test starts from."""
    return example_text()


@pytest.fixture
def mutated(example: str) -> Mutate:
    """``mutated((old, new), ...)``: the example with each ``old`` (which must occur exactly
    once) replaced by ``new``."""

    def apply(*edits: tuple[str, str]) -> str:
        return mutate(example, *edits)

    return apply


@dataclass
class Run:
    code: int
    out: str
    err: str


def cli(*args: str | Path) -> Run:
    """``mlops-spec ARGS`` in this process, with its output captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in args])
    return Run(code, out.getvalue(), err.getvalue())


def require_tool(name: str) -> str:
    """An executable of the test environment, or a failed test saying how to install it."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make setup` (it is in the test extra)")
    return found


def require_node_tool(package: str) -> None:
    if not (TOOLS / "node_modules" / package / "package.json").is_file():
        pytest.fail(f"{package} is not installed in .tools/: run `make tools`")
    if not shutil.which("node"):
        pytest.fail("node is not installed (apt-get install nodejs)")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (but .git) and its bytes."""
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file() and ".git" not in path.relative_to(root).parts}


@pytest.fixture
def repo(tmp_path: Path) -> Callable[..., Path]:
    """A fresh work tree holding the given specs: ``repo({"mlops.yaml": data})``."""
    from variants import write_repo

    def make(specs: dict[str, dict[str, object]]) -> Path:
        root = tmp_path / "repo"
        write_repo(root, specs)
        return root

    return make


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    # MLOPS_SPEC_DEBUG turns clear errors into tracebacks; tests check the clear errors.
    monkeypatch.delenv("MLOPS_SPEC_DEBUG", raising=False)
