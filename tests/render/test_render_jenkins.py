"""The Jenkins target: structure, schedules, approvals, injection safety and npm-groovy-lint.

Every structural check parses the generated Jenkinsfile with ``groovy_parser`` (a real
tokenizer and block parser for the declarative subset) instead of matching raw text.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops_spec.render import engine
from mlops_spec.render.escaping import UnsafeValue, groovy, groovy_lines
from mlops_spec.render.outputs import RenderContext
from mlops_spec.render.targets import TARGETS, jenkins
from mlops_spec.spec.loader import load_text
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.validate import validate_text

try:  # tests/ as a package, or on sys.path (pytest's default import mode)
    from tests import groovy_parser as gp
except ImportError:  # pragma: no cover
    import groovy_parser as gp  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example-repo" / "mlops.yaml"
GROOVY_LINT = ROOT / ".tools" / "node_modules" / ".bin" / "npm-groovy-lint"
SPEC_PATH = "models/credit-risk/mlops.yaml"

# --- specs ------------------------------------------------------------------------------------


def example_data() -> dict[str, Any]:
    # The project's loader: YAML 1.2 keys (``on`` stays a string, unlike PyYAML's 1.1).
    data: dict[str, Any] = load_text("mlops.yaml", EXAMPLE.read_text(encoding="utf-8")).data
    return copy.deepcopy(data)


DEPLOY_SCRIPT = ('kubectl apply -k "$dir" -n "$ns" --server-side --prune '
                 '--applyset="$MLOPS_APPLYSET"')
VERSION_SCRIPT = 'echo "MODEL_VERSION=$MODEL_VERSION" > "$dir/model-version.env"'
"""Pins the overlay to the model trained at this commit, before it is applied."""


def spec_of(data: dict[str, Any]) -> Spec:
    # Only the Jenkinsfile is under test here. Without github_actions among the providers,
    # rule M040 (GitHub's per-environment kubeconfig secrets) does not apply, so variants
    # can exercise the Jenkins fallbacks (KUBECONFIG, the agent's own credentials).
    data["ci"]["providers"] = ["jenkins"]
    # Push delivery: the pipeline applies the overlays (Argo CD delivery applies nothing;
    # tests/render/test_delivery_owner.py covers it), but in variants that configure Argo
    # CD (its Promote stage opens the promotion pull requests).
    delivery = data["deployment"].get("delivery") or {}
    if data["deployment"].get("platform") and "argocd" not in delivery:
        data["deployment"]["delivery"] = {"mode": "push"}
    result = validate_text("mlops.yaml", yaml.safe_dump(data, sort_keys=False))
    errors = [f"{d.code} {d.message}" for d in result.diagnostics if d.is_error]
    assert result.ok and result.spec is not None, errors
    return result.spec


def _kserve_rolling_pod(d: dict[str, Any]) -> None:
    d["deployment"]["strategy"] = {"type": "rolling"}
    d["ci"]["jenkins"] = {"kubernetes_pod": True}
    d["retrain"] = {"on": ["drift"]}


def _kubernetes(strategy: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        d["deployment"]["platform"] = "kubernetes"
        d["deployment"]["strategy"] = strategy
    return mutate


def _batch(d: dict[str, Any]) -> None:
    d["deployment"].update(mode="batch", platform="kubernetes", strategy={"type": "rolling"},
                           batch={"schedule": "0 2 * * *", "input": "s3://acme-ml/in/",
                                  "output": "s3://acme-ml/out/", "parallelism": 4},
                           image="ghcr.io/acme/credit-risk-scorer:2.3.1")
    d["deployment"].pop("autoscaling")
    d["monitoring"].pop("current_data")  # monitoring with nothing to compare: not scheduled
    d["retrain"] = {"on": ["drift"]}
    d["ci"]["jenkins"] = {"kubernetes_pod": True}


def _embedded(d: dict[str, Any]) -> None:
    d["deployment"] = {"mode": "embedded",
                       "environments": [{"name": "production", "namespace": "ml-prod",
                                         "approvers": ["sme"]}]}
    d["model"]["artifact"] = {"format": "joblib"}
    d.pop("monitoring")
    d.pop("retrain")
    d["governance"]["checklist"] = [c for c in d["governance"]["checklist"]
                                    if c != "monitoring-configured"]


def _three_environments(d: dict[str, Any]) -> None:
    d["risk_tier"] = "low"
    d["deployment"]["environments"] = [
        {"name": "dev", "namespace": "ml-dev", "auto_deploy": True},
        {"name": "staging", "namespace": "ml-staging", "approvers": ["data_scientist"]},
        {"name": "production", "namespace": "ml-prod"},
    ]
    d["ci"]["secrets"] = ["KUBECONFIG", "KUBECONFIG_STAGING", "DATA_READER", "GITHUB_TOKEN"]
    d["monitoring"]["schedule"] = "*/15 * * * *"
    d["retrain"]["schedule"] = "30 2 1,15 * mon-fri"


def _kubernetes_training(d: dict[str, Any]) -> None:
    d["training"] = {"runner": "command", "command": ["python", "train.py"],
                     "platform": "kubernetes", "image": "ghcr.io/acme/train:1.4.0",
                     "resources": {"cpu": "4", "memory": "8Gi"}, "timeout_minutes": 120}
    d["ci"].update(python="3.13", secrets=[], jenkins={"kubernetes_pod": True})
    d["retrain"]["schedule"] = "0,20,40 8-18 * jan-jun *"


def _argocd(d: dict[str, Any]) -> None:
    """Argo CD delivers; Jenkins deploys, so its Promote stage opens the pull requests."""
    d["deployment"]["delivery"]["argocd"] = {"project": "credit-risk"}


VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "example": lambda d: None,
    "kserve-rolling-pod": _kserve_rolling_pod,
    "kubernetes-rolling": _kubernetes({"type": "rolling"}),
    "kubernetes-canary": _kubernetes({"type": "canary", "steps": [{"weight": 20, "pause": "5m"}]}),
    "kubernetes-blue-green": _kubernetes({"type": "blue_green"}),
    "kubernetes-shadow": _kubernetes({"type": "shadow", "mirror_percent": 50,
                                      "traffic_router": "istio"}),
    "batch": _batch,
    "embedded": _embedded,
    "three-environments": _three_environments,
    "kubernetes-training": _kubernetes_training,
    "argocd": _argocd,
}


def variant(name: str) -> Spec:
    data = example_data()
    VARIANTS[name](data)
    return spec_of(data)


def render_text(spec: Spec, spec_path: str = SPEC_PATH) -> str:
    ctx = RenderContext(spec=spec, spec_path=spec_path,
                        model_dir=spec_path.rpartition("/")[0] or ".")
    plan = engine.render(ctx, ["jenkins"])
    (path, (text, target)), = plan.files.items()
    assert path == ctx.in_model_dir("Jenkinsfile") and target == "jenkins"
    return text


def pipeline_of(text: str) -> gp.Node:
    nodes = gp.parse(text)
    pipelines = [node for node in nodes if node.name == "pipeline"]
    assert len(pipelines) == 1
    return pipelines[0]


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def rendered(request: pytest.FixtureRequest) -> tuple[Spec, str, gp.Node]:
    spec = variant(request.param)
    text = render_text(spec)
    return spec, text, pipeline_of(text)


# --- helpers over the parsed structure ------------------------------------------------------


def top_stages(pipeline: gp.Node) -> list[gp.Node]:
    return pipeline.child("stages").children("stage")


def all_stages(pipeline: gp.Node) -> Iterator[tuple[gp.Node | None, gp.Node]]:
    """(parent group or None, stage) for every stage, in file order."""
    for stage in top_stages(pipeline):
        yield None, stage
        if stage.has("stages"):
            for nested in stage.child("stages").children("stage"):
                yield stage, nested


def stage_named(pipeline: gp.Node, title: str) -> tuple[gp.Node | None, gp.Node]:
    found = [(parent, stage) for parent, stage in all_stages(pipeline) if stage.string() == title]
    assert len(found) == 1, f"{len(found)} stages named {title!r}"
    return found[0]


def when_words(stage: gp.Node) -> list[str]:
    """The ``when`` block as a flat list of words (conditions and their arguments)."""
    words = []
    for node in stage.child("when").walk():
        words += [node.name, *node.words()]
    return words


def timeout_minutes(node: gp.Node) -> int:
    kwargs = node.kwargs()
    assert kwargs["unit"].value == "MINUTES"
    return int(kwargs["time"].value)


# --- the target -----------------------------------------------------------------------------


def test_registered_and_applies_only_with_jenkins() -> None:
    assert TARGETS["jenkins"][0] == "mlops_spec.render.targets.jenkins"
    data = example_data()
    assert jenkins.applies(spec_of(data))
    data["ci"]["providers"] = ["github_actions"]
    result = validate_text("mlops.yaml", yaml.safe_dump(data, sort_keys=False))
    assert result.ok and result.spec is not None
    assert not jenkins.applies(result.spec)
    assert "jenkins" not in engine.default_targets(result.spec)


def test_output_path_header_and_determinism() -> None:
    spec = variant("example")
    ctx = RenderContext(spec=spec, spec_path=SPEC_PATH, model_dir="models/credit-risk")
    first = engine.render(ctx, ["jenkins"]).files
    assert list(first) == ["models/credit-risk/Jenkinsfile"]
    text = first["models/credit-risk/Jenkinsfile"][0]
    assert text.startswith(f"// Generated by mlops-spec from {SPEC_PATH}. Do not edit")
    assert engine.render(ctx, ["jenkins"]).files == first
    root_ctx = RenderContext(spec=spec, spec_path="mlops.yaml", model_dir=".")
    assert list(engine.render(root_ctx, ["jenkins"]).files) == ["Jenkinsfile"]


def test_render_command_then_check(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "models" / "credit-risk").mkdir(parents=True)
    (repo / ".git").mkdir()
    shutil.copy(EXAMPLE, repo / SPEC_PATH)
    command = [sys.executable, "-m", "mlops_spec", "render", str(repo / SPEC_PATH),
               "--target", "jenkins"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (repo / "models/credit-risk/Jenkinsfile").is_file()
    check = subprocess.run([*command, "--check"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_pipeline_sections(rendered: tuple[Spec, str, gp.Node]) -> None:
    spec, _text, pipeline = rendered
    assert pipeline.child("agent").words() == ["none"], "each stage allocates its own agent"
    options = pipeline.child("options")
    for name in ("timeout", "buildDiscarder", "disableConcurrentBuilds", "timestamps"):
        assert options.has(name), name
    choice = pipeline.child("parameters").child("choice").kwargs()
    assert choice["name"].value == "MLOPS_FLOW"
    environment = {n.name: n for n in pipeline.child("environment").body}
    assert environment["MLOPS_SPEC"].string() == SPEC_PATH
    assert environment["MLOPS_PYTHON"].string() == spec.ci.python
    from mlops_spec import __version__
    requirements = {n: v for n, v in environment.items() if n.endswith("_REQUIREMENT")}
    assert {f"MLOPS_SPEC_{flow}_REQUIREMENT" for flow in ("PR", "PUBLISH", "MAIN")} <= set(
        requirements)
    for requirement in requirements.values():
        assert requirement.string().endswith(f"=={__version__}")
    post = pipeline.child("post")
    assert post.has("failure")
    # The agent of every top-level stage is its own, as a label or a pod.
    for stage in top_stages(pipeline):
        agent = stage.child("agent")
        if spec.ci.jenkins.kubernetes_pod:
            pod = agent.child("kubernetes")
            assert pod.child("yaml").words()[0] in ("pythonPod", "kubectlPod")
        else:
            assert agent.child("label").string() == spec.ci.jenkins.agent_label


def test_stage_names_are_unique(rendered: tuple[Spec, str, gp.Node]) -> None:
    names = [stage.string() for _parent, stage in all_stages(rendered[2])]
    assert len(names) == len(set(names)), names


REQUIRED = {
    "pull_request": ["validate", "render-check", "train", "evaluate", "governance", "publish"],
    "main": ["decide", "train", "evaluate", "upload", "deploy-{env}"],
}


def test_stage_table_names_every_logical_stage() -> None:
    table = {(stage.flow, stage.id) for stage in jenkins.STAGES}
    assert {(flow, i) for flow, ids in REQUIRED.items() for i in ids} <= table


def test_every_logical_stage_has_its_jenkins_stage(rendered: tuple[Spec, str, gp.Node]
                                                   ) -> None:
    spec, _text, pipeline = rendered
    ids = jenkins.stage_ids(spec)
    push = spec.deployment.platform is not None and spec.deployment.delivery.mode == "push"
    expected = [("main", f"deploy-{env.name}") for env in spec.deployment.environments
                if push]
    assert [i for i in ids if i[1].startswith("deploy-")] == expected
    assert (("main", "upload") in ids) == (spec.model.artifact.store is not None)
    # Argo CD delivery: the promotion pull requests instead of deployments.
    assert (("main", "promote") in ids) == (spec.deployment.platform is not None
                                           and not push)
    for flow, logical in ids:
        parent, stage = stage_named(pipeline, jenkins.stage_title(flow, logical))
        guard = stage if parent is None else parent
        words = when_words(guard)
        if flow == "pull_request":
            assert "changeRequest" in words
        else:
            assert words[words.index("branch") + 1] == jenkins.MAIN_BRANCH
            assert "TimerTrigger" in words and "not" in words  # timer builds never deploy
        if logical in ("publish", "promote"):
            assert parent is None, f"{logical} runs on a fresh agent, apart from PR code"
            token = stage.child("environment").child("GITHUB_TOKEN")
            assert token.words()[:2] == ["=", "credentials"]
    # Deployments run in the environments' order, after the main-branch group.
    titles = [stage.string() for stage in top_stages(pipeline)]
    deploys = [jenkins.stage_title("main", i) for f, i in ids if i.startswith("deploy-")]
    positions = [titles.index(title) for title in deploys]
    assert positions == sorted(positions)
    if deploys:
        assert positions[0] > titles.index(jenkins.GROUPS["main"])


# What a pipeline step does, recognised by the command it runs (the same in both CIs).
_COMMANDS: tuple[tuple[str, str], ...] = (
    ("decide", r"mlops-spec needs-training "),
    ("validate", r"mlops-spec validate "),
    ("render-check", r"mlops-spec render .*--check"),
    ("train", r"mlops-spec train "),
    ("governance", r"mlops-spec check "),
    ("publish", r"mlops-spec publish "),
    ("upload", r"mlops-spec upload "),
    ("promote", r"mlops-spec promotion-pr "),  # Argo CD delivery
    ("deploy", r"kubectl apply -k "),  # push delivery
)


def _logical(script: str, overlay: str | None) -> set[str]:
    found = {name for name, pattern in _COMMANDS if re.search(pattern, script)}
    if "deploy" in found:
        found.discard("deploy")
        assert overlay is not None, script
        found.add("deploy-" + overlay.rsplit("/", 1)[1])
    return found


def _github_flow(workflow: dict[str, Any]) -> set[str]:
    stages: set[str] = set()
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            if "run" in step:
                stages |= _logical(step["run"], step.get("env", {}).get("MLOPS_DEPLOY_DIR"))
    return stages


def _jenkins_flow(pipeline: gp.Node, flow: str) -> set[str]:
    """What the stages of one flow run: its group's stages, and its top-level stages."""
    group = jenkins.GROUPS[flow]  # type: ignore[index]
    own = {stage.title for stage in jenkins.STAGES if stage.flow == flow
           and "{env}" not in stage.title}
    own |= {stage.title.format(env=name) for stage in jenkins.STAGES if stage.flow == flow
            and "{env}" in stage.title
            for name in [n.string().removeprefix("Deploy ") for _p, n in all_stages(pipeline)
                         if n.string().startswith("Deploy ")]}
    stages: set[str] = set()
    for parent, stage in all_stages(pipeline):
        inside = parent is not None and parent.string() == group
        if not inside and not (parent is None and stage.string() in own):
            continue
        overlays = [n.string() for n in stage.walk() if n.name == "MLOPS_DEPLOY_DIR"]
        for node in stage.walk():
            # `sh '...'`, and `int status = sh(returnStatus: true, script: '...')`.
            if node.name == "sh" or any(t.kind == "ident" and t.value == "sh"
                                        for t in node.tokens):
                for script in node.strings():
                    stages |= _logical(script, overlays[0] if overlays else None)
    return stages


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_github_actions_stages_have_jenkins_counterparts(name: str) -> None:
    """Every step of the GitHub PR and main workflows has a Jenkins stage doing the same."""
    data = example_data()
    VARIANTS[name](data)
    spec = spec_of(data)
    ctx = RenderContext(spec=spec, spec_path=SPEC_PATH, model_dir=".")
    pipeline = pipeline_of(engine.render(ctx, ["jenkins"]).files["Jenkinsfile"][0])
    # The same spec with GitHub Actions as the deployer (only one provider deploys).
    github = spec.model_copy(update={"ci": spec.ci.model_copy(
        update={"deployer": "github_actions"})})
    plan = engine.render(RenderContext(spec=github, spec_path=SPEC_PATH, model_dir="."),
                         ["github_actions"])
    workflows = {path.rsplit("-", 1)[1].removesuffix(".yml"): yaml.safe_load(text)
                 for path, (text, target) in plan.files.items() if target == "github_actions"}
    pull_request = _github_flow(workflows["pr"])
    assert {"validate", "render-check", "train", "governance", "publish"} <= pull_request
    assert pull_request <= _jenkins_flow(pipeline, "pull_request")
    main_flow = _github_flow(workflows["deploy"]) if "deploy" in workflows else set()
    assert main_flow <= _jenkins_flow(pipeline, "main")
    deploys = {f"deploy-{env.name}" for env in spec.deployment.environments}
    if spec.deployment.platform is not None and spec.deployment.delivery.mode == "push":
        assert deploys <= main_flow
    elif spec.deployment.platform is not None:  # Argo CD: promotion pull requests, both CIs
        assert "promote" in main_flow


