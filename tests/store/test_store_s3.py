"""The S3 store against moto's S3 server on loopback (real HTTP through s3fs/botocore)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import store_support
from store_support import train_out, tree, write_spec
from variants import variant

from mlops_spec.main import main
from mlops_spec.spec.validate import validate_file
from mlops_spec.store import open_store

# The loopback servers, shared by the store tests (a conftest.py in this directory
# would shadow tests/conftest.py, which other test modules import by name).
s3 = store_support.s3
s3_endpoint = store_support.s3_endpoint

VERSION = "0123456789abcdef0123456789abcdef01234567"
pytestmark = pytest.mark.slow


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def served_spec(tmp_path: Path, store: str) -> Path:
    data = variant("example")  # KServe serving: the cluster reads <store>/<version>/serving
    data["model"]["artifact"]["store"] = store
    return write_spec(tmp_path / "repo", data)


def test_round_trip_through_s3(s3: Callable[[str], str], tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    import boto3

    # A prefix of its own: moto's backends are per process, and other tests (the example
    # loop, the walk-through) store versions of credit-risk in this bucket too.
    store = s3("acme-models") + "/round-trip"
    spec_file = served_spec(tmp_path, store)
    out = train_out(spec_file, tmp_path / "out")
    code, stdout, err = run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)
    assert code == 0, err
    assert f"at {store}/{VERSION}" in stdout
    keys = sorted(o["Key"] for o in boto3.client("s3").list_objects_v2(
        Bucket="acme-models", Prefix="round-trip/")["Contents"])
    assert keys == sorted(f"round-trip/{VERSION}/{p}" for p in [*tree(out), "manifest.json"])
    code, _, err = run(capsys, "fetch", spec_file, "--version", VERSION,
                       "--to", tmp_path / "fetched")
    assert code == 0, err
    assert tree(tmp_path / "fetched") == tree(out)
    spec = validate_file(spec_file).spec
    assert spec is not None
    assert open_store(spec, spec_file).versions() == [VERSION]

    code, stdout, _ = run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)
    assert code == 0 and "already stored" in stdout
    other = train_out(spec_file, tmp_path / "other", seed=3)
    code, _, err = run(capsys, "upload", spec_file, "--from", other, "--version", VERSION)
    assert code == 2 and "A005" in err


def test_a_half_written_version_on_s3_is_not_fetched(s3: Callable[[str], str],
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    import boto3

    store = s3("half-written") + "/m"
    spec_file = served_spec(tmp_path, store)
    boto3.client("s3").put_object(Bucket="half-written", Key=f"m/{VERSION}/model.skops",
                                  Body=b"partial")
    code, _, err = run(capsys, "fetch", spec_file, "--version", VERSION,
                       "--to", tmp_path / "fetched")
    assert code == 2 and "A006" in err
    spec = validate_file(spec_file).spec
    assert spec is not None
    assert open_store(spec, spec_file).versions() == []


def test_credentials_never_appear_in_output(s3: Callable[[str], str], s3_endpoint: str,
                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    s3("creds")
    spec_file = served_spec(tmp_path, "s3://no-such-bucket/m")
    out = train_out(spec_file, tmp_path / "out")
    secret = "s3cr3t-Value-0123456789"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    host = s3_endpoint.removeprefix("http://")
    # A bucket that does not exist, through a plain endpoint and one carrying userinfo:
    # the error names the store and the backend's reason, never the secret.
    for endpoint in (s3_endpoint, f"http://user:{secret}@{host}"):
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        code, stdout, err = run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)
        assert code == 2 and "A010" in err and "s3://no-such-bucket/m" in err, err
        assert secret not in stdout + err and "testing-key-id" not in stdout + err
