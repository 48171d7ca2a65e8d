"""`mlops-spec init` (a starter spec that validates and renders, never overwriting) and
`mlops-spec completion` (scripts that a real bash runs and completes with)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import cli


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_init_creates_a_spec_that_validates_and_renders(tmp_path: Path) -> None:
    model = tmp_path / "Churn Model_2"
    result = cli("init", model)
    assert result.code == 0, result.err
    spec = model / "mlops.yaml"
    assert "name: churn-model-2" in spec.read_text()
    assert spec.read_text().startswith("# yaml-language-server: $schema=.mlops-spec/")
    assert (model / ".mlops-spec" / "mlops.schema.json").is_file()
    assert "next steps" in result.out and "mlops-spec render" in result.out

    validated = cli("validate", spec)
    assert validated.code == 0, validated.out + validated.err
    rendered = cli("render", spec, "--out", model)
    assert rendered.code == 0, rendered.out + rendered.err
    assert (model / ".github" / "workflows" / "mlops-churn-model-2-pr.yml").is_file()
    assert cli("render", spec, "--out", model, "--check").code == 0


def test_second_init_refuses_and_changes_nothing(tmp_path: Path) -> None:
    assert cli("init", tmp_path, "--name", "first").code == 0
    (tmp_path / "mlops.yaml").write_text("# my edits\n" + (tmp_path / "mlops.yaml").read_text())
    before = _tree(tmp_path)
    again = cli("init", tmp_path, "--name", "second")
    assert again.code == 2
    assert "I002" in again.err and "already exists" in again.err
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("name", ["Bad_Name", "9lives", "x" * 41, "trailing-"])
def test_init_refuses_a_name_that_is_not_a_dns_label(tmp_path: Path, name: str) -> None:
    result = cli("init", tmp_path / "m", "--name", name)
    assert result.code == 2
    assert "I001" in result.err and "DNS-1123" in result.err
    assert not (tmp_path / "m").exists()


def test_init_into_a_file_path_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    result = cli("init", target, "--name", "ok")
    assert result.code == 2 and "I003" in result.err


def _complete(script: str, words: list[str]) -> list[str]:
    """What the generated bash function offers for ``words`` (the last one is completed)."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    line = " ".join(f"'{w}'" for w in words)
    probe = (f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}\n"
             "_mlops_spec; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    done = subprocess.run([bash, "--norc", "--noprofile"], input=probe, text=True,
                          capture_output=True, check=True, timeout=30)
    return done.stdout.split()


def test_bash_completion_completes_commands_and_their_options() -> None:
    result = cli("completion", "bash")
    assert result.code == 0
    script = result.out
    assert _complete(script, ["mlops-spec", "ren"]) == ["render"]
    assert _complete(script, ["mlops-spec", "render", "--ch"]) == ["--check"]
    assert "--reference" in _complete(script, ["mlops-spec", "drift", "--"])
    assert _complete(script, ["mlops-spec", "validate", "--nope"]) == []


def test_zsh_completion_wraps_the_same_function() -> None:
    result = cli("completion", "zsh")
    assert result.code == 0
    assert "bashcompinit" in result.out
    assert "complete -o filenames -F _mlops_spec mlops-spec" in result.out