def test_every_stage_has_a_timeout_within_the_pipeline_bound(
        rendered: tuple[Spec, str, gp.Node]) -> None:
    spec, _text, pipeline = rendered
    total = timeout_minutes(pipeline.child("options").child("timeout"))
    budgets = []
    for _parent, stage in all_stages(pipeline):
        if stage.has("stages"):
            continue  # a group: its stages carry the timeouts
        budget = timeout_minutes(stage.child("options").child("timeout"))
        budgets.append(budget)
    assert sum(budgets) == total
    train = stage_named(pipeline, "Train and evaluate")[1]
    assert timeout_minutes(train.child("options").child("timeout")) == \
        spec.training.timeout_minutes


# --- approvals ------------------------------------------------------------------------------


def expected_submitters(spec: Spec, approver_roles: list[str]) -> list[str]:
    ids = []
    for role in approver_roles:
        for handle in getattr(spec.owners, role):
            name = handle[1:]
            ids.append(name.replace("/", "*"))
    return list(dict.fromkeys(ids))


def test_approvals_are_stage_inputs_of_the_approvers(rendered: tuple[Spec, str, gp.Node]
                                                    ) -> None:
    spec, _text, pipeline = rendered
    if spec.deployment.platform is None or spec.deployment.delivery.mode == "argocd":
        titles = [s.string() for _p, s in all_stages(pipeline)]
        assert not any(t.startswith("Deploy ") for t in titles)
        return
    for env in spec.deployment.environments:
        parent, stage = stage_named(pipeline, f"Deploy {env.name}")
        assert parent is None, "a deployment stage is never inside a stage holding an agent"
        assert stage.has("agent")
        environment = {n.name: n for n in stage.child("environment").body}
        assert environment["MLOPS_DEPLOY_DIR"].string() == \
            f"models/credit-risk/deploy/{env.name}"
        scripts = [n.string() for n in stage.walk() if n.name == "sh"]
        [script] = [s for s in scripts if DEPLOY_SCRIPT in s]
        assert VERSION_SCRIPT in script
        assert script.index(VERSION_SCRIPT) < script.index(DEPLOY_SCRIPT)
        assert 'MODEL_VERSION="$GIT_COMMIT"' in script
        needs_input = bool(env.approvers) or not env.auto_deploy
        assert stage.has("input") == needs_input
        if not needs_input:
            continue
        words = when_words(stage)
        assert "beforeInput" in words and "beforeAgent" in words
        # The timeout wraps the wait; the agent is allocated only after the input.
        assert timeout_minutes(stage.child("options").child("timeout")) >= \
            jenkins.APPROVAL_HOURS * 60
        form = stage.child("input")
        assert "Deploy credit-risk to" in form.child("message").string()
        expected = expected_submitters(spec, list(env.approvers))
        if expected:
            assert form.child("submitter").string().split(",") == expected
        else:
            assert not form.has("submitter")
        assert form.child("submitterParameter").string() == "MLOPS_APPROVER"


