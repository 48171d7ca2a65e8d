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


INSTALL_INPUTS = {"REQUIREMENT": "", "EXTRAS": "", "RUNTIME_PIN": ""}


def _install(tmp_path: Path, **given: str) -> tuple[subprocess.CompletedProcess[str],
                                                      list[list[str]]]:
    """Run the install step with a `python` that records each argument list it gets."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir(parents=True, exist_ok=True)
    calls.mkdir(exist_ok=True)
    fake = bin_dir / "python"
    fake.write_text('#!/usr/bin/env bash\nn=$(ls "$CALLS" | wc -l)\n'
                    'printf \'%s\\n\' "$@" > "$CALLS/$n"\n', encoding="utf-8")
    fake.chmod(0o755)
    env = {**os.environ, **INSTALL_INPUTS, **given, "CALLS": str(calls),
           "ACTION_PATH": given.get("ACTION_PATH", "/actions/acme/mlops-spec/0123abc"),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-e", "-c", _steps()["Install mlops-spec"]["run"]], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    recorded = [(calls / str(i)).read_text(encoding="utf-8").splitlines()
                for i in range(len(list(calls.iterdir())))]
    return done, recorded


PIP = ["-m", "pip", "install", "--disable-pip-version-check", "--quiet"]


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


def test_inputs_reach_its_scripts_only_through_env_and_every_input_is_used() -> None:
    """Workflows pass spec-derived values (extras, the runtime pin) as inputs: no `run:`
    line may interpolate one, where the shell would evaluate it."""
    import re

    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    used: set[str] = set()
    for name, step in _steps().items():
        assert "${{" not in step.get("run", ""), name
        for value in [*(step.get("env") or {}).values(), *(step.get("with") or {}).values(),
                      step.get("if", "")]:
            used |= set(re.findall(r"\binputs\.([a-z][a-z-]*)", str(value)))
    assert used == set(action["inputs"])


def test_without_a_command_it_only_installs() -> None:
    """How the generated workflows use it: install, then `mlops-spec` in later steps."""
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["inputs"]["command"]["required"] is False
    assert action["inputs"]["command"]["default"] == ""
    assert _steps()["Run mlops-spec"]["if"] == "inputs.command != '' || inputs.args != ''"


def test_it_installs_its_own_checkout_with_the_extras_then_the_runtime_pin(
        tmp_path: Path) -> None:
    done, calls = _install(tmp_path, EXTRAS="bot,train", RUNTIME_PIN="scikit-learn==1.5.2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert calls == [[*PIP, "/actions/acme/mlops-spec/0123abc[bot,train]"],
                     [*PIP, "scikit-learn==1.5.2"]]
    done, calls = _install(tmp_path / "plain")
    assert done.returncode == 0, done.stdout + done.stderr
    assert calls == [[*PIP, "/actions/acme/mlops-spec/0123abc"]]


def test_a_requirement_replaces_the_checkout(tmp_path: Path) -> None:
    done, calls = _install(tmp_path, REQUIREMENT="mlops-spec[drift]==0.1.0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert calls == [[*PIP, "mlops-spec[drift]==0.1.0"]]


@pytest.mark.parametrize(("given", "message"), [
    ({"EXTRAS": "train;id"}, "extras must be extra names"),
    ({"EXTRAS": "$(id)"}, "extras must be extra names"),
    ({"EXTRAS": "bot,,train"}, "extras must be extra names"),
    ({"EXTRAS": ",train"}, "extras must be extra names"),
    ({"EXTRAS": "train]"}, "extras must be extra names"),
    ({"RUNTIME_PIN": "--index-url=https://evil.example/simple"}, "not a pip option"),
    ({"REQUIREMENT": "-e."}, "not a pip option"),
    ({"REQUIREMENT": "mlops-spec==0.1.0", "EXTRAS": "train"}, "put them in requirement"),
])
def test_bad_install_inputs_are_refused_before_pip_runs(given: dict[str, str], message: str,
                                                        tmp_path: Path) -> None:
    done, calls = _install(tmp_path, **given)
    assert done.returncode == 2
    assert "::error::" in done.stdout and message in done.stdout, done.stdout
    assert calls == []


@pytest.mark.slow
def test_pip_accepts_the_checkout_with_extras_as_the_step_composes_it(tmp_path: Path) -> None:
    """The argument the step builds (`<action path>[extras]`) is one real pip resolves, with
    the extras requested (a minimal project stands in for the checkout; nothing fetched)."""
    checkout = tmp_path / "actions" / "acme" / "mlops-spec" / "0123abc"
    checkout.mkdir(parents=True)
    # An in-tree PEP 517 backend that only writes metadata: pip needs nothing else.
    (checkout / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
        encoding="utf-8")
    (checkout / "backend.py").write_text(
        "import pathlib\n"
        "def prepare_metadata_for_build_wheel(directory, config_settings=None):\n"
        "    info = pathlib.Path(directory, 'mlops_spec-0.1.0.dist-info')\n"
        "    info.mkdir()\n"
        "    (info / 'METADATA').write_text('Metadata-Version: 2.1\\nName: mlops-spec\\n'\n"
        "        'Version: 0.1.0\\nProvides-Extra: bot\\nProvides-Extra: train\\n')\n"
        "    return info.name\n", encoding="utf-8")
    done, [argv] = _install(tmp_path, EXTRAS="bot,train", ACTION_PATH=str(checkout))
    assert done.returncode == 0, done.stderr
    report = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--no-deps",
         "--no-build-isolation", "--quiet", "--report", "-", argv[-1]],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False)
    assert report.returncode == 0, report.stderr
    [installed] = json.loads(report.stdout)["install"]
    assert installed["metadata"]["name"] == "mlops-spec"
    assert installed["requested_extras"] == ["bot", "train"]


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
