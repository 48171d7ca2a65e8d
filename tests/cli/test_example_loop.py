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