def test_production_approvers_of_the_example() -> None:
    pipeline = pipeline_of(render_text(variant("example")))
    form = stage_named(pipeline, "Deploy production")[1].child("input")
    # sme: @acme/credit-analysts, ml_engineer: @acme/ml-platform (GitHub-auth group names).
    assert form.child("submitter").string() == "acme*credit-analysts,acme*ml-platform"


def test_kubeconfig_and_store_secrets_by_name() -> None:
    spec = variant("three-environments")
    pipeline = pipeline_of(render_text(spec))

    def credentials(stage: gp.Node) -> dict[str, str]:
        block = stage.children("environment")
        return {n.name: n.string() for n in block[0].body if n.words()[1:2] == ["credentials"]} \
            if block else {}

    assert credentials(stage_named(pipeline, "Deploy dev")[1]) == {"KUBECONFIG": "KUBECONFIG"}
    assert credentials(stage_named(pipeline, "Deploy staging")[1]) == \
        {"KUBECONFIG": "KUBECONFIG_STAGING"}
    assert credentials(stage_named(pipeline, "Train")[1]) == {"DATA_READER": "DATA_READER"}
    for title in ("Validate", "Render check", "Train and evaluate", "Governance check"):
        assert credentials(stage_named(pipeline, title)[1]) == {}, title
    production = stage_named(pipeline, "Deploy production")[1]
    assert not production.child("input").has("submitter")  # any user who may build


