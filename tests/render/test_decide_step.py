"""The rendered training decision of both CIs, run for real in a git repository.

The GitHub ``decide`` step runs under bash as GitHub runs it (with ``$GITHUB_OUTPUT``), the
Jenkins *Decide whether to train* script under POSIX ``sh``; both call this checkout's
``mlops-spec``. A merged promotion (a pin and its re-rendered files) trains nothing, a
parameter change trains, and so do a manual run and an unknown previous commit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import cli
from variants import dump, variant

try:  # tests/ as a package, or on sys.path (pytest's default import mode)
    from tests import groovy_parser as gp
except ImportError:  # pragma: no cover
    import groovy_parser as gp  # type: ignore[no-redef]

SPEC = "models/credit/mlops.yaml"
WORKFLOW = ".github/workflows/mlops-credit-risk-deploy.yml"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_NOSYSTEM": "1"}
WRAPPER = '#!/bin/sh\nexec "{python}" -m mlops_spec "$@"\n'


class Repo:
    def __init__(self, root: Path, deployer: str) -> None:
        self.root = root
        self.data: dict[str, Any] = variant("example")
        self.data["ci"]["deployer"] = deployer
        root.mkdir()
        self.git("init", "-q", "-b", "main")
        # The commands the rendered steps call: this checkout's mlops-spec.
        for where in (root / "bin", root / ".venv/bin"):
            where.mkdir(parents=True)
            (where / "mlops-spec").write_text(WRAPPER.format(python=sys.executable))
            (where / "mlops-spec").chmod(0o755)
        (root / ".gitignore").write_text("/bin/\n/.venv/\n")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True,
                              check=True, env={**os.environ, **GIT_ENV})
        return done.stdout.strip()

    def commit(self) -> str:
        """Write the spec, render it as a team would, commit everything."""
        path = self.root / SPEC
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(self.data), encoding="utf-8")
        run = cli("render", "-q", path, "--out", self.root)
        assert run.code == 0, run.err
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "change")
        return self.git("rev-parse", "HEAD")

    def run(self, shell: list[str], script: str, env: dict[str, str]
            ) -> subprocess.CompletedProcess[str]:
        full = {"PATH": f"{self.root / 'bin'}{os.pathsep}{os.environ['PATH']}",
                "HOME": str(self.root), **GIT_ENV, **env}
        return subprocess.run([*shell, script], cwd=self.root, env=full, capture_output=True,
                              text=True, timeout=120, check=False)


def github_decide(repo: Repo, before: str, event: str = "push") -> dict[str, str]:
    workflow = yaml.safe_load((repo.root / WORKFLOW).read_text(encoding="utf-8"))
    [step] = [s for s in workflow["jobs"]["decide"]["steps"] if s.get("id") == "decide"]
    assert step["env"] == {"BEFORE": "${{ github.event.before }}",
                           "EVENT": "${{ github.event_name }}"}
    output = repo.root.parent / "github_output"
    output.write_text("")
    done = repo.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"], step["run"],
                    {"SPEC": workflow["env"]["SPEC"], "BEFORE": before, "EVENT": event,
                     "GITHUB_OUTPUT": str(output)})
    assert done.returncode == 0, done.stderr
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert set(values) == {"train", "reason"}
    return values


def jenkins_decide(repo: Repo, previous: str) -> bool:
    nodes = gp.parse((repo.root / "models/credit/Jenkinsfile").read_text(encoding="utf-8"))
    [pipeline] = [n for n in nodes if n.name == "pipeline"]
    [script] = [s for n in pipeline.walk() for s in n.strings() if "needs-training" in s]
    env = {"MLOPS_SPEC": SPEC, "GIT_PREVIOUS_SUCCESSFUL_COMMIT": previous}
    done = repo.run(["sh", "-e", "-c"], script, env)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode == 1  # the stage sets MLOPS_TRAINED=true on exit 1


def pin(data: dict[str, Any], version: str) -> None:
    data["deployment"]["environments"][0]["model_version"] = version


def test_github_decides_from_the_pushed_commits(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo", "github_actions")
    first = repo.commit()
    pin(repo.data, first[:12])  # a promotion: the pin and the files it re-renders
    promoted = repo.commit()
    assert repo.git("diff", "--name-only", first, promoted).count("\n") >= 1
    decided = github_decide(repo, first)
    assert decided["train"] == "false", decided["reason"]
    assert github_decide(repo, first, event="workflow_dispatch")["train"] == "true"
    assert github_decide(repo, "0" * 40)["train"] == "true"  # a new branch
    repo.data["model"]["params"]["max_iter"] = 300
    repo.commit()
    decided = github_decide(repo, promoted)
    assert decided["train"] == "true" and "model.params.max_iter" in decided["reason"]


def test_jenkins_decides_from_the_last_successful_build(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo", "jenkins")
    first = repo.commit()
    assert jenkins_decide(repo, "") is True  # no successful build yet
    pin(repo.data, first[:12])
    promoted = repo.commit()
    assert jenkins_decide(repo, first) is False
    (repo.root / "models/credit/features.py").write_text("def f(x):\n    return x\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "code")
    assert jenkins_decide(repo, promoted) is True
    assert jenkins_decide(repo, "e" * 40) is True  # not in this clone


@pytest.mark.parametrize("deployer", ["github_actions", "jenkins"])
def test_the_decision_runs_before_training(tmp_path: Path, deployer: str) -> None:
    repo = Repo(tmp_path / "repo", deployer)
    repo.commit()
    if deployer == "github_actions":
        jobs = yaml.safe_load((repo.root / WORKFLOW).read_text(encoding="utf-8"))["jobs"]
        assert next(iter(jobs)) == "decide" and jobs["train"]["needs"] == "decide"
        checkout = jobs["decide"]["steps"][0]
        assert checkout["with"]["fetch-depth"] == 0  # the previous push must be in the clone
    else:
        text = (repo.root / "models/credit/Jenkinsfile").read_text(encoding="utf-8")
        main = text[text.index("stage('Main branch')"):]
        assert main.index("needs-training") < main.index("mlops-spec train ")
        assert text.count("expression { return env.MLOPS_TRAINED == 'true' }") == 3
