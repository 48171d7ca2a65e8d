"""``deployment.mode: embedded``: ONNX export checked against scikit-learn."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
from conftest import cli
from train_fixtures import write_project

from mlops_spec.spec.validate import validate_file
from mlops_spec.train import artifact
from mlops_spec.train.dataset import load
from mlops_spec.train.embedded import feeds

EMBEDDED = (("  mode: realtime\n  platform: kserve\n  strategy:\n    type: canary\n"
             "    steps: [{weight: 10, pause: 15m}, {weight: 50, pause: 30m}]\n",
             "  mode: embedded\n  embedded: {tolerance: 0.0001, quantize: true}\n"),)
LOGISTIC = ("estimator: sklearn.ensemble.HistGradientBoostingClassifier\n"
            "  params: {max_iter: 200, learning_rate: 0.05}",
            "estimator: sklearn.linear_model.LogisticRegression\n  params: {max_iter: 500}")


def test_logistic_regression_exports_within_tolerance(tmp_path: Path) -> None:
    spec = write_project(tmp_path / "p", *EMBEDDED, LOGISTIC, rows=1000)
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 0, run.err
    report = json.loads((tmp_path / "out" / "embedded" / "report.json").read_text())
    for part in ("onnx", "quantized"):
        assert report[part]["within_tolerance"] and report[part]["label_agreement"] == 1.0
        assert report[part]["bytes"] > 0 and report[part]["latency_ms_one_row_median"] > 0
    # The exported file answers like the evaluated pipeline on fresh rows.
    result = validate_file(spec)
    assert result.spec is not None
    x = load(result.spec, spec).frame[[f.name for f in result.spec.features.columns]]
    session = ort.InferenceSession(str(tmp_path / "out" / "embedded" / "model.onnx"),
                                   providers=["CPUExecutionProvider"])
    onnx_scores = session.run(None, feeds(result.spec, x))[1][:, 1]
    expected = artifact.load(tmp_path / "out").predict_proba(x)[:, 1]
    assert np.abs(onnx_scores - expected).max() < 1e-4


def test_disagreement_beyond_tolerance_fails_and_writes_nothing(tmp_path: Path) -> None:
    # Trees compare float32 in ONNX: rows on a split threshold take the other branch.
    spec = write_project(tmp_path / "p", *EMBEDDED, rows=1500)
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 2 and "T014" in run.err and "held-out rows" in run.err
    assert not (tmp_path / "out").exists()
