"""The store URI type, M025 for local stores, missing extras."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import check, codes
from pydantic import TypeAdapter, ValidationError
from store_support import embedded_spec, train_out, write_spec
from variants import dump, variant

from mlops_spec.main import main
from mlops_spec.spec import types as t

GOOD = [".mlops-spec/store", "/srv/models/credit-risk", "file:///srv/models/", "models",
        "s3://acme/models", "gs://b/p", "az://c/p", "https://h/x"]
BAD = ["../store", "a/../b", "/", "file://relative", "file://", "~/store", "a b",
       "s3://b/$(id)", ".", "./x", "/srv/../etc", "file:///a/.."]


@pytest.mark.parametrize("value", GOOD)
def test_store_uris_accepted(value: str) -> None:
    assert TypeAdapter(t.StoreUri).validate_python(value) == value


@pytest.mark.parametrize("value", BAD)
def test_store_uris_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(t.StoreUri).validate_python(value)


def test_data_uris_stay_repository_relative() -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(t.UriOrPath).validate_python("/etc/passwd")


@pytest.mark.parametrize("store", ["/srv/models", "file:///srv/models", ".mlops-spec/store"])
def test_a_cluster_cannot_serve_from_a_local_store(store: str) -> None:
    data = variant("example")
    data["model"]["artifact"]["store"] = store
    result = check(dump(data))
    assert "M025" in codes(result)
    [finding] = [d for d in result.diagnostics if d.code == "M025"]
    assert "pods on a cluster cannot read a path" in finding.message
    assert "M050" not in codes(result)


def test_no_store_names_the_default_it_would_use() -> None:
    data = variant("example")
    del data["model"]["artifact"]["store"]
    [finding] = [d for d in check(dump(data)).diagnostics if d.code == "M025"]
    assert ".mlops-spec/store" in finding.message


def test_local_stores_are_fine_without_a_cluster() -> None:
    assert check(dump(embedded_spec("/srv/models"))).ok


def test_a_missing_backend_package_names_the_extra(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]
                                                   ) -> None:
    spec_file = write_spec(tmp_path / "repo", embedded_spec("s3://acme/models"))
    out = train_out(spec_file, tmp_path / "out")
    monkeypatch.setitem(sys.modules, "s3fs", None)
    code = main(["upload", str(spec_file), "--from", str(out), "--version", "v1"])
    err = capsys.readouterr().err
    assert code == 2 and "X001" in err and "mlops-spec[s3]" in err


def test_stores_mlops_spec_cannot_write(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    spec_file = write_spec(tmp_path / "repo", embedded_spec("hdfs://nn/models"))
    out = train_out(spec_file, tmp_path / "out")
    code = main(["upload", str(spec_file), "--from", str(out), "--version", "v1"])
    err = capsys.readouterr().err
    assert code == 2 and "A001" in err and "hdfs://" in err


def test_a_served_spec_needs_the_serving_files(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    spec_file = write_spec(tmp_path / "repo", variant("example"))  # served by KServe
    out = train_out(spec_file, tmp_path / "out")
    for served in (out / "serving").iterdir():
        served.unlink()
    code = main(["upload", str(spec_file), "--from", str(out), "--version", "v1"])
    err = capsys.readouterr().err
    assert code == 2 and "A004" in err and "serving/model.joblib is missing" in err
