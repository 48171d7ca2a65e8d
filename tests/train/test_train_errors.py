"""Bad input: a clear, located T-code, exit 2, and the output directory left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import cli
from train_fixtures import write_project


def train(spec: Path, out: Path) -> tuple[int, str]:
    run = cli("train", spec, "--out", out, "--quiet")
    return run.code, run.err


def test_missing_source_file(tmp_path: Path) -> None:
    spec = write_project(tmp_path, ("uri: data/applications.csv", "uri: data/nope.csv"),
                         rows=100)
    code, err = train(spec, tmp_path / "out")
    assert code == 2 and "T001" in err and "nope.csv" in err


def test_misspelt_column_gets_a_did_you_mean(tmp_path: Path) -> None:
    spec = write_project(tmp_path, rows=200,
                         csv=lambda text: text.replace("debt_to_income", "debt_to_incme", 1))
    code, err = train(spec, tmp_path / "out")
    assert code == 2 and "T002" in err
    assert "'debt_to_income' is missing" in err and "did you mean 'debt_to_incme'" in err


def test_target_with_one_class(tmp_path: Path) -> None:
    def one_class(text: str) -> str:
        lines = text.splitlines()
        return "\n".join([lines[0]] + [line[:-1] + "0" for line in lines[1:]]) + "\n"

    spec = write_project(tmp_path, rows=200, csv=one_class)
    code, err = train(spec, tmp_path / "out")
    assert code == 2 and "T003" in err and "one class" in err


def test_value_that_does_not_fit_its_type_names_row_and_column(tmp_path: Path) -> None:
    def bad_income(text: str) -> str:
        lines = text.splitlines()
        cells = lines[7].split(",")
        cells[1] = "lots"
        lines[7] = ",".join(cells)
        return "\n".join(lines) + "\n"

    spec = write_project(tmp_path, rows=200, csv=bad_income)
    code, err = train(spec, tmp_path / "out")
    assert code == 2 and "T004" in err
    assert "'income'" in err and "row 7" in err and "'lots'" in err


def test_log_transform_of_a_negative_value(tmp_path: Path) -> None:
    def negative(text: str) -> str:
        lines = text.splitlines()
        cells = lines[3].split(",")
        cells[1] = "-5"
        lines[3] = ",".join(cells)
        return "\n".join(lines) + "\n"

    spec = write_project(tmp_path, rows=200, csv=negative)
    code, err = train(spec, tmp_path / "out")
    assert code == 2 and "T004" in err and "row 3" in err and "log" in err


def test_data_file_over_the_size_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLOPS_SPEC_MAX_DATA_BYTES", "1000")
    spec = write_project(tmp_path, rows=200)
    code, err = train(spec, tmp_path / "out")
    assert code == 2 and "T005" in err and "1,000-byte bound" in err


def test_an_unreachable_remote_source_is_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for key, value in {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_MAX_ATTEMPTS": "1",
                       "AWS_ACCESS_KEY_ID": "none", "AWS_SECRET_ACCESS_KEY": "none"}.items():
        monkeypatch.setenv(key, value)
    spec = write_project(tmp_path, ("uri: data/applications.csv",
                                    "uri: s3://acme-data/applications.csv"), rows=100)
    code, err = train(spec, tmp_path / "out")
    assert code == 2 and "T001" in err and "s3://acme-data/applications.csv" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_invalid_spec(tmp_path: Path) -> None:
    spec = write_project(tmp_path, ("task: binary_classification", "task: clustering"),
                         rows=100)
    code, err = train(spec, tmp_path / "out")
    assert code == 2 and "T015" in err


def test_a_failed_run_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "evaluation.json").write_text("previous\n")
    (out / "model.skops").write_text("previous model\n")
    spec = write_project(tmp_path, rows=200,
                         csv=lambda text: text.replace("home_ownership", "home", 1))
    code, err = train(spec, out)
    assert code == 2 and "T002" in err
    assert sorted(p.name for p in out.iterdir()) == ["evaluation.json", "model.skops"]
    assert (out / "evaluation.json").read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_refuses_to_replace_a_directory_it_did_not_write(tmp_path: Path) -> None:
    spec = write_project(tmp_path, rows=200)
    code, err = train(spec, tmp_path)  # the project itself
    assert code == 2 and "T008" in err
    assert (tmp_path / "mlops.yaml").is_file()


def test_score_errors(tmp_path: Path) -> None:
    spec = write_project(tmp_path, rows=200)
    run = cli("score", spec, "--model", tmp_path / "none", "--input", "x.csv",
              "--output", tmp_path / "o.csv", "--shard", "4/4")
    assert run.code == 2 and "T012" in run.err
    run = cli("score", spec, "--model", tmp_path / "none", "--input",
              tmp_path / "data" / "applications.csv", "--output", tmp_path / "o.csv")
    assert run.code == 2 and "T011" in run.err and "model.skops" in run.err


def test_remote_score_input_is_refused_clearly(tmp_path: Path) -> None:
    spec = write_project(tmp_path, rows=100)
    run = cli("score", spec, "--model", tmp_path, "--input", "s3://bucket/rows.parquet",
              "--output", tmp_path / "o.csv")
    assert run.code == 2 and "T006" in run.err and "s3://bucket/rows.parquet" in run.err
