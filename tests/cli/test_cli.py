"""The mlops-spec command: help, version, subcommands, directories, formats, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CLI, REPO, mutate

from mlops_spec import __version__
from mlops_spec.main import main

Capsys = pytest.CaptureFixture[str]


def run(argv: list[str], capsys: Capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --- help, version and dispatch ---------------------------------------------------------------


def test_version(capsys: Capsys) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"mlops-spec {__version__}"


@pytest.mark.parametrize("argv", [["--help"], ["validate", "--help"], ["schema", "--help"]],
                         ids=["top", "validate", "schema"])
def test_help_exits_0(argv: list[str], capsys: Capsys) -> None:
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert out.startswith("usage: mlops-spec")


def test_validate_help_lists_its_options(capsys: Capsys) -> None:
    _, out, _ = run(["validate", "--help"], capsys)
    for option in ("--format", "{text,json,github,markdown}", "--quiet", "PATH"):
        assert option in out


@pytest.mark.parametrize("argv", [["bogus"], [], ["validate", "--format", "xml"],
                                  ["validate", "--nope"]],
                         ids=["unknown-command", "no-command", "bad-format", "bad-option"])
def test_usage_errors_exit_2(argv: list[str], capsys: Capsys) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2
    assert "usage:" in err


def test_python_dash_m_and_the_console_script() -> None:
    module = subprocess.run([sys.executable, "-m", "mlops_spec", "--version"],
                            capture_output=True, text=True, check=False)
    assert (module.returncode, module.stdout.strip()) == (0, f"mlops-spec {__version__}")
    script = subprocess.run([str(CLI), "validate", "example-repo"], cwd=REPO,
                            capture_output=True, text=True, check=False)
    assert script.returncode == 0, script.stdout + script.stderr
    assert script.stdout == "1 of 1 spec valid\n"


# --- validate: files, directories, exit codes ------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def monorepo(tmp_path: Path, example: str) -> Path:
    """models/a (valid .yaml), models/b (valid .yml), vendored copies that must be skipped."""
    _write(tmp_path / "models" / "a" / "mlops.yaml", example)
    _write(tmp_path / "models" / "b" / "mlops.yml",
           mutate(example, ("name: credit-risk", "name: churn")))
    _write(tmp_path / "models" / "b" / "notes.yaml", "not: a spec\n")
    for skipped in (".git", "node_modules/pkg", ".venv/lib", "__pycache__"):
        _write(tmp_path / skipped / "mlops.yaml", "broken: [\n")
    return tmp_path


def test_directory_finds_nested_specs_and_skips_vendored_ones(monorepo: Path,
                                                              capsys: Capsys) -> None:
    code, out, err = run(["validate", "--format", "json", str(monorepo)], capsys)
    assert code == 0, out + err
    files = [row["file"] for row in json.loads(out)["files"]]
    assert files == [str(monorepo / "models" / "a" / "mlops.yaml"),
                     str(monorepo / "models" / "b" / "mlops.yml")]


def test_default_path_is_the_current_directory(monorepo: Path, capsys: Capsys,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(monorepo)
    code, out, _ = run(["validate"], capsys)
    assert (code, out) == (0, "2 of 2 specs valid\n")


def test_mix_of_valid_and_invalid_exits_1(monorepo: Path, example: str,
                                          capsys: Capsys) -> None:
    _write(monorepo / "models" / "c" / "mlops.yaml", mutate(example, ("format: csv",
                                                                      "format: xls")))
    code, out, err = run(["validate", str(monorepo)], capsys)
    assert code == 1
    assert "models/c/mlops.yaml:21:15: error[S003]" in out
    assert err == "2 of 3 specs valid, 1 error\n"


def test_unreadable_input_wins_over_findings(monorepo: Path, example: str,
                                             capsys: Capsys) -> None:
    _write(monorepo / "models" / "c" / "mlops.yaml", mutate(example, ("format: csv",
                                                                      "format: xls")))
    _write(monorepo / "models" / "d" / "mlops.yaml", "a: [\n")
    code, _, _ = run(["validate", str(monorepo)], capsys)
    assert code == 2


def test_directory_without_specs_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    _write(tmp_path / "README.md", "hello\n")
    code, out, _ = run(["validate", str(tmp_path)], capsys)
    assert code == 2
    assert f"{tmp_path}: error[L001]: no mlops.yaml found in this directory" in out


def test_missing_file_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    code, out, _ = run(["validate", str(tmp_path / "nope.yaml")], capsys)
    assert code == 2
    assert "nope.yaml: error[L001]" in out


def test_several_paths_in_order(monorepo: Path, tmp_path: Path, capsys: Capsys) -> None:
    a = monorepo / "models" / "a" / "mlops.yaml"
    b = monorepo / "models" / "b" / "mlops.yml"
    code, out, _ = run(["validate", "--format", "json", str(b), str(a)], capsys)
    assert code == 0
    assert [row["file"] for row in json.loads(out)["files"]] == [str(b), str(a)]


def test_quiet_drops_the_summary(tmp_path: Path, example: str, capsys: Capsys) -> None:
    path = _write(tmp_path / "mlops.yaml", example)
    assert run(["validate", "-q", str(path)], capsys) == (0, "", "")
    path.write_text(mutate(example, ("format: csv", "format: xls")), encoding="utf-8")
    code, out, err = run(["validate", "--quiet", str(path)], capsys)
    assert code == 1 and "error[S003]" in out and err == ""


def test_summary_counts_warnings(tmp_path: Path, example: str, capsys: Capsys) -> None:
    path = _write(tmp_path / "mlops.yaml", mutate(example, ("agent_label: linux",
                                                            "agent_label: on")))
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 0
    assert out.endswith("1 of 1 spec valid, 1 warning\n")


# --- output formats ---------------------------------------------------------------------------


def test_json_output_schema(monorepo: Path, example: str, capsys: Capsys) -> None:
    bad = _write(monorepo / "models" / "c" / "mlops.yaml",
                 mutate(example, ("format: csv", "format: cvs"), ("agent_label: linux",
                                                                  "agent_label: on")))
    code, out, err = run(["validate", "--format", "json", str(monorepo)], capsys)
    assert code == 1
    assert err == ""
    payload = json.loads(out)
    assert set(payload) == {"files", "diagnostics"}
    for row in payload["files"]:
        assert set(row) == {"file", "valid", "errors", "warnings"}
    assert payload["files"][2] == {"file": str(bad), "valid": False, "errors": 1,
                                   "warnings": 1}
    assert [row["valid"] for row in payload["files"]] == [True, True, False]
    for row in payload["diagnostics"]:
        assert set(row) == {"file", "line", "column", "severity", "code", "message", "hint",
                            "path"}
    first = payload["diagnostics"][0]
    assert (first["file"], first["line"], first["column"], first["code"]) == (
        str(bad), 21, 15, "S003")
    assert first["hint"] == "did you mean 'csv'?"
    assert first["path"] == "data.sources[0].format"


@pytest.mark.parametrize(("fmt", "start"), [("github", "::error file="), ("markdown", "| |"),
                                            ("text", "")])
def test_other_formats_on_the_command_line(fmt: str, start: str, tmp_path: Path,
                                           example: str, capsys: Capsys) -> None:
    path = _write(tmp_path / "mlops.yaml", mutate(example, ("format: csv", "format: xls")))
    code, out, _ = run(["validate", "--format", fmt, str(path)], capsys)
    assert code == 1
    assert out.startswith(start)
    assert "S003" in out


# --- schema ------------------------------------------------------------------------------------


def test_schema_prints_the_committed_schema(capsys: Capsys) -> None:
    code, out, _ = run(["schema"], capsys)
    assert code == 0
    committed = (REPO / "schemas" / "mlops.schema.json").read_text(encoding="utf-8")
    assert json.loads(out) == json.loads(committed)


def test_schema_reference_prints_the_committed_reference(capsys: Capsys) -> None:
    code, out, _ = run(["schema", "--reference"], capsys)
    assert code == 0
    assert out == (REPO / "docs" / "reference.md").read_text(encoding="utf-8")


# --- failures of our own ----------------------------------------------------------------------


def test_internal_errors_are_reported_without_a_traceback(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, example: str, capsys: Capsys) -> None:
    import mlops_spec.commands.validate as command

    def explode(items: list[object], output_format: str) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(command, "report", explode)
    monkeypatch.delenv("MLOPS_SPEC_DEBUG", raising=False)
    code, _, err = run(["validate", str(tmp_path)], capsys)
    assert code == 3
    assert "internal error: RuntimeError: boom" in err
    assert "Traceback" not in err


def test_a_large_monorepo_is_validated_on_every_core_with_the_same_output(
        tmp_path: Path, example: str, capsys: Capsys) -> None:
    import json

    from mlops_spec.parallel import PARALLEL_MIN_ITEMS as PARALLEL_MIN_SPECS

    count = PARALLEL_MIN_SPECS + 5
    for i in range(count):
        text = example.replace("name: credit-risk", f"name: model-{i:03d}")
        if i == 7:
            text = text.replace("estimator:", "estimater:")
        (tmp_path / f"m{i:03d}").mkdir()
        (tmp_path / f"m{i:03d}" / "mlops.yaml").write_text(text, encoding="utf-8")
    code, out, err = run(["validate", str(tmp_path)], capsys)
    assert code == 1
    assert "m007/mlops.yaml" in out and "did you mean 'estimator'?" in out
    assert f"{count - 1} of {count} specs valid" in err
    code, out, _ = run(["validate", str(tmp_path), "--format", "json"], capsys)
    payload = json.loads(out)
    assert [f["file"].split("/")[-2] for f in payload["files"]] == [
        f"m{i:03d}" for i in range(count)]
    assert [f["valid"] for f in payload["files"]].count(False) == 1
