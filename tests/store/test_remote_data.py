"""`drift --current s3://bucket/prefix/` through the remote data layer, against moto's S3
server: the same report as the same rows read from a local file."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import store_support
from drift_data import HEADER, write_data

from mlops_spec.main import main

# The loopback servers, shared by the store tests (a conftest.py in this directory
# would shadow tests/conftest.py, which other test modules import by name).
s3 = store_support.s3
s3_endpoint = store_support.s3_endpoint

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def drift(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["drift", *map(str, args)])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copy(REPO / "example-repo" / "mlops.yaml", tmp_path / "mlops.yaml")
    write_data(tmp_path / "train.csv", 2000, seed=1)
    code, _, err = drift(tmp_path / "mlops.yaml", "--reference", tmp_path / "ref.npz",
                         "--training", tmp_path / "train.csv")
    assert code == 0, err
    return tmp_path


def _split(source: Path, first: Path, second: Path) -> None:
    rows = list(csv.reader(source.open(newline="")))
    for target, part in ((first, rows[1:700]), (second, rows[700:])):
        with target.open("w", newline="") as handle:
            csv.writer(handle).writerows([rows[0], *part])


def test_drift_reads_every_object_under_a_prefix(workspace: Path,
                                                 s3: Callable[[str], str]) -> None:
    import boto3
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    s3("monitoring")
    current = write_data(workspace / "current.csv", 1200, seed=2, shift=0.4)
    _split(current, workspace / "a.csv", workspace / "b.csv")
    pq.write_table(pacsv.read_csv(workspace / "b.csv"), workspace / "b.parquet")
    client = boto3.client("s3")
    client.upload_file(str(workspace / "a.csv"), "monitoring", "credit-risk/2026/a.csv")
    client.upload_file(str(workspace / "b.parquet"), "monitoring",
                       "credit-risk/2026/part/b.parquet")
    client.put_object(Bucket="monitoring", Key="credit-risk/2026/_SUCCESS", Body=b"")
    spec, ref = workspace / "mlops.yaml", workspace / "ref.npz"

    local = drift(spec, "--reference", ref, "--current", current, "--format", "json")
    remote = drift(spec, "--reference", ref, "--current", "s3://monitoring/credit-risk/2026/",
                   "--format", "json")
    assert remote[0] == local[0] == 1, remote[2]
    expected, got = json.loads(local[1]), json.loads(remote[1])
    assert got["current"]["file"] == "s3://monitoring/credit-risk/2026/"
    assert got["current"]["rows"] == 1200
    for report in (expected, got):
        del report["current"]["file"]
    assert got == expected


def test_one_object_and_clear_errors(workspace: Path, s3: Callable[[str], str]) -> None:
    import boto3

    s3("single")
    current = write_data(workspace / "current.csv", 500, seed=3)
    client = boto3.client("s3")
    client.upload_file(str(current), "single", "now.csv")
    spec, ref = workspace / "mlops.yaml", workspace / "ref.npz"
    code, stdout, err = drift(spec, "--reference", ref, "--current", "s3://single/now.csv")
    assert code == 0, err
    assert "s3://single/now.csv" in stdout

    code, _, err = drift(spec, "--reference", ref, "--current", "s3://single/empty/")
    assert code == 2 and "s3://single/empty/: error[D003]: no CSV or Parquet objects" in err
    client.put_object(Bucket="single", Key="bad/x.csv",
                      Body=(",".join(h for h in HEADER if h != "income") + "\n1,2,3,own,0,0.5\n"
                            ).encode())
    code, _, err = drift(spec, "--reference", ref, "--current", "s3://single/bad/")
    assert code == 2 and "s3://single/bad/x.csv: error[D001]: column 'income'" in err


def test_training_sources_read_through_the_same_reader(workspace: Path,
                                                       s3: Callable[[str], str]) -> None:
    """What `train` calls for a data source with an s3:// uri (data.sources[].uri)."""
    import boto3
    import numpy as np

    from mlops_spec.data.readers import read_columns

    s3("training-data")
    boto3.client("s3").upload_file(str(workspace / "train.csv"), "training-data",
                                   "credit-risk/applications.csv")
    wanted = {"income": "numeric", "home_ownership": "categorical"}
    remote = read_columns("s3://training-data/credit-risk/applications.csv", wanted)
    local = read_columns(workspace / "train.csv", wanted)
    assert remote.rows == local.rows == 2000
    assert remote.file == "s3://training-data/credit-risk/applications.csv"
    np.testing.assert_array_equal(remote.columns["income"], local.columns["income"])
    assert list(remote.columns["home_ownership"]) == list(local.columns["home_ownership"])
