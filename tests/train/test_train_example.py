"""The issue's bars on the bundled example: time, layout, safe artifact, determinism."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import joblib
import skops.io as sio
from helpers import REPO, run_measured
from train_fixtures import trained_example

from mlops_spec import evaluation
from mlops_spec.drift.profile import load_profile
from mlops_spec.spec.validate import validate_file
from mlops_spec.train import artifact
from mlops_spec.train.dataset import load

LAYOUT = {"model.skops", "evaluation.json", "model-card.md", "model-card.json",
          "lineage.json", "reference.profile.npz", "datasheets/applications.json",
          "serving/model.joblib"}


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_layout_is_exactly_the_contract() -> None:
    assert files(trained_example()) == LAYOUT


def test_train_runs_in_under_60_seconds_and_repeats_byte_for_byte(tmp_path: Path) -> None:
    # A second, separate process: same inputs and seed give the same evidence bytes.
    run = run_measured([sys.executable, "-m", "mlops_spec", "train", "example-repo", "--out",
                        str(tmp_path / "out")], cwd=REPO, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.seconds < 60, f"train took {run.seconds:.1f}s"
    assert run.stderr == ""  # stderr is not a terminal: no progress lines
    assert "promotion pass" in run.stdout
    assert files(tmp_path / "out") == LAYOUT
    for name in ("evaluation.json", "model.skops", "reference.profile.npz",
                 "datasheets/applications.json"):
        assert (tmp_path / "out" / name).read_bytes() == (trained_example() / name).read_bytes()


def test_skops_loads_with_the_reported_trusted_types() -> None:
    path = trained_example() / "model.skops"
    reported = json.loads((trained_example() / "lineage.json").read_text())["artifact"]
    untrusted = sio.get_untrusted_types(file=path)
    assert sorted(untrusted) == reported["untrusted_types"]
    assert all(name.startswith(("sklearn.", "numpy.")) for name in untrusted), untrusted
    model = sio.load(path, trusted=reported["untrusted_types"])
    assert type(model).__name__ == "Pipeline"
    assert reported["sha256"] == artifact.sha256(path)


def test_evaluation_passes_the_examples_thresholds() -> None:
    result = validate_file(REPO / "example-repo" / "mlops.yaml")
    assert result.spec is not None
    evaluated = evaluation.read(trained_example() / "evaluation.json")
    assert evaluated.model == "credit-risk"
    assert evaluated.spec.digest == evaluation.spec_digest(result.spec)
    assert evaluated.metrics["roc_auc"] >= 0.80 and evaluated.metrics["f1"] >= 0.55
    assert evaluated.decision == "pass" and evaluated.champion is None
    assert [t.metric for t in evaluated.thresholds] == ["f1", "roc_auc"]
    assert evaluated.rows.train == 4000 and evaluated.rows.test == 1000
    csv = REPO / "example-repo" / "data" / "applications.csv"
    assert evaluated.data[0].sha256 == artifact.sha256(csv)


def test_dropped_column_is_not_an_input_of_the_loaded_pipeline() -> None:
    model = artifact.load(trained_example())
    inputs = list(model.feature_names_in_)
    assert inputs == ["income", "loan_amount", "employment_years", "debt_to_income",
                      "home_ownership"]
    assert "email" not in inputs
    raw = (trained_example() / "model.skops").read_bytes()
    assert b"@example.com" not in raw and b"applicant00" not in raw


def test_serving_model_predicts_like_the_artifact() -> None:
    result = validate_file(REPO / "example-repo" / "mlops.yaml")
    assert result.spec is not None
    frame = load(result.spec, REPO / "example-repo" / "mlops.yaml").frame.head(200)
    safe = artifact.load(trained_example())
    served = joblib.load(trained_example() / "serving" / "model.joblib")
    x = frame[list(safe.feature_names_in_)]
    assert (safe.predict_proba(x) == served.predict_proba(x)).all()


def test_card_datasheet_lineage_and_profile() -> None:
    card = json.loads((trained_example() / "model-card.json").read_text())
    for section in ("model_details", "intended_use", "factors", "metrics", "evaluation_data",
                    "training_data", "ethical_considerations", "caveats_and_limitations",
                    "owners", "model_development"):
        assert card[section], section
    assert card["metrics"]["plot_svg"].startswith("<svg")
    text = (trained_example() / "model-card.md").read_text()
    for heading in ("## Model details", "## Intended use", "## Factors", "## Metrics",
                    "## Evaluation and training data", "## Ethical considerations",
                    "## Caveats and limitations", "## Owners"):
        assert heading in text
    sheet = json.loads((trained_example() / "datasheets" / "applications.json").read_text())
    assert sheet["rows"] == 5000
    assert "email" not in sheet["columns"]  # dropped: no summary of it anywhere
    assert {"column": "email", "category": "contact", "handling": "drop"} in sheet["pii"]
    zips = sheet["columns"]["zip_code"]["summary"]
    assert all(len(top["value"]) == 3 for top in zips["top"])  # generalized to 3 chars
    income = sheet["columns"]["income"]
    assert 0.02 < income["missing_share"] < 0.04
    assert income["target_correlation"] < 0  # richer applicants default less
    assert sheet["columns"]["debt_to_income"]["target_correlation"] > 0.2
    lineage = json.loads((trained_example() / "lineage.json").read_text())
    assert lineage["seed"] == 42 and lineage["git"]["commit"]
    assert lineage["packages"]["scikit-learn"] and lineage["wall_seconds"] > 0
    profile = load_profile(trained_example() / "reference.profile.npz")
    assert set(profile.columns) == set(inputs_of(card))
    assert profile.rows == 4000


def inputs_of(card: dict[str, object]) -> list[str]:
    development = card["model_development"]
    assert isinstance(development, dict)
    return list(development["input_features"])


def test_skops_file_is_a_plain_zip_without_pickle() -> None:
    with zipfile.ZipFile(trained_example() / "model.skops") as archive:
        names = archive.namelist()
        assert "schema.json" in names
        assert all(n == "schema.json" or n.endswith(".npy") for n in names)
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
