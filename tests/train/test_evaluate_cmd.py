"""``mlops-spec evaluate`` and champion/challenger: the same evaluation.json as train."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import cli
from helpers import REPO
from train_fixtures import trained_example

from mlops_spec import evaluation

SPEC = REPO / "example-repo" / "mlops.yaml"


def test_evaluate_reproduces_trains_evaluation(tmp_path: Path) -> None:
    run = cli("evaluate", SPEC, "--model", trained_example(), "--out", tmp_path, "--quiet")
    assert run.code == 0, run.err
    assert (tmp_path / "evaluation.json").read_bytes() == (
        trained_example() / "evaluation.json").read_bytes()


def test_champion_is_evaluated_on_the_same_rows(tmp_path: Path) -> None:
    champion = tmp_path / "champion"
    shutil.copytree(trained_example(), champion)
    run = cli("evaluate", SPEC, "--model", trained_example(), "--champion", champion,
              "--out", tmp_path / "out", "--quiet")
    assert run.code == 0, run.err
    evaluated = evaluation.read(tmp_path / "out" / "evaluation.json")
    assert evaluated.champion is not None
    assert evaluated.champion.metrics == evaluated.metrics
    lineage = json.loads((champion / "lineage.json").read_text())
    assert evaluated.champion.version == lineage["git"]["commit"]
    assert evaluated.vs_production is not None
    assert evaluated.vs_production.drop == 0.0 and evaluated.vs_production.passed
    assert evaluated.decision == "pass"


def test_train_with_a_champion_records_vs_production(tmp_path: Path) -> None:
    run = cli("train", SPEC, "--out", tmp_path / "out", "--champion", trained_example(),
              "--quiet")
    assert run.code == 0, run.err
    evaluated = evaluation.read(tmp_path / "out" / "evaluation.json")
    assert evaluated.champion is not None and evaluated.vs_production is not None
    assert evaluated.vs_production.challenger == evaluated.metrics["roc_auc"]


def test_evaluate_on_a_data_file(tmp_path: Path) -> None:
    data = REPO / "example-repo" / "data" / "applications.csv"
    run = cli("evaluate", SPEC, "--model", trained_example(), "--data", data,
              "--out", tmp_path, "--quiet")
    assert run.code == 0, run.err
    evaluated = evaluation.read(tmp_path / "evaluation.json")
    assert evaluated.rows.train == 0 and evaluated.rows.test == 5000
    assert evaluated.metrics["roc_auc"] > 0.85  # mostly rows it was trained on


def test_a_tampered_artifact_is_refused(tmp_path: Path) -> None:
    import zipfile

    model = tmp_path / "model"
    model.mkdir()
    source = zipfile.ZipFile(trained_example() / "model.skops")
    schema = source.read("schema.json").decode()
    evil = schema.replace('"__class__": "Pipeline",\n  "__module__": "sklearn.pipeline"',
                          '"__class__": "system",\n  "__module__": "os"', 1)
    assert evil != schema
    with zipfile.ZipFile(model / "model.skops", "w") as target:
        for name in source.namelist():
            target.writestr(name, evil if name == "schema.json" else source.read(name))
    run = cli("evaluate", SPEC, "--model", model, "--out", tmp_path / "out", "--quiet")
    assert run.code == 2 and "T011" in run.err and "os.system" in run.err
