"""train with the store: the real `train` output uploaded and fetched byte-identical, the
champion fetched from production's version for the gate, and data sources on S3 (moto's
loopback server)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import cli
from train_fixtures import write_project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
import store_support  # tests/store: the loopback servers, shared

s3 = store_support.s3
s3_endpoint = store_support.s3_endpoint
EXAMPLE_STORE = 'store: "s3://acme-models/credit-risk"'


def _evaluation(out: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((out / "evaluation.json").read_text())
    return loaded


def _pin_production(spec: Path, version: str) -> None:
    env = spec.parent / "deploy" / "production" / "model-version.env"
    env.parent.mkdir(parents=True, exist_ok=True)
    env.write_text(f"MODEL_VERSION={version}\n", encoding="utf-8")


# A spec serving on a cluster needs a remote store (M025): the example's own, on moto.
pytestmark = pytest.mark.slow


def test_train_upload_fetch_and_the_champion_from_the_store(
        tmp_path: Path, s3: Callable[[str], str]) -> None:
    s3("acme-models")
    spec = write_project(tmp_path / "project")
    first = cli("train", spec, "--out", tmp_path / "v1", "--quiet")
    assert first.code == 0, first.err
    v1 = _evaluation(tmp_path / "v1")
    assert v1["champion"] is None and v1["vs_production"] is None  # production serves none

    refused = cli("upload", spec, "--from", tmp_path / "v1", "--version", "v1")
    if _runtime_skew(spec, tmp_path / "v1"):  # this environment's scikit-learn is not 1.5.2
        assert refused.code == 2 and "A014" in refused.err and "scikit-learn==" in refused.err
        assert cli("fetch", spec, "--version", "v1", "--to", tmp_path / "none").code == 2
    uploaded = cli("upload", spec, "--from", tmp_path / "v1", "--version", "v1",
                   "--allow-sklearn-mismatch")
    assert uploaded.code == 0, uploaded.err
    fetched = cli("fetch", spec, "--version", "v1", "--to", tmp_path / "fetched")
    assert fetched.code == 0, fetched.err
    trained = store_support.tree(tmp_path / "v1")
    assert trained and "lineage.json" in trained and "serving/model.joblib" in trained
    restored = store_support.tree(tmp_path / "fetched")
    restored.pop("manifest.json", None)
    assert restored == trained

    _pin_production(spec, "v1")
    second = cli("train", spec, "--out", tmp_path / "v2", "--quiet")
    assert second.code == 0, second.err
    v2 = _evaluation(tmp_path / "v2")
    champion = v2["champion"]
    assert isinstance(champion, dict) and champion["version"] == "v1"
    assert champion["metrics"] == v1["metrics"]  # same data and seed: the same model
    versus = v2["vs_production"]
    assert isinstance(versus, dict) and versus["drop"] == 0 and versus["passed"] is True


def _runtime_skew(spec: Path, out: Path) -> str | None:
    from mlops_spec.render.kubernetes.runtimes import check_artifact_runtime
    from mlops_spec.spec.validate import validate_file
    from mlops_spec.store.artifacts import trained_sklearn

    loaded = validate_file(spec).spec
    assert loaded is not None
    lineage = json.loads((out / "lineage.json").read_text())
    assert trained_sklearn(out) == lineage["packages"]["scikit-learn"] is not None
    return check_artifact_runtime(loaded, trained_sklearn(out))


def test_a_pinned_version_missing_from_a_reachable_store_is_an_error(
        tmp_path: Path, s3: Callable[[str], str]) -> None:
    s3("acme-models")
    spec = write_project(tmp_path / "project")
    _pin_production(spec, "v9")
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 2 and "A0" in run.err and "v9" in run.err
    assert not (tmp_path / "out").exists()


def test_an_unreachable_store_warns_and_records_no_champion(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = write_project(tmp_path / "project",
                         (EXAMPLE_STORE, 'store: "s3://unreachable-models/credit-risk"'))
    _pin_production(spec, "v1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{store_support.free_port()}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "none")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "none")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 0, run.err
    assert "warning: T016" in run.err
    assert _evaluation(tmp_path / "out")["champion"] is None


def test_train_reads_a_source_on_s3(tmp_path: Path, s3: Callable[[str], str]) -> None:
    import boto3

    local = write_project(tmp_path / "local")
    assert cli("train", local, "--out", tmp_path / "local-out", "--quiet").code == 0
    s3("training-data")
    data = tmp_path / "local" / "data" / "applications.csv"
    boto3.client("s3").upload_file(str(data), "training-data", "credit/applications.csv")
    remote = write_project(tmp_path / "remote", (
        "uri: data/applications.csv", "uri: s3://training-data/credit/applications.csv"))
    run = cli("train", remote, "--out", tmp_path / "remote-out", "--quiet")
    assert run.code == 0, run.err
    local_eval, remote_eval = _evaluation(tmp_path / "local-out"), _evaluation(
        tmp_path / "remote-out")
    assert remote_eval["metrics"] == local_eval["metrics"]
    [record] = remote_eval["data"]  # type: ignore[misc]
    [local_record] = local_eval["data"]  # type: ignore[misc]
    assert record["uri"] == "s3://training-data/credit/applications.csv"
    assert record["sha256"] == local_record["sha256"] and record["rows"] == local_record["rows"]

    evaluated = cli("evaluate", remote, "--model", tmp_path / "remote-out", "--data",
                    "s3://training-data/credit/applications.csv", "--out",
                    tmp_path / "evaluated", "--quiet")
    assert evaluated.code == 0, evaluated.err
    rows = _evaluation(tmp_path / "evaluated")["rows"]
    assert isinstance(rows, dict) and rows["train"] == 0 and rows["test"] > 0

    missing = write_project(tmp_path / "missing", (
        "uri: data/applications.csv", "uri: s3://training-data/credit/nothing.csv"))
    failed = cli("train", missing, "--out", tmp_path / "missing-out", "--quiet")
    assert failed.code == 2 and "T001" in failed.err and "nothing.csv" in failed.err
