"""The composite action `action.yml`: valid for GitHub, audited, and its scripts pass spec
values as arguments, never as shell code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import require_tool
from helpers import REPO

from mlops_spec.render.pins import PINS

ACTION = REPO / "action.yml"


def _steps() -> dict[str, dict[str, Any]]:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return {step["name"]: step for step in action["runs"]["steps"]}


def _run_step(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    script = _steps()["Run mlops-spec"]["run"]
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(["bash", "-e", "-c", script], env={**os.environ, **env, "PATH": path},
                          cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_setup_python_is_pinned_like_the_generated_workflows() -> None:
    pin = PINS["actions/setup-python"]
    assert _steps()["Set up Python"]["uses"] == f"{pin.action}@{pin.sha}"


def test_arguments_reach_the_command_one_per_line(tmp_path: Path) -> None:
    spec = REPO / "example-repo" / "mlops.yaml"
    done = _run_step({"COMMAND": "validate", "ARGS": f"{spec}\n--format\njson\n"}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"][0]["valid"] is True


def test_hostile_arguments_stay_arguments(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    done = _run_step({"COMMAND": "validate", "ARGS": f"$(touch {marker})\n; touch {marker}"},
                     tmp_path)
    assert done.returncode == 2  # two unreadable paths, reported as such
    assert not marker.exists()


@pytest.mark.parametrize("command", ["", "--version", "validate; id", "../x"])
def test_a_command_that_is_not_a_subcommand_name_is_refused(command: str,
                                                            tmp_path: Path) -> None:
    done = _run_step({"COMMAND": command, "ARGS": ""}, tmp_path)
    assert done.returncode == 2
    assert "::error::command must be an mlops-spec subcommand name" in done.stdout


@pytest.mark.slow
def test_action_passes_the_github_action_schema_zizmor_and_shellcheck(tmp_path: Path) -> None:
    check = require_tool("check-jsonschema")
    done = subprocess.run([check, "--builtin-schema", "vendor.github-actions", str(ACTION)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    zizmor = require_tool("zizmor")
    done = subprocess.run([zizmor, "--offline", str(ACTION)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    shellcheck = require_tool("shellcheck")
    for name, step in _steps().items():
        if "run" in step:
            script = tmp_path / "step.sh"
            script.write_text("#!/usr/bin/env bash\n" + step["run"], encoding="utf-8")
            done = subprocess.run([shellcheck, str(script)], capture_output=True, text=True,
                                  check=False)
            assert done.returncode == 0, f"{name}: {done.stdout}"
