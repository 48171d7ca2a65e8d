"""The bundled example: valid, and its committed generated files are current."""

from __future__ import annotations

from pathlib import Path

from conftest import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "example-repo"


def test_example_is_valid_without_warnings() -> None:
    run = cli("validate", EXAMPLE / "mlops.yaml")
    assert run.code == 0, run.out + run.err
    assert "warning" not in run.out


def test_committed_outputs_match_a_fresh_render() -> None:
    run = cli("render", EXAMPLE / "mlops.yaml", "--out", EXAMPLE, "--check")
    assert run.code == 0, f"run `make example` and commit example-repo/\n{run.out}{run.err}"


def test_example_renders_every_target() -> None:
    generated = {p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.rglob("*") if p.is_file()}
    assert ".github/workflows/mlops-credit-risk-pr.yml" in generated
    assert ".github/workflows/mlops-credit-risk-deploy.yml" in generated
    assert "Jenkinsfile" in generated
    assert "deploy/base/inferenceservice.yaml" in generated
    assert "deploy/production/kustomization.yaml" in generated
    assert ".github/CODEOWNERS" in generated
