"""``check --promotion``: main gates the evaluation it just trained against model.promotion
before the version is stored (the example trained for real once; the failing cases edit
that evaluation's numbers, which is what a worse model or a better champion produces)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import cli
from helpers import REPO

sys.path.insert(0, str(Path(__file__).parents[1] / "train"))
from train_fixtures import trained_example

pytest.importorskip("sklearn")
SPEC = REPO / "example-repo" / "mlops.yaml"


def evaluation(tmp_path: Path, **changes: Any) -> Path:
    data = json.loads((trained_example() / "evaluation.json").read_text())
    for key, value in changes.items():
        data[key] = value
    target = tmp_path / "evaluation.json"
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


def test_the_trained_example_meets_its_promotion_rules(tmp_path: Path) -> None:
    shutil.copytree(trained_example(), tmp_path / "out")
    run = cli("check", SPEC, "--promotion", "--evaluation", tmp_path / "out/evaluation.json")
    assert run.code == 0, run.out + run.err
    assert "gate: pass" in run.out
    assert "promotion-thresholds: " in run.out and "check   pass" in run.out
    # No store was reachable while training: nothing in production to compare with.
    assert "champion-challenger: no model is in production yet" in run.out


def test_a_model_below_a_threshold_is_not_stored(tmp_path: Path) -> None:
    metrics = json.loads((trained_example() / "evaluation.json").read_text())["metrics"]
    worse = evaluation(tmp_path, metrics={**metrics, "roc_auc": 0.71})
    run = cli("check", SPEC, "--promotion", "--evaluation", worse, "--format", "json")
    assert run.code == 1
    report = json.loads(run.out)
    assert report["verdict"] == "fail"
    checks = {c["id"]: c for c in report["specs"][0]["checks"]}
    assert checks["promotion-thresholds"]["status"] == "fail"
    assert "roc_auc" in checks["promotion-thresholds"]["reason"]
    assert report["specs"][0]["approvals"] == []  # no roles: the merge was reviewed


def test_a_model_worse_than_production_is_not_stored(tmp_path: Path) -> None:
    metrics = json.loads((trained_example() / "evaluation.json").read_text())["metrics"]
    champion = {"version": "a" * 40, "metrics": {**metrics, "roc_auc": metrics["roc_auc"] + 0.05}}
    worse = evaluation(tmp_path, champion=champion)
    run = cli("check", SPEC, "--promotion", "--evaluation", worse)
    assert run.code == 1
    assert "champion-challenger: roc_auc drops" in run.out
    assert f"against production {'a' * 40}" in run.out


def test_evidence_of_another_spec_is_not_trusted(tmp_path: Path) -> None:
    other = tmp_path / "mlops.yaml"
    other.write_text(SPEC.read_text().replace("seed: 42", "seed: 7"), encoding="utf-8")
    (tmp_path / "data").symlink_to(REPO / "example-repo" / "data")
    run = cli("check", other, "--promotion", "--evaluation",
              trained_example() / "evaluation.json")
    assert run.code == 1
    assert "another version of the spec" in run.out


@pytest.mark.parametrize("extra", [[], ["--base", "main"], ["--approvals", "a.json"]])
def test_promotion_mode_is_used_as_documented(extra: list[str]) -> None:
    args = [] if not extra else ["--evaluation", str(trained_example() / "evaluation.json")]
    run = cli("check", SPEC, "--promotion", *args, *extra)
    assert run.code == 2
    assert "G280" in run.err and "check --promotion" in run.err
    assert "Traceback" not in run.err


def served_example(tmp_path: Path, version: str) -> Path:
    """The example as merged on main, with production serving ``version`` (as the deploy
    pipeline records it in the overlay)."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "example-repo", root, ignore=shutil.ignore_patterns(".git"))
    (root / "deploy" / "production" / "model-version.env").write_text(
        f"MODEL_VERSION={version}\n", encoding="utf-8")
    return root / "mlops.yaml"


def test_no_champion_while_production_serves_is_not_stored(tmp_path: Path) -> None:
    # Training did not reach the store (T016): the comparison with production never ran.
    spec = served_example(tmp_path, "c" * 40)
    run = cli("check", spec, "--promotion", "--evaluation", trained_example() / "evaluation.json")
    assert run.code == 1
    assert ("pending         champion-challenger: no champion comparison while production "
            f"serves {'c' * 40}") in run.out
    report = json.loads(cli("check", spec, "--promotion", "--evaluation",
                            trained_example() / "evaluation.json", "--format", "json").out)
    assert [d["code"] for d in report["specs"][0]["diagnostics"]] == ["G270"]


def test_the_champion_must_be_what_production_serves(tmp_path: Path) -> None:
    metrics = json.loads((trained_example() / "evaluation.json").read_text())["metrics"]
    spec = served_example(tmp_path, "c" * 40)
    other = evaluation(tmp_path, champion={"version": "d" * 40, "metrics": metrics})
    run = cli("check", spec, "--promotion", "--evaluation", other)
    assert run.code == 1
    assert f"compared with {'d' * 40}, but production serves {'c' * 40}" in run.out
    same = evaluation(tmp_path, champion={"version": "c" * 40, "metrics": metrics})
    run = cli("check", spec, "--promotion", "--evaluation", same)
    assert run.code == 0, run.out
    assert f"no worse than production {'c' * 40}" in run.out