def test_change_requests_count_approvals_with_a_read_only_token(
        rendered: tuple[Spec, str, gp.Node]) -> None:
    """The gate of a change request reads the reviews (``mlops-spec approvals``) with the
    read-only token bound around that call alone, and is given them (``--approvals``)."""
    _spec, _text, pipeline = rendered
    governance = stage_named(pipeline, "Governance check")[1]
    steps = governance.child("steps")
    [binding] = steps.children("withCredentials")
    args = binding.kwargs()
    assert binding.words()[:4] == ["(", "[", "string", "("]
    assert args["credentialsId"].value == "GITHUB_TOKEN_READONLY" == (
        jenkins.GITHUB_READ_TOKEN_CREDENTIAL)
    assert args["variable"].value == "GITHUB_TOKEN"
    [read] = binding.children("sh")
    # (the shell joins the continued line: ``\`` then a line break)
    assert read.string().split() == [
        ".venv/bin/mlops-spec", "approvals", "--spec", '"$MLOPS_SPEC"', "--base",
        '"origin/$CHANGE_TARGET"', "\\", ">", '"$MLOPS_OUT/approvals.json"']
    [gate] = steps.child("catchError").children("sh")
    assert '--approvals "$MLOPS_OUT/approvals.json"' in gate.string()
    # No other stage holds the read-only token.
    holders = [n for n in pipeline.walk() if n.name == "withCredentials"]
    assert holders == [binding]


