"""``training.runner: command``: the team's program trains; mlops-spec checks and records."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import cli
from train_fixtures import write_project

from mlops_spec import evaluation

PROGRAM = '''
import json, os, sys
from pathlib import Path
import pandas as pd
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

out = Path(os.environ["MLOPS_SPEC_OUT"])
seed = int(os.environ["MLOPS_SPEC_SEED"])
data = pd.read_csv("data/applications.csv", dtype={"home_ownership": object})
numeric = ["income", "loan_amount", "employment_years", "debt_to_income"]
x, y = data[numeric + ["home_ownership"]], data["defaulted"]
a, b, ya, yb = train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)
model = make_pipeline(ColumnTransformer([
    ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
    ("cat", OneHotEncoder(handle_unknown="ignore"), ["home_ownership"])]),
    LogisticRegression(max_iter=500)).fit(a, ya)
p = model.predict(b)
metrics = {"roc_auc": roc_auc_score(yb, model.predict_proba(b)[:, 1]), "f1": f1_score(yb, p),
           "precision": precision_score(yb, p), "recall": recall_score(yb, p)}
if sys.argv[1:] != ["--no-metrics"]:
    (out / "metrics.json").write_text(json.dumps(
        {"metrics": metrics, "rows": {"train": len(ya), "test": len(yb)}}))
sio.dump(model, out / "model.skops")
'''

COMMAND = ("platform: ci\n  resources", "platform: ci\n  resources")


def project(tmp_path: Path, *argv: str) -> Path:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "train.py").write_text(PROGRAM)
    command = ", ".join([repr(sys.executable), "train.py", *argv])
    return write_project(tmp_path / "p", ("runner: builtin",
                                          f"runner: command\n  command: [{command}]"),
                         rows=800)


def test_the_programs_model_and_metrics_become_the_evidence(tmp_path: Path) -> None:
    spec = project(tmp_path)
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 0, run.err
    evaluated = evaluation.read(tmp_path / "out" / "evaluation.json")
    assert evaluated.rows.train == 640 and evaluated.rows.test == 160
    assert set(evaluated.metrics) == {"roc_auc", "f1", "precision", "recall"}
    names = {p.relative_to(tmp_path / "out").as_posix()
             for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert names == {"model.skops", "evaluation.json", "model-card.md", "model-card.json",
                     "lineage.json", "reference.profile.npz", "datasheets/applications.json",
                     "serving/model.joblib"}


def test_a_program_that_writes_no_metrics_fails_clearly(tmp_path: Path) -> None:
    spec = project(tmp_path, "--no-metrics")
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 2 and "T010" in run.err and "metrics.json" in run.err
    assert not (tmp_path / "out").exists()


def test_a_failing_program(tmp_path: Path) -> None:
    spec = project(tmp_path)
    (tmp_path / "p" / "train.py").write_text("raise SystemExit(3)\n")
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 2 and "T010" in run.err and "exited with 3" in run.err
