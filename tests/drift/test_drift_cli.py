"""`mlops-spec drift` end to end, in a subprocess: exit codes, reports, error messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from drift_data import HEADER, REPO, drift, drift_workspace, write_data


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return drift_workspace(tmp_path_factory.mktemp("drift-cli"), rows=3000)


def test_no_drift_exits_0(workspace: Path) -> None:
    data = write_data(workspace / "same.csv", 2000, seed=2)
    result = drift(workspace / "mlops.yaml", "--reference", workspace / "model.profile.npz",
                   "--current", data)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no dataset drift" in result.stdout
    assert "retrain: no" in result.stdout


def test_drift_exits_1_with_a_json_report(workspace: Path) -> None:
    data = write_data(workspace / "shift.csv", 2000, seed=3, shift=0.5,
                      ownership=(0.2, 0.3, 0.5))
    result = drift(workspace / "mlops.yaml", "--reference", workspace / "model.profile.npz",
                   "--current", data, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["exit_code"] == 1
    assert report["drift"]["detected"] is True
    assert report["drift"]["method"] == "psi"
    assert report["retrain"] == {"on": ["drift", "performance"], "drift": True,
                                 "performance": False, "triggered": True}
    income = report["drift"]["features"][0]
    assert income["name"] == "income" and income["method"] == "psi"
    assert income["threshold"] == 0.2 and income["drifted"] is True
    assert income["current"]["missing"] == 50  # every 40th row is empty
    assert report["performance"]["metric"] == "roc_auc"
    assert report["performance"]["status"] == "ok"


def test_performance_decay_exits_1(workspace: Path) -> None:
    data = write_data(workspace / "decay.csv", 2000, seed=4, good_model=False)
    result = drift(workspace / "mlops.yaml", "--reference", workspace / "model.profile.npz",
                   "--current", data, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["drift"]["detected"] is False
    assert report["performance"]["status"] == "decayed"
    assert report["performance"]["value"] < 0.75
    assert report["retrain"]["performance"] is True


def test_parquet_gives_the_same_report_as_csv(workspace: Path) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    data = write_data(workspace / "pq.csv", 1500, seed=5, shift=0.2)
    pq.write_table(pacsv.read_csv(data), workspace / "pq.parquet")
    reports = [json.loads(drift(workspace / "mlops.yaml", "--reference",
                                workspace / "model.profile.npz", "--current", path,
                                "--format", "json").stdout)
               for path in (data, workspace / "pq.parquet")]
    assert reports[0]["drift"]["features"] == reports[1]["drift"]["features"]


def test_missing_column_is_named_and_exits_2(workspace: Path) -> None:
    data = write_data(workspace / "full.csv", 300, seed=6)
    lines = data.read_text().splitlines()
    keep = [i for i, name in enumerate(HEADER) if name != "debt_to_income"]
    (workspace / "nocol.csv").write_text("\n".join(
        ",".join(line.split(",")[i] for i in keep) for line in lines) + "\n")
    result = drift(workspace / "mlops.yaml", "--reference", workspace / "model.profile.npz",
                   "--current", workspace / "nocol.csv")
    assert result.returncode == 2
    assert "nocol.csv: error[D001]: column 'debt_to_income' is missing" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_type_change_is_named_and_exits_2(workspace: Path) -> None:
    data = write_data(workspace / "typed.csv", 300, seed=7)
    lines = data.read_text().splitlines()
    lines[5] = "lots," + lines[5].split(",", 1)[1]
    (workspace / "typed.csv").write_text("\n".join(lines) + "\n")
    result = drift(workspace / "mlops.yaml", "--reference", workspace / "model.profile.npz",
                   "--current", workspace / "typed.csv")
    assert result.returncode == 2
    assert "column 'income' is numeric in the spec but row 5 holds 'lots'" in result.stderr
    assert "Traceback" not in result.stderr


def test_parquet_type_change_is_named(workspace: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"income": pa.array(["1", "2"]), "loan_amount": [1.0, 2.0],
                      "employment_years": [1, 2], "debt_to_income": [0.1, 0.2],
                      "home_ownership": ["own", "rent"]})
    pq.write_table(table, workspace / "typed.parquet")
    result = drift(workspace / "mlops.yaml", "--reference", workspace / "model.profile.npz",
                   "--current", workspace / "typed.parquet")
    assert result.returncode == 2
    assert "column 'income' is numeric in the spec but the file stores it as string" in (
        result.stderr)


@pytest.mark.parametrize(("args", "message"), [
    (["--reference", "missing.npz", "--current", "train.csv"], "reference profile not found"),
    (["--reference", "train.csv", "--current", "train.csv"], "not a drift reference profile"),
    (["--reference", "model.profile.npz", "--current", "none.csv"], "data file not found"),
    (["--reference", "model.profile.npz", "--current", "mlops.yaml"], "unknown data format"),
    (["--reference", "model.profile.npz", "--current", "empty.csv"], "has no rows"),
])
def test_input_errors_exit_2_without_traceback(workspace: Path, args: list[str],
                                               message: str) -> None:
    (workspace / "empty.csv").write_text(",".join(HEADER) + "\n")
    result = drift(workspace / "mlops.yaml",
                   *[str(workspace / a) if not a.startswith("--") else a for a in args])
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_spec_exits_2(workspace: Path, tmp_path: Path) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text((workspace / "mlops.yaml").read_text().replace("method: psi",
                                                                   "method: pzi"))
    result = drift(spec, "--reference", workspace / "model.profile.npz", "--current",
                   workspace / "train.csv")
    assert result.returncode == 2
    assert "the spec is not valid" in result.stderr


def test_spec_and_profile_disagree_on_a_feature(workspace: Path, tmp_path: Path) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text((workspace / "mlops.yaml").read_text().replace(
        "{name: employment_years, source: applications, type: numeric}",
        "{name: employment_years, source: applications, type: categorical}"))
    result = drift(spec, "--reference", workspace / "model.profile.npz", "--current",
                   workspace / "train.csv")
    assert result.returncode == 2
    assert "feature 'employment_years' is categorical in the spec but numeric in the " \
           "reference profile" in result.stderr


def test_validate_does_not_import_numpy() -> None:
    code = ("import sys; from mlops_spec.main import main; main(['validate', '-q', "
            "'example-repo']); print(sorted(m for m in ('numpy', 'scipy', 'pyarrow') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, check=False)
    assert result.stdout.strip().endswith("[]"), result.stdout + result.stderr