def test_change_requests_train_with_read_only_credentials_only() -> None:
    """The change request's code runs in its training stage, which fetches the champion:
    each ``<NAME>_READONLY`` as ``<NAME>`` (conventions.read_only_secrets), nothing else."""
    data = example_data()
    data["ci"]["secrets"] = ["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID_READONLY",
                             "KUBECONFIG_READONLY", "KUBECONFIG_PRODUCTION"]
    text = render_text(spec_of(data))
    pipeline = pipeline_of(text)
    train = stage_named(pipeline, "Train and evaluate")[1]
    assert {n.name: n.string() for n in train.child("environment").body} == {
        "AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY_ID_READONLY"}
    flow = text[:text.index("stage('Publish")]
    assert "credentials('AWS_ACCESS_KEY_ID')" not in flow
    assert "KUBECONFIG" not in flow
    # The store's backend is installed, so the champion can be fetched.
    assert "MLOPS_SPEC_PR_REQUIREMENT = 'mlops-spec[s3,train]==" in text
    assert "MLOPS_SPEC_GATE_REQUIREMENT = 'mlops-spec[bot]==" in text


def test_the_drift_check_reads_production_profile_with_read_only_credentials() -> None:
    data = example_data()
    data["ci"]["secrets"] = ["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID_READONLY",
                             "KUBECONFIG_READONLY"]
    text = render_text(spec_of(data))
    pipeline = pipeline_of(text)
    parent, drift = stage_named(pipeline, "Drift check")
    assert parent is not None
    # First in the scheduled flow: it runs before any model code (training) does.
    assert [s.string() for s in parent.child("stages").children("stage")] == [
        "Drift check", "Scheduled training"]
    environment = {n.name: n.string() for n in drift.child("environment").body}
    assert environment == {"MLOPS_CURRENT_DATA": "s3://acme-ml/credit-risk/scored/",
                           "AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY_ID_READONLY"}
    script = text[text.index("stage('Drift check')"):text.index("stage('Scheduled training')")]
    assert '.venv/bin/mlops-spec drift "$MLOPS_SPEC" --champion' in script
    assert "mlops-spec train" not in script and "--reference" not in script
    assert "MLOPS_SPEC_MONITOR_REQUIREMENT = 'mlops-spec[drift,s3]==" in text
    # The retrain still trains, with the main branch's store credentials.
    training = stage_named(pipeline, "Scheduled training")[1]
    assert {n.name: n.string() for n in training.child("environment").body} == {
        "AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID_READONLY":
        "AWS_ACCESS_KEY_ID_READONLY"}


# --- schedules ------------------------------------------------------------------------------

_NAMES = {**{m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul",
                                              "aug", "sep", "oct", "nov", "dec"])},
          **{d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}}
_BOUNDS = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def posix_field(text: str, index: int) -> set[int]:
    low, high = _BOUNDS[index]
    values: set[int] = set()
    for item in text.lower().split(","):
        base, _, step = item.partition("/")
        if base == "*":
            start, end = low, high
        else:
            first, _, last = base.partition("-")
            start = _NAMES.get(first) if not first.isdigit() else int(first)
            assert start is not None
            end = (_NAMES[last] if last in _NAMES else int(last)) if last else (
                high if step else start)
        values |= set(range(start, end + 1, int(step or 1)))
    return {0 if index == 4 and v == 7 else v for v in values}


def jenkins_field(text: str, index: int) -> set[int]:
    """Jenkins' own grammar: numbers only, H only in minutes (read at offset 0)."""
    low, high = _BOUNDS[index]
    values: set[int] = set()
    for item in text.split(","):
        base, _, step = item.partition("/")
        if base == "H":
            assert index == 0 and (not step or 60 % int(step) == 0), item
            values |= set(range(0, 60, int(step))) if step else {0}
            continue
        assert all(part.isdigit() for part in base.split("-")) or base == "*", item
        if base == "*":
            start, end = low, high
        else:
            first, _, last = base.partition("-")
            start, end = int(first), int(last) if last else int(first)
            assert not step or last, f"{item}: Jenkins reads a step only after * or a range"
        assert low <= start <= end <= high
        values |= set(range(start, end + 1, int(step or 1)))
    return {0 if index == 4 and v == 7 else v for v in values}


Day = tuple[int, int, int]
DAYS: list[Day] = list(itertools.product(range(1, 13), range(1, 32), range(7)))


def posix_schedule(expression: str) -> tuple[frozenset[tuple[int, int]], frozenset[Day]]:
    fields = expression.split()
    minutes, hours, doms, months, dows = (posix_field(f, i) for i, f in enumerate(fields))
    either = not fields[2].startswith("*") and not fields[4].startswith("*")
    days = frozenset((m, d, w) for m, d, w in DAYS if m in months and (
        (d in doms or w in dows) if either else (d in doms and w in dows)))
    return frozenset(itertools.product(hours, minutes)), days


def jenkins_schedule(line: str) -> tuple[frozenset[tuple[int, int]], frozenset[Day]]:
    minutes, hours, doms, months, dows = (jenkins_field(f, i) for i, f in
                                          enumerate(line.split()))
    days = frozenset((m, d, w) for m, d, w in DAYS
                     if m in months and d in doms and w in dows)
    return frozenset(itertools.product(hours, minutes)), days


def merged(schedules: list[tuple[frozenset[tuple[int, int]], frozenset[Day]]]
           ) -> dict[frozenset[tuple[int, int]], frozenset[Day]]:
    out: dict[frozenset[tuple[int, int]], frozenset[Day]] = {}
    for times, days in schedules:
        out[times] = out.get(times, frozenset()) | days
    return {times: days for times, days in out.items() if days}


