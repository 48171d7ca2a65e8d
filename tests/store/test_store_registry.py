"""The MLflow Model Registry on a real `mlflow server` (SQLite backend) on loopback, over
an S3 store on moto's loopback server: upload registers the version with its tags, a
repeated upload does not register it twice, promote moves the environment's alias."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import store_support
from store_support import train_out, tree, write_spec
from variants import variant

from mlops_spec.main import main

# The loopback servers, shared by the store tests (a conftest.py in this directory
# would shadow tests/conftest.py, which other test modules import by name).
mlflow_server = store_support.mlflow_server
s3 = store_support.s3
s3_endpoint = store_support.s3_endpoint

VERSION = "89abcdef0123456789abcdef0123456789abcdef"
pytestmark = pytest.mark.slow


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def registry_spec(tmp_path: Path, store: str, tracking_uri: str) -> Path:
    data = variant("example")
    data["model"]["artifact"]["store"] = store
    data["model"]["registry"] = {"tracking_uri": tracking_uri, "model_name": "credit-risk-reg"}
    return write_spec(tmp_path / "repo", data)


def test_upload_registers_and_promote_moves_aliases(
        mlflow_server: str, s3: Callable[[str], str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("GITHUB_SHA", VERSION)
    store = s3("registry-models") + "/credit-risk"
    spec_file = registry_spec(tmp_path, store, mlflow_server)
    out = train_out(spec_file, tmp_path / "out")
    code, stdout, err = run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)
    assert code == 0, err
    assert "registered models:/credit-risk-reg/1" in stdout

    client = MlflowClient(tracking_uri=mlflow_server, registry_uri=mlflow_server)
    [registered] = client.search_model_versions("name = 'credit-risk-reg'")
    assert registered.source == f"{store}/{VERSION}"
    from mlops_spec import evaluation

    record = evaluation.read(out / "evaluation.json")
    assert registered.tags["git_commit"] == VERSION
    assert registered.tags["mlops_spec.version"] == VERSION
    assert registered.tags["mlops_spec.spec_digest"] == record.spec.digest
    assert float(registered.tags["metric.accuracy"]) == record.metrics["accuracy"]

    code, stdout, err = run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)
    assert code == 0 and "already stored" in stdout and "models:/credit-risk-reg/1" in stdout
    assert len(client.search_model_versions("name = 'credit-risk-reg'")) == 1

    code, stdout, err = run(capsys, "promote", spec_file, "--version", VERSION,
                            "--environment", "staging")
    assert code == 0, err
    assert client.get_model_version_by_alias("credit-risk-reg", "staging").version == "1"
    code, _, err = run(capsys, "promote", spec_file, "--version", "not-stored",
                       "--environment", "staging")
    assert code == 2 and "A006" in err
    code, _, err = run(capsys, "promote", spec_file, "--version", VERSION,
                       "--environment", "stagin")
    assert code == 2 and "A013" in err and "did you mean 'staging'?" in err

    code, _, err = run(capsys, "fetch", spec_file, "--version", VERSION,
                       "--to", tmp_path / "fetched")
    assert code == 0, err
    assert tree(tmp_path / "fetched") == tree(out)

    # A second version: registered as model version 2; each environment's alias moves on
    # its own.
    newer = "fedcba9876543210fedcba9876543210fedcba98"
    second = train_out(spec_file, tmp_path / "second", seed=5)
    code, stdout, err = run(capsys, "upload", spec_file, "--from", second, "--version", newer)
    assert code == 0 and "registered models:/credit-risk-reg/2" in stdout, err
    assert run(capsys, "promote", spec_file, "--version", newer,
               "--environment", "production")[0] == 0
    assert client.get_model_version_by_alias("credit-risk-reg", "production").version == "2"
    assert client.get_model_version_by_alias("credit-risk-reg", "staging").version == "1"


def test_a_local_store_cannot_be_registered_on_a_server(
        mlflow_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = variant("embedded-minimal")
    data["model"]["registry"] = {"tracking_uri": mlflow_server}
    spec_file = write_spec(tmp_path / "repo", data)
    out = train_out(spec_file, tmp_path / "out")
    code, _, err = run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)
    assert code == 2 and "A012" in err and "local directory" in err
    assert not (spec_file.parent / ".mlops-spec").exists()
