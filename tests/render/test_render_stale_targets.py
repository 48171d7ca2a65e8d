"""Regressions of issue 9: files of targets that stop applying, render and --check agreeing,
and hand edits of generated files being reported when render replaces them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from conftest import cli, tree
from variants import dump, variant

MakeRepo = Callable[..., Path]
PR = ".github/workflows/mlops-credit-risk-pr.yml"


def _render(root: Path) -> str:
    run = cli("render", root / "mlops.yaml")
    assert run.code == 0, run.err
    return run.out + run.err


def _listed(root: Path) -> set[str]:
    manifest = json.loads((root / ".mlops-spec/manifest.json").read_text())
    return set(manifest["specs"]["mlops.yaml"]["files"])


def test_dropping_a_ci_provider_removes_its_files(repo: MakeRepo) -> None:
    data = variant("example")
    root = repo({"mlops.yaml": data})
    _render(root)
    assert (root / "Jenkinsfile").exists()
    data["ci"]["providers"] = ["github_actions"]
    (root / "mlops.yaml").write_text(dump(data))
    check = cli("render", root / "mlops.yaml", "--check")
    assert check.code == 1 and "--- a/Jenkinsfile" in check.out
    out = _render(root)
    assert "removed Jenkinsfile" in out and "0 removed" not in out
    assert not (root / "Jenkinsfile").exists()
    assert "Jenkinsfile" not in _listed(root)
    assert cli("render", root / "mlops.yaml", "--check").code == 0


def test_batch_to_embedded_removes_the_deploy_tree(repo: MakeRepo) -> None:
    root = repo({"mlops.yaml": variant("batch")})
    _render(root)
    # deploy/custom/ is the users' own (kustomize components for their patches): never
    # removed, even when nothing is deployed any more; every generated file goes.
    deploy = {path for path in tree(root)
              if path.startswith("deploy/") and not path.startswith("deploy/custom/")}
    assert deploy
    (root / "mlops.yaml").write_text(dump(variant("embedded")))
    assert cli("render", root / "mlops.yaml", "--check").code == 1
    out = _render(root)
    for path in deploy:
        assert f"removed {path}" in out
    left = {p.relative_to(root).as_posix() for p in (root / "deploy").rglob("*") if p.is_file()}
    assert all(path.startswith("deploy/custom/") for path in left), left
    assert not {path for path in _listed(root) if path.startswith("deploy/")}
    assert cli("render", root / "mlops.yaml", "--check").code == 0


def test_target_left_out_by_flag_keeps_its_files(repo: MakeRepo) -> None:
    root = repo({"mlops.yaml": variant("example")})
    _render(root)
    run = cli("render", root / "mlops.yaml", "--target", "github_actions")
    assert run.code == 0 and "removed" not in run.out.replace("0 removed", "")
    assert (root / "Jenkinsfile").exists() and "Jenkinsfile" in _listed(root)


def test_render_removes_what_check_calls_stale(repo: MakeRepo) -> None:
    """An unlisted file claiming the spec in its header, inside a generated directory."""
    root = repo({"mlops.yaml": variant("example")})
    _render(root)
    orphan = root / ".github/workflows/mlops-credit-risk-old.yml"
    orphan.write_text((root / PR).read_text())
    check = cli("render", root / "mlops.yaml", "--check")
    assert check.code == 1 and "mlops-credit-risk-old.yml" in check.out
    out = _render(root)
    assert "removed .github/workflows/mlops-credit-risk-old.yml" in out
    assert not orphan.exists()
    assert cli("render", root / "mlops.yaml", "--check").code == 0


def test_a_user_file_in_a_generated_directory_is_left_alone(repo: MakeRepo) -> None:
    root = repo({"mlops.yaml": variant("example")})
    _render(root)
    mine = root / ".github/workflows/lint.yml"
    mine.write_text("name: lint\n")
    assert cli("render", root / "mlops.yaml", "--check").code == 0
    _render(root)
    assert mine.read_text() == "name: lint\n"


def test_render_names_hand_edited_files_it_replaces(repo: MakeRepo) -> None:
    root = repo({"mlops.yaml": variant("example")})
    _render(root)
    edited = (root / PR).read_text().replace("timeout-minutes: 45", "timeout-minutes: 600")
    (root / PR).write_text(edited)
    run = cli("render", root / "mlops.yaml")
    assert run.code == 0
    assert f"warning: {PR} had been edited by hand; the edit was replaced" in run.err
    assert "timeout-minutes: 600" not in (root / PR).read_text()
    again = cli("render", root / "mlops.yaml")
    assert "edited by hand" not in again.err  # nothing edited any more


def test_hand_edited_file_of_a_dropped_target_is_named_when_removed(repo: MakeRepo) -> None:
    data = variant("example")
    root = repo({"mlops.yaml": data})
    _render(root)
    (root / "Jenkinsfile").write_text((root / "Jenkinsfile").read_text() + "// mine\n")
    data["ci"]["providers"] = ["github_actions"]
    (root / "mlops.yaml").write_text(dump(data))
    run = cli("render", root / "mlops.yaml")
    assert "warning: Jenkinsfile had been edited by hand; the edit was removed" in run.err


def test_an_unchanged_render_reports_no_hand_edits(repo: MakeRepo) -> None:
    root = repo({"mlops.yaml": variant("example")})
    _render(root)
    run = cli("render", root / "mlops.yaml")
    assert run.code == 0 and run.err == ""
