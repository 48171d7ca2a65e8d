"""`make example`'s main job, run on a copy of example-repo: every product it names exists,
the gate goes pending -> pass, drift asks for a retrain, and the copy's committed files are
unchanged (render rewrote them byte for byte)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlops_spec.tools import example_loop

EXAMPLE = Path(__file__).resolve().parents[2] / "example-repo"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow  # starts moto's S3 server on 127.0.0.1
def test_the_main_job_produces_every_product(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    example = tmp_path / "example-repo"
    shutil.copytree(EXAMPLE, example)
    before = _tree(example)
    out = tmp_path / "out"

    assert example_loop.main([str(example), "--out", str(out)]) == 0

    assert _tree(example) == before
    printed = capsys.readouterr().out
    assert "github_actions" in printed and ".github/CODEOWNERS" in printed  # rendered files
    for name in ("train/model.skops", "train/evaluation.json", "train/model-card.md",
                 "gate-report.pending.json", "gate-report.pass.json", "pr-comment.md",
                 "approvals.json", "drift-report.json", "shifted.csv"):
        assert (out / name).is_file(), name
        assert name in printed
    stored = list((out / "store").iterdir())
    assert len(stored) == 1 and (stored[0] / "model.skops").is_file()
    assert json.loads((out / "train/evaluation.json").read_text())["decision"] == "pass"

    pending = json.loads((out / "gate-report.pending.json").read_text())
    passed = json.loads((out / "gate-report.pass.json").read_text())
    assert (pending["verdict"], passed["verdict"]) == ("pending", "pass")
    roles = {a["role"]: a["satisfied"] for a in pending["specs"][0]["approvals"]}
    assert roles == {"data_scientist": False, "sme": False, "architect": False}
    assert all(a["satisfied"] for a in passed["specs"][0]["approvals"])
    assert {c["path"] for c in pending["specs"][0]["changes"]} == {
        "model.params.max_iter", "model.params.learning_rate"}
    assert (out / "pr-comment.md").read_text() == pending["specs"][0]["markdown"]

    drift = json.loads((out / "drift-report.json").read_text())
    assert drift["retrain"]["triggered"] is True


def test_an_unexpected_outcome_fails_the_loop(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The sample change is made by editing one known line: a spec without it stops the
    loop with LoopFailed (main then exits 1), so a regression does not pass silently."""
    repo = tmp_path / "repo"
    example = tmp_path / "example"
    example.mkdir()
    (example / "mlops.yaml").write_text(
        (EXAMPLE / "mlops.yaml").read_text().replace(example_loop.PARAMS_BEFORE, "params: {}"))
    shutil.copytree(EXAMPLE / "data", example / "data")
    example_loop.seed_repository(example, repo)
    with pytest.raises(example_loop.LoopFailed, match="expected one"):
        example_loop.propose_change(repo)


def _path_without_git(tmp_path: Path, git: str | None = None) -> str:
    """A PATH holding only, when given, a `git` script: no real git."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if git is not None:
        fake = bin_dir / "git"
        fake.write_text(f"#!/bin/sh\n{git}\n", encoding="utf-8")
        fake.chmod(0o755)
    return str(bin_dir)


@pytest.mark.parametrize(("git", "said"), [
    (None, "git is not installed (no `git` on PATH): the loop commits the example"),
    ("echo 'fatal: broken install' >&2; exit 128",
     "`git --version` exited 128: fatal: broken install"),
])
def test_without_a_working_git_it_says_what_to_install_and_changes_nothing(
        git: str | None, said: str, tmp_path: Path) -> None:
    """Run as `make example` runs it (a process), with PATH holding no real git: exit 1,
    one clear line naming git and how to install it, no traceback, nothing written or
    removed (a previous run's products stay)."""
    import os
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    (out / "kept").write_text("a previous run", encoding="utf-8")
    env = {**os.environ, "PATH": _path_without_git(tmp_path, git)}
    done = subprocess.run(
        [sys.executable, "-m", "mlops_spec.tools.example_loop", str(EXAMPLE), "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"example loop FAILED: {said}" in done.stderr
    if git is None:
        assert "Install git (Debian/Ubuntu: `sudo apt-get install git`" in done.stderr
    assert done.stdout == ""
    assert [p.name for p in out.iterdir()] == ["kept"]