def cron_spec(pipeline: gp.Node) -> list[str] | None:
    """The decoded main-branch cron spec of the ``triggers`` block, by line."""
    if not pipeline.has("triggers"):
        return None
    cron = pipeline.child("triggers").child("cron")
    tokens = [t for t in cron.tokens if t.kind != "newline"]
    words = [t.value for t in tokens]
    # cron(env.BRANCH_NAME == 'main' ? '''...''' : ''): other branches get no schedule.
    assert words[:6] == ["(", "env", ".", "BRANCH_NAME", "==", "main"] and words[6] == "?"
    assert words[8] == ":" and words[9:] == ["", ")"] and tokens[7].quote == "'''"
    return [line.strip() for line in tokens[7].value.split("\n")]


def test_cron_triggers_equal_the_schedules(rendered: tuple[Spec, str, gp.Node]) -> None:
    spec, _text, pipeline = rendered
    schedules = []
    if spec.monitoring and spec.monitoring.current_data:
        schedules.append(spec.monitoring.schedule)
    if spec.retrain and spec.retrain.schedule:
        schedules.append(spec.retrain.schedule)
    lines = cron_spec(pipeline)
    if not schedules:
        assert lines is None
        assert not any(s.string() == "Scheduled" for s in top_stages(pipeline))
        return
    assert lines is not None and lines[0] == "TZ=UTC", "spec schedules are in UTC"
    assert merged([jenkins_schedule(line) for line in lines[1:]]) == \
        merged([posix_schedule(s) for s in schedules])
    words = when_words(stage_named(pipeline, "Scheduled")[1])
    assert "TimerTrigger" in words and jenkins.MAIN_BRANCH in words


@pytest.mark.parametrize(("expression", "lines"), [
    ("0 6 * * *", ["H 6 * * *"]),
    ("0 3 * * 1", ["H 3 * * 1"]),
    ("15 6 * * *", ["15 6 * * *"]),
    ("*/15 * * * *", ["H/15 * * * *"]),
    ("0,20,40 * * * *", ["H/20 * * * *"]),
    ("0-59/30 * * * *", ["H/30 * * * *"]),
    ("*/7 * * * *", ["*/7 * * * *"]),
    ("0,30 9 * * MON-fri", ["H/30 9 * * 1-5"]),
    ("5/20 * * * *", ["5-59/20 * * * *"]),
    ("0 0 1 jan,jul *", ["H 0 1 1,7 *"]),
    ("30 2 1,15 * mon-fri", ["30 2 1,15 * *", "30 2 * * 1-5"]),
    ("0 12 */2 * sun", ["H 12 */2 * 0"]),
    ("0 4 * * 7", ["H 4 * * 7"]),
])
def test_jenkins_cron_mapping(expression: str, lines: list[str]) -> None:
    assert jenkins.jenkins_cron(expression) == lines
    assert merged([jenkins_schedule(line) for line in lines]) == \
        merged([posix_schedule(expression)])


_MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec"]
_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def _random_field(rng: random.Random, index: int) -> str:
    low, high = _BOUNDS[index]
    names = {3: _MONTH_NAMES, 4: _DAY_NAMES}.get(index, [])
    kind = rng.randrange(7)
    a, b = sorted(rng.sample(range(low, high + 1), 2))
    if kind == 0:
        return "*"
    if kind == 1:
        return f"*/{rng.choice([1, 2, 3, 5, 7, 10, 15, 20, 30])}"
    if kind == 2:
        return rng.choice(names) if names and rng.random() < 0.3 else str(a)
    if kind == 3:
        return f"{a}-{b}"
    if kind == 4:
        return f"{a}-{b}/{rng.randrange(1, 5)}"
    if kind == 5:
        return ",".join(str(v) for v in sorted(rng.sample(range(low, high + 1), 3)))
    return f"{a}/{rng.randrange(1, 9)}"


def test_jenkins_cron_fires_when_posix_cron_fires_randomized() -> None:
    rng = random.Random(20240611)
    for _ in range(300):
        expression = " ".join(_random_field(rng, i) for i in range(5))
        lines = jenkins.jenkins_cron(expression)
        assert merged([jenkins_schedule(line) for line in lines]) == \
            merged([posix_schedule(expression)]), (expression, lines)


def test_monitoring_without_current_data_schedules_nothing() -> None:
    spec = variant("batch")
    assert spec.monitoring is not None and spec.monitoring.current_data is None
    assert jenkins.cron_lines(spec) == []


# --- injection safety -----------------------------------------------------------------------

HOSTILE = [
    "x'y", 'x"y', "${System.exit(1)}", "a'''b", "back\\slash", "new\nline", "$(id)",
    "'; sh 'id", "tab\there", "\\u0027", "trail\\",
]


def string_tokens(text: str) -> list[gp.Token]:
    return [t for t in gp.tokenize(text) if t.is_string]


def test_no_double_quoted_groovy_strings(rendered: tuple[Spec, str, gp.Node]) -> None:
    """No GString exists, so no "${...}" can carry a spec value or a credential."""
    _spec, text, _pipeline = rendered
    tokens = string_tokens(text)
    assert tokens
    assert {t.quote for t in tokens} <= {"'", "'''"}
    assert not [t for t in tokens if t.kind == "gstring" or t.interpolations]


