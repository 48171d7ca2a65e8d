"""What a new user hits first with ``mlops-spec drift``: a missing extra, a remote URI, a
typo in --reference, large numbers, a bad prediction column."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from drift_data import HEADER, REPO, drift, drift_workspace

from mlops_spec.drift.report import _fmt


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return drift_workspace(tmp_path_factory.mktemp("drift-new-user"), rows=800)


def without(modules: list[str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    """The real CLI in a fresh interpreter where ``modules`` cannot be imported."""
    code = ("import sys\n"
            f"for name in {modules!r}:\n"
            "    sys.modules[name] = None  # import raises ModuleNotFoundError\n"
            "from mlops_spec.main import console\n"
            "sys.argv = ['mlops-spec', *sys.argv[1:]]\n"
            "console()\n")
    return subprocess.run([sys.executable, "-c", code, *map(str, args)],
                          capture_output=True, text=True, check=False, cwd=REPO)


@pytest.mark.parametrize("missing", [["numpy"], ["scipy"], ["numpy", "scipy", "pyarrow"]])
def test_drift_without_its_extra_exits_2_naming_it(workspace: Path, missing: list[str]) -> None:
    result = without(missing, "drift", workspace / "mlops.yaml", "--reference",
                     workspace / "model.profile.npz", "--current", workspace / "train.csv")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "install 'mlops-spec[drift]'" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_parquet_without_pyarrow_exits_2_naming_the_extra(workspace: Path) -> None:
    (workspace / "current.parquet").write_bytes(b"PAR1")
    result = without(["pyarrow"], "drift", workspace / "mlops.yaml", "--reference",
                     workspace / "model.profile.npz", "--current", workspace / "current.parquet")
    assert result.returncode == 2, result.stderr
    assert "install 'mlops-spec[drift]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_remote_reference_is_refused_as_given(workspace: Path) -> None:
    result = drift(workspace / "mlops.yaml", "--reference", "s3://bucket/prefix/x.npz",
                   "--current", workspace / "train.csv")
    assert result.returncode == 2, result.stdout
    assert "remote data is not supported yet: s3://bucket/prefix/x.npz" in result.stderr


@pytest.fixture
def unreachable_s3(monkeypatch: pytest.MonkeyPatch) -> None:
    """S3 pointed at a closed loopback port, with fake keys: no request leaves the machine
    (no instance-metadata lookup for credentials either)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.mark.usefixtures("unreachable_s3")
def test_remote_current_data_is_read_and_named_as_given(workspace: Path) -> None:
    # --current s3://... is read through the store layer (tests/store has the loopback
    # server); here the endpoint is closed, and the error names the URI unmangled.
    result = drift(workspace / "mlops.yaml", "--reference", workspace / "model.profile.npz",
                   "--current", "s3://bucket/prefix/")
    assert result.returncode == 2, result.stdout
    assert "s3://bucket/prefix/" in result.stderr
    assert "s3:/bucket" not in result.stderr.replace("s3://bucket", "")
    assert "Traceback" not in result.stderr


def test_reference_in_a_missing_directory_is_refused(workspace: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "x.npz"
    result = drift(workspace / "mlops.yaml", "--reference", target, "--training",
                   workspace / "train.csv")
    assert result.returncode == 2
    assert "error[D012]" in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "no").exists()


def test_bad_prediction_column_hint_names_the_option(workspace: Path) -> None:
    rows = list(csv.reader((workspace / "train.csv").open()))
    rows[5][HEADER.index("prediction")] = "high"
    with (workspace / "bad-prediction.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = drift(workspace / "mlops.yaml", "--reference", workspace / "model.profile.npz",
                   "--current", workspace / "bad-prediction.csv")
    assert result.returncode == 2
    assert "column 'prediction' must be numeric for model.task" in result.stderr
    assert "--prediction-column" in result.stderr
    assert "feature's type" not in result.stderr


@pytest.mark.parametrize(("value", "text"), [
    (12030.7, "12,031"), (-250000.0, "-250,000"), (0.1234567, "0.1235"), (1234.5, "1234"),
    (0.00001234, "1.23e-05"), (0.0, "0")])
def test_numbers_are_printed_for_people(value: float, text: str) -> None:
    assert _fmt(value) == text
