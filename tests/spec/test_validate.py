"""The validation pipeline: results, exit codes, discovery and side effects."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from helpers import mutate

from mlops_spec.spec.validate import Result, discover, validate_file, validate_text


def test_text_and_file_give_the_same_result(tmp_path: Path, example: str) -> None:
    text = mutate(example, ("format: csv", "format: parket"), ("agent_label: linux",
                                                                "agent_label: on"))
    path = tmp_path / "mlops.yaml"
    path.write_text(text, encoding="utf-8")
    from_file = validate_file(path, "shown.yaml")
    from_text = validate_text("shown.yaml", text)
    assert from_file.diagnostics == from_text.diagnostics
    assert [d.code for d in from_file.diagnostics] == ["S003", "L013"]
    assert from_file.file == "shown.yaml"


@pytest.mark.parametrize(("result", "ok", "code"), [
    (Result(file="f"), False, 1),  # no spec: never ok
    (Result(file="f", unreadable=True), False, 2),
])
def test_result_exit_codes(result: Result, ok: bool, code: int) -> None:
    assert (result.ok, result.exit_code) == (ok, code)


def test_valid_spec_result(example: str) -> None:
    result = validate_text("mlops.yaml", example)
    assert result.ok and result.exit_code == 0
    assert result.spec is not None and result.spec.name == "credit-risk"
    assert result.spec.production.name == "production"
    assert result.document is not None and result.document.file == "mlops.yaml"


@pytest.mark.parametrize("enabled", [True, False], ids=["gc-on", "gc-off"])
def test_the_garbage_collector_is_left_as_it_was(enabled: bool, tmp_path: Path,
                                                 example: str) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        (tmp_path / "bad.yaml").write_text("a: [\n", encoding="utf-8")
        validate_text("a.yaml", example)
        validate_file(tmp_path / "bad.yaml")
        validate_file(tmp_path / "missing.yaml")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_discover_order_and_skips(tmp_path: Path) -> None:
    for rel in ("b/mlops.yaml", "a/mlops.yml", "a/z/mlops.yaml", "node_modules/x/mlops.yaml",
                ".git/mlops.yaml", "venv/mlops.yaml", "c/other.yaml", "mlops.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("a: 1\n", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["mlops.yaml", "a/mlops.yml", "a/z/mlops.yaml", "b/mlops.yaml"]