def test_credentials_are_bound_by_name_and_read_only_by_the_shell(
        rendered: tuple[Spec, str, gp.Node]) -> None:
    spec, _text, pipeline = rendered
    bound = {}
    for node in pipeline.walk():
        if node.name == "environment":
            for var in node.body:
                if var.words()[:2] == ["=", "credentials"]:
                    bound[var.name] = var.string()
        if node.name == "withCredentials":
            args = node.kwargs()
            bound[args["variable"].value] = args["credentialsId"].value
            continue
        words = node.words()
        if "credentials" in words:
            assert node.name in bound, f"line {node.line}: credentials() outside environment"
    assert set(bound.values()) <= {*spec.ci.secrets, jenkins.GITHUB_TOKEN_CREDENTIAL,
                                   jenkins.GITHUB_READ_TOKEN_CREDENTIAL}
    # No Groovy expression names a bound variable (env.X, X, "${X}"): only the shell reads it.
    bindings = [var for node in pipeline.walk() if node.name == "environment"
                for var in node.body]
    for node in pipeline.walk():
        if node.name in bound and any(node is var for var in bindings):
            continue
        assert node.name not in bound, f"line {node.line}: {node.name} used by Groovy"
        idents = {t.value for t in node.tokens if t.kind == "ident"}
        assert not idents & set(bound), f"line {node.line}: {idents & set(bound)} read"


def _rename_everything(data: dict[str, Any]) -> None:
    data["name"] = "other-model"
    data["deployment"]["environments"] = [
        {"name": "qa", "namespace": "ml-qa", "auto_deploy": True},
        {"name": "live", "namespace": "ml-live", "approvers": ["architect"]}]
    data["ci"]["secrets"] = ["BUCKET_KEY", "KUBECONFIG_LIVE"]
    data["ci"]["jenkins"] = {"agent_label": "gpu-runners"}
    data["monitoring"]["current_data"] = "s3://elsewhere/recent/"
    data["owners"]["architect"] = ["@someone-else"]


def test_shell_scripts_do_not_depend_on_spec_values() -> None:
    """Values reach the shell only through the environment: changing every value that
    reaches the file leaves every ``sh`` script byte-identical."""
    def scripts(text: str) -> list[str]:
        return [s for n in pipeline_of(text).walk() if n.name in ("sh", "int")
                for s in n.strings()]

    data = example_data()
    _rename_everything(data)
    other = render_text(spec_of(data), "elsewhere/deeper/mlops.yaml")
    base = render_text(variant("example"))
    assert scripts(base) == scripts(other)
    assert "other-model" in other and "gpu-runners" in other  # the values did change


@pytest.mark.parametrize("field", ["description", "purpose"])
def test_free_text_never_reaches_the_jenkinsfile(field: str) -> None:
    data = example_data()
    marker = "Zq7 free text ${evil} ''' \" $(id)"
    data[field] = marker
    data["governance"]["limitations"] = marker
    data["governance"]["intended_use"] = marker
    text = render_text(spec_of(data))
    assert "Zq7" not in text


