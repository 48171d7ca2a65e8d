"""Where generated pipelines install mlops-spec from (ci.install), and which extras each
job installs: every rendered ``mlops-spec <command>`` maps to its extra, and the job's
install line holds exactly the union."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from variants import REPO, VARIANTS, dump, variant

from mlops_spec import __version__
from mlops_spec.render.engine import context_for, render
from mlops_spec.render.install import (
    COMMAND_EXTRAS,
    action_reference,
    monitor_extras,
    store_extras,
)
from mlops_spec.spec.sections import Install, Spec
from mlops_spec.spec.validate import validate_text

COMMIT = "0123456789abcdef0123456789abcdef01234567"
SOURCES: dict[str, tuple[dict[str, str], str]] = {
    # ci.install -> how the pip argument must start, extras left out
    "default": ({}, "mlops-spec"),
    "version": ({"version": "0.2.1"}, "mlops-spec"),
    "git": ({"git": "https://github.com/acme/mlops-spec", "commit": COMMIT}, "mlops-spec"),
    "wheel": ({"wheel": "tools/mlops_spec-0.1.0-py3-none-any.whl"},
              "./tools/mlops_spec-0.1.0-py3-none-any.whl"),
}
_COMMAND = re.compile(r"mlops-spec (?P<command>[a-z]+(-[a-z]+)*)\b")
_EXTRAS = re.compile(r"\[(?P<extras>[a-z0-9,]*)\]")


def spec_of(data: dict[str, Any]) -> Spec:
    result = validate_text("mlops.yaml", dump(data))
    assert result.ok and result.spec is not None, result.diagnostics
    return result.spec


def rendered(data: dict[str, Any]) -> dict[str, str]:
    spec = spec_of(data)
    ctx = context_for(spec, Path("/repo/mlops.yaml"), Path("/repo"))
    return {path: text for path, (text, _target) in
            render(ctx, ["github_actions", "jenkins"]).files.items()}


def expected_extras(spec: Spec, commands: list[str]) -> set[str]:
    extras = {e for c in commands for e in COMMAND_EXTRAS[c]}
    if {"upload", "fetch", "promote"} & set(commands):
        extras |= set(store_extras(spec)) | ({"mlflow"} if spec.model.registry else set())
    if {"train", "evaluate", "submit-training"} & set(commands):  # the champion, or a
        # training run fetched back: the store's backend, no registry
        extras |= set(store_extras(spec))
    if "drift" in commands:  # drift --champion: the store and the current data, no registry
        extras |= set(monitor_extras(spec))
    return extras


def extras_of(requirement: str) -> set[str]:
    match = _EXTRAS.search(requirement)
    return set(match["extras"].split(",")) - {""} if match else set()


@dataclass(frozen=True)
class Installed:
    """How one job installs mlops-spec: a pip argument, or the composite action's ``uses:``
    reference with the extras it is given."""

    source: str
    extras: frozenset[str]
    action: bool = False


def _pip(requirement: str) -> Installed:
    return Installed(requirement, frozenset(extras_of(requirement)))


ACTION_INPUTS = set(yaml.safe_load((REPO / "action.yml").read_text())["inputs"])


def _install_of(step: dict[str, Any]) -> Installed | None:
    if 'pip install "$MLOPS_SPEC_REQUIREMENT"' in step.get("run", ""):
        return _pip(step["env"]["MLOPS_SPEC_REQUIREMENT"])
    uses = step.get("uses", "")
    if uses.split("@")[0].endswith("/mlops-spec"):
        given = step.get("with") or {}
        assert set(given) <= ACTION_INPUTS, f"{uses}: inputs {set(given) - ACTION_INPUTS}"
        assert "command" not in given and "requirement" not in given, given
        extras = frozenset(filter(None, given.get("extras", "").split(",")))
        return Installed(uses, extras, action=True)
    return None


def github_jobs(text: str) -> list[tuple[str, list[str], Installed]]:
    """(job id, mlops-spec commands its steps run, how it installs) per installing job."""
    jobs = []
    for job_id, job in yaml.safe_load(text)["jobs"].items():
        installed = None
        commands: list[str] = []
        for step in job["steps"]:
            found = _install_of(step)
            if found is not None:
                assert installed is None, f"{job_id} installs mlops-spec twice"
                installed = found
            else:
                commands += [m["command"] for m in _COMMAND.finditer(step.get("run", ""))]
        if installed is not None:
            jobs.append((job_id, commands, installed))
        else:
            assert not commands, f"{job_id} runs {commands} without installing mlops-spec"
    return jobs


def jenkins_flows(text: str) -> list[tuple[str, list[str], Installed]]:
    """(variable, commands run until the next install, how) per install line."""
    values = dict(re.findall(r"^\s+(MLOPS_SPEC_\w+_REQUIREMENT) = '([^']*)'$", text, re.M))
    installs = list(re.finditer(r'pip install --isolated --quiet "\$(MLOPS_SPEC_\w+_REQUIREMENT)"',
                                text))  # (the runtime pin is a second install: not a flow)
    assert installs and {m[1] for m in installs} == set(values)
    out = []
    for i, match in enumerate(installs):
        end = installs[i + 1].start() if i + 1 < len(installs) else len(text)
        commands = [m["command"] for m in _COMMAND.finditer(text[match.end():end])]
        out.append((match[1], commands, _pip(values[match[1]])))
    return out


def installs(data: dict[str, Any]) -> list[tuple[str, str, list[str], Installed]]:
    """(file, job, commands, how) for every installing job of both CI targets."""
    out = []
    for path, text in rendered(data).items():
        jobs = jenkins_flows(text) if path.endswith("Jenkinsfile") else github_jobs(text)
        out += [(path, job, commands, installed) for job, commands, installed in jobs]
    return out


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_job_installs_exactly_the_extras_of_its_commands(name: str) -> None:
    data = variant(name)
    data["ci"]["providers"] = ["github_actions", "jenkins"]
    spec = spec_of(data)
    for path, job, commands, installed in installs(data):
        assert commands, f"{path}:{job} installs mlops-spec and runs nothing"
        assert installed.extras == expected_extras(spec, commands), (
            f"{path}:{job} runs {commands} and installs {installed}")


def test_monitoring_installs_the_drift_extra() -> None:
    [monitor] = [t for p, t in rendered(variant("example")).items() if p.endswith("monitor.yml")]
    [(_job, commands, installed)] = [j for j in github_jobs(monitor) if j[0] == "monitor"]
    assert "drift" in commands and "drift" in installed.extras, installed


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_both_targets_install_from_the_configured_source(source: str) -> None:
    install, start = SOURCES[source]
    data = variant("example")
    data["ci"]["providers"] = ["github_actions", "jenkins"]
    if install:
        data["ci"]["install"] = install
    found = installs(data)
    assert len(found) >= 8
    assert {path.endswith("Jenkinsfile") for path, *_ in found} == {True, False}
    for path, _job, _commands, installed in found:
        if source == "git" and not path.endswith("Jenkinsfile"):
            # A github.com commit: the repository's composite action at that commit.
            assert installed.action and installed.source == f"acme/mlops-spec@{COMMIT}"
            continue
        assert not installed.action, (path, installed)
        requirement = installed.source
        # A job whose commands need no extra (the training decision) installs the bare name.
        close = "]" if extras_of(requirement) else ""
        assert requirement.startswith(start + ("[" if close else "")), requirement
        if source == "git":
            assert requirement.endswith(f" @ git+https://github.com/acme/mlops-spec@{COMMIT}")
        elif source == "version":
            assert requirement.endswith(f"{close}==0.2.1")
        elif source == "default":
            assert requirement.endswith(f"{close}=={__version__}")
        else:
            assert requirement.endswith(close or ".whl"), requirement


@pytest.mark.parametrize(("url", "reference"), [
    ("https://github.com/acme/mlops-spec", "acme/mlops-spec"),
    ("https://github.com/acme/mlops-spec.git", "acme/mlops-spec"),
    ("https://github.com/my-org/mlops.spec_fork", "my-org/mlops.spec_fork"),
    ("https://gitlab.com/acme/mlops-spec", None),  # `uses:` resolves on github.com only
    ("https://github.example.com/acme/mlops-spec", None),
    ("https://github.com:443/acme/mlops-spec", None),
    ("https://github.com/acme/group/mlops-spec", None),  # not owner/repo
    ("https://github.com/acme", None),
    ("https://github.com/-acme/mlops-spec", None),
    ("https://github.com/acme/..", None),
])
def test_only_a_github_com_commit_becomes_the_action(url: str, reference: str | None) -> None:
    install = Install(git=url, commit=COMMIT)
    expected = None if reference is None else f"{reference}@{COMMIT}"
    assert action_reference(install) == expected
    for other in (Install(version="0.1.0"),
                  Install(wheel="tools/mlops_spec-0.1.0-py3-none-any.whl")):
        assert action_reference(other) is None
    if reference is None and validate_url(url):
        data = variant("example")
        data["ci"]["install"] = {"git": url, "commit": COMMIT}
        for path, _job, _commands, installed in installs(data):
            assert not installed.action, path  # pip, from the git URL
            assert installed.source.endswith(f" @ git+{url}@{COMMIT}")


def validate_url(url: str) -> bool:
    data = variant("example")
    data["ci"]["install"] = {"git": url, "commit": COMMIT}
    return validate_text("mlops.yaml", dump(data)).ok


@pytest.mark.parametrize(("install", "needle"), [
    ({"git": "https://github.com/acme/mlops-spec", "commit": "main"}, "commit"),
    ({"git": "https://github.com/acme/mlops-spec", "commit": COMMIT[:12]}, "commit"),
    ({"git": "https://github.com/acme/mlops-spec"}, "git and commit go together"),
    ({"commit": COMMIT}, "git and commit go together"),
    ({"git": "http://github.com/acme/mlops-spec", "commit": COMMIT}, "git"),
    ({"git": "https://user@github.com/acme/mlops-spec", "commit": COMMIT}, "git"),
    ({"wheel": "../mlops_spec-0.1.0-py3-none-any.whl"}, "wheel"),
    ({"wheel": "/tmp/mlops_spec-0.1.0-py3-none-any.whl"}, "wheel"),
    ({"wheel": "tools/mlops_spec-0.1.0.tar.gz"}, "wheel"),
    ({"wheel": "tools/other-0.1.0-py3-none-any.whl"}, "wheel"),
    ({"wheel": "tools/$(id)/mlops_spec-0.1.0-py3-none-any.whl"}, "wheel"),
    ({"version": "latest"}, "version"),
    ({"version": "0.1.0", "wheel": "mlops_spec-0.1.0-py3-none-any.whl"}, "exactly one"),
    ({}, "exactly one"),
])
def test_bad_install_sources_are_refused(install: dict[str, str], needle: str) -> None:
    data = variant("example")
    data["ci"]["install"] = install
    result = validate_text("mlops.yaml", dump(data))
    assert not result.ok
    [finding] = [d for d in result.diagnostics if d.severity == "error"]
    assert finding.line is not None
    assert needle in finding.message or needle in ".".join(map(str, finding.path or ())), (
        finding)


def test_project_release_workflow_builds_and_publishes_with_pinned_actions() -> None:
    from mlops_spec.render.pins import PINS

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    assert workflow[True] == {"push": {"tags": ["v*"]}}  # PyYAML reads `on` as true
    assert workflow["permissions"] == {}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    for job in (build, publish):
        for step in job["steps"]:
            if "uses" in step:
                action = step["uses"].split("@")[0]
                assert step["uses"] == str(PINS[action].uses()).split(" #")[0], step
    runs = [s.get("run", "") for s in (*build["steps"], *publish["steps"])]
    assert "uv build --out-dir dist" in runs  # wheel and sdist
    assert "uv publish --trusted-publishing always dist/*" in runs


def test_version_and_git_requirements_are_valid_pep_508() -> None:
    from packaging.requirements import Requirement

    from mlops_spec.render.install import requirement
    from mlops_spec.spec.sections import Install

    pinned = Requirement(requirement(Install(version="0.1.0"), ["drift", "train"]))
    assert (pinned.name, pinned.extras, str(pinned.specifier)) == (
        "mlops-spec", {"drift", "train"}, "==0.1.0")
    git = Requirement(requirement(Install(git="https://github.com/acme/mlops-spec",
                                          commit=COMMIT), ["bot"]))
    assert (git.name, git.extras) == ("mlops-spec", {"bot"})
    assert git.url == f"git+https://github.com/acme/mlops-spec@{COMMIT}"


@pytest.mark.slow
def test_pip_installs_the_rendered_wheel_argument(tmp_path: Path) -> None:
    """The wheel form, as rendered, is an argument real pip accepts (a minimal wheel built
    here stands in for a committed mlops-spec wheel; nothing is fetched)."""
    import base64
    import hashlib
    import json
    import subprocess
    import sys
    import zipfile

    from mlops_spec.render.install import requirement
    from mlops_spec.spec.sections import Install

    wheel = tmp_path / "tools" / "mlops_spec-0.1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    info = "mlops_spec-0.1.0.dist-info"
    files = {
        "mlops_spec_stub.py": "",
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: mlops-spec\nVersion: 0.1.0\n"
                            "Provides-Extra: train\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
    }
    record = []
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
            digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest())
            record.append(f"{name},sha256={digest.decode().rstrip('=')},{len(text)}")
        archive.writestr(f"{info}/RECORD", "\n".join([*record, f"{info}/RECORD,,"]) + "\n")
    argument = requirement(Install(wheel="tools/mlops_spec-0.1.0-py3-none-any.whl"), ["train"])
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--quiet",
         "--report", "-", "--target", str(tmp_path / "target"), argument],
        capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    [installed] = json.loads(done.stdout)["install"]
    assert installed["metadata"]["name"] == "mlops-spec"
    assert installed["requested_extras"] == ["train"]


def test_the_extras_table_covers_what_each_command_requires() -> None:
    """Every ``require(module, EXTRA, ...)`` in a command's code (its module and the
    packages it imports) names an extra the table gives that command."""
    packages = {"drift": ["mlops_spec/drift", "mlops_spec/data"]}
    call = re.compile(r"require\(\s*[^,]+,\s*\"(?P<extra>[a-z0-9]+)\"")
    for command, extras in COMMAND_EXTRAS.items():
        module = REPO / "mlops_spec" / "commands" / f"{command}.py"
        if not module.is_file():
            continue  # a command another issue adds; the table already names its extras
        sources = [module] + [p for d in packages.get(command, [])
                              for p in sorted((REPO / d).rglob("*.py"))]
        required = {m["extra"] for path in sources for m in call.finditer(path.read_text())}
        assert required <= set(extras), (command, required, extras)
    assert COMMAND_EXTRAS["drift"] == ("drift",)