def _set(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


# Every spec string that reaches the Jenkinsfile.
REACHING: list[tuple[tuple[str | int, ...], str]] = [
    (("name",), "{}"),
    (("deployment", "environments", 0, "name"), "{}"),
    (("deployment", "environments", 1, "name"), "{}"),
    (("owners", "sme", 0), "@{}"),
    (("ci", "secrets", 0), "{}"),
    (("ci", "jenkins", "agent_label"), "{}"),
    (("monitoring", "current_data"), "s3://bucket/{}"),
    (("monitoring", "schedule"), "0 6 * * {}"),
    (("retrain", "schedule"), "0 3 * * {}"),
    (("ci", "python"), "{}"),
]


@pytest.mark.parametrize(("path", "shape"), REACHING, ids=lambda v: str(v))
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_fail_validation(path: tuple[str | int, ...], shape: str,
                                        hostile: str) -> None:
    data = example_data()
    _set(data, path, shape.format(hostile))
    result = validate_text("mlops.yaml", yaml.safe_dump(data))
    assert not result.ok, f"{path} accepted {hostile!r}"


def _forced(spec: Spec, path: tuple[str, ...], value: Any) -> Spec:
    """``spec`` with one value replaced, bypassing validation (a second line of defence)."""
    if len(path) == 1:
        return spec.model_copy(update={path[0]: value})
    child = getattr(spec, path[0])
    return spec.model_copy(update={path[0]: _forced(child, path[1:], value)})


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_are_inert_even_without_validation(hostile: str) -> None:
    spec = variant("three-environments")
    # The model name, an environment name, the agent label and a data URI, as literals.
    environments = list(spec.deployment.environments)
    environments[1] = environments[1].model_copy(update={"name": hostile})
    forced = _forced(spec, ("deployment", "environments"), environments)
    forced = _forced(forced, ("name",), hostile)
    forced = _forced(forced, ("ci", "jenkins", "agent_label"), hostile)
    monitoring = forced.monitoring
    assert monitoring is not None
    forced = _forced(forced, ("monitoring", "current_data"), hostile)
    forced = _forced(forced, ("owners", "data_scientist"), ["@" + hostile])
    text = render_text(forced)
    pipeline = pipeline_of(text)  # still parses: nothing broke out of its literal
    assert not [t for t in gp.tokenize(text) if t.kind == "gstring"]
    _parent, stage = stage_named(pipeline, f"Deploy {hostile}")
    assert stage.child("input").child("message").string() == f"Deploy {hostile} to {hostile}?"
    assert stage.child("input").child("submitter").string() == \
        hostile.replace("/", "*")
    assert {n.name: n.string() for n in stage.child("environment").body}[
        "MLOPS_DEPLOY_DIR"] == f"models/credit-risk/deploy/{hostile}"
    assert stage.child("agent").child("label").string() == hostile
    drift = stage_named(pipeline, "Drift check")[1]
    assert {n.name: n.string() for n in drift.child("environment").body}[
        "MLOPS_CURRENT_DATA"] == hostile


def test_hostile_values_are_refused_where_they_cannot_be_quoted() -> None:
    spec = variant("example")
    with pytest.raises(UnsafeValue):  # a secret is also a variable name: no quoting exists
        render_text(_forced(spec, ("ci", "secrets"), ["X = 1; evil()"]))
    with pytest.raises(ValueError):  # a cron that is not five cron fields is never rendered
        render_text(_forced(spec, ("monitoring", "schedule"), "0 6 * * 1''' + evil() + '''"))
    with pytest.raises(engine.RenderError):  # the spec path must be a plain path
        engine.context_for(spec, Path("/tmp/x y'/mlops.yaml"), Path("/tmp"))


@pytest.mark.parametrize("hostile", [*HOSTILE, "''''''", "\r\n\u2028\x00\x7f", "é ☃ \\n"])
def test_groovy_literals_parse_back_to_the_value(hostile: str) -> None:
    [single] = string_tokens(f"x = {groovy(hostile)}")
    assert single.kind == "string" and single.value == hostile
    [block] = string_tokens(f"x = {groovy_lines(hostile)}")
    assert block.kind == "string" and block.quote == "'''" and block.value == hostile


def test_pod_agents_are_hardened() -> None:
    text = render_text(variant("kubernetes-training"))
    nodes = gp.parse(text)
    pods = {node.tokens[0].value: node.string() for node in nodes if node.name == "String"}
    assert set(pods) == {"pythonPod", "kubectlPod"}
    python = yaml.safe_load(pods["pythonPod"])
    assert python["spec"]["securityContext"]["runAsNonRoot"] is True
    [container] = python["spec"]["containers"]
    assert container["image"] == "python:3.13-bookworm"  # has git, for check --base
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert "resources" not in container  # training runs as its own Kubernetes Job
    kubectl = yaml.safe_load(pods["kubectlPod"])
    assert kubectl["spec"]["containers"][0]["name"] == "kubectl"
    ci_training = gp.parse(render_text(variant("kserve-rolling-pod")))
    [python_pod] = [node.string() for node in ci_training if node.name == "String"
                    and node.tokens[0].value == "pythonPod"]
    [container] = yaml.safe_load(python_pod)["spec"]["containers"]
    assert container["resources"]["limits"] == {"cpu": "2", "memory": "4Gi"}


# --- the parser itself ----------------------------------------------------------------------


def test_parser_reads_groovy_lexical_structure() -> None:
    source = (
        "// comment with 'quotes'\n"
        "/* block\n comment */ def a = 'it\\'s \\\\ \\u0041'\n"
        "b = '''line1\n  line2 \\\n  joined'''\n"
        'c = "plain" + "x ${a.b} and $name.x \\$ not"\n'
        "stage('s') { steps { sh 'echo' } }\n"
        "if (x == 1) { y() } else if (z) { w() } else { v() }\n"
    )
    nodes = gp.parse(source)
    assert [n.name for n in nodes] == ["def", "b", "c", "stage", "if"]
    assert nodes[0].string() == "it's \\ A"
    assert nodes[1].string() == "line1\n  line2   joined"
    plain, interpolated = [t for t in nodes[2].tokens if t.is_string]
    assert plain.kind == "string" and plain.quote == '"'
    assert interpolated.kind == "gstring"
    assert interpolated.interpolations == ("${a.b}", "$name.x")
    assert nodes[3].child("steps").child("sh").string() == "echo"
    assert len(nodes[4].blocks) == 3


@pytest.mark.parametrize("bad", ["x = 'open", "x = 'a\nb'", "x = '\\q'", "a { b",
                                 "a }", 'x = "$ "', "f(a: { b })"])
def test_parser_rejects_what_groovy_rejects_or_is_outside_the_subset(bad: str) -> None:
    with pytest.raises(gp.GroovySyntaxError):
        gp.parse(bad)


# --- npm-groovy-lint ------------------------------------------------------------------------


@pytest.mark.slow
def test_npm_groovy_lint_passes_on_every_variant(tmp_path: Path) -> None:
    if not GROOVY_LINT.exists():
        pytest.fail(f"npm-groovy-lint is not installed at {GROOVY_LINT}: run `make tools` "
                    "(.ci/tools/npm-groovy-lint.sh)")
    if shutil.which("java") is None:
        pytest.fail("npm-groovy-lint needs Java 17 on the PATH")
    texts: dict[str, list[str]] = {}  # strategies that only change the manifests share a file
    for name in sorted(VARIANTS):
        texts.setdefault(render_text(variant(name)), []).append(name)
    files = []
    for text, names in texts.items():
        path = tmp_path / "+".join(names) / "Jenkinsfile"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    # One invocation for all files (JVM start-up dominates); no CodeNarc server left behind.
    command = [str(GROOVY_LINT), "--noserver", "--config", "recommended-jenkinsfile",
               "--failon", "error", "--output", "json", "--loglevel", "warning", *files]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path,
                          timeout=600, check=False)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"npm-groovy-lint gave no JSON (exit {done.returncode}):\n"
                    f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    summary = report["summary"]
    errors = {path: [e for e in found["errors"] if e["severity"] == "error"]
              for path, found in report["files"].items()}
    assert summary["totalFilesLinted"] == len(files)
    assert summary["totalFoundErrorNumber"] == 0, json.dumps(errors, indent=1)
    assert done.returncode == 0, done.stderr[-3000:]
    # No parse problem of any level, and lines within CodeNarc's limit (but the writer's
    # generated-file header on line 1, whose length follows the spec path).
    findings = [e for found in report["files"].values() for e in found["errors"]]
    assert not [e for e in findings if e["rule"] == "NglParseError" or
                (e["rule"] == "LineLength" and e["line"] != 1)], findings


def test_variants_cover_every_mode_and_strategy() -> None:
    seen = {(s.deployment.mode, s.deployment.platform, s.deployment.strategy.type)
            for s in map(variant, VARIANTS)}
    assert {mode for mode, _p, _s in seen} == {"realtime", "batch", "embedded"}
    assert {s for _m, p, s in seen if p == "kubernetes"} >= {"rolling", "canary",
                                                             "blue_green", "shadow"}
    assert {s for _m, p, s in seen if p == "kserve"} == {"rolling", "canary"}
    agents = {s.ci.jenkins.kubernetes_pod for s in map(variant, VARIANTS)}
    assert agents == {True, False}
