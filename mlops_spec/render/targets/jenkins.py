"""Jenkins target: one declarative ``Jenkinsfile`` per model, doing what the GitHub workflows do.

The pipeline has three flows, chosen per build by ``when`` conditions:

* a change request (multibranch ``changeRequest()``): validate, render check, train and
  evaluate, governance check, publish the report;
* the main branch: train, evaluate, upload the artifact and, in push delivery only, deploy
  to each environment in order (``kubectl apply --prune`` on an ApplySet, readiness, smoke
  request), with a stage-level ``input`` (wrapped in a timeout, before any agent is
  allocated) where an environment needs approval. With Argo CD delivery nothing is applied
  from here: the *Promote* stage opens the promotion pull requests instead;
* a timer build on main (the monitoring and retrain schedules): check drift against the
  profile stored with the version production serves (``drift --champion``, read-only store
  credentials, before any model code runs), then train on current data and archive the
  candidate. It never deploys.

The main-branch and timer flows exist only when Jenkins is the spec's deployer
(``ci.deployer``, by default the first provider); otherwise the Jenkinsfile only checks
change requests, so a push never trains, uploads or deploys twice.

Every decision is made here on the typed spec; ``templates/jenkins/Jenkinsfile.j2`` only lays
the plan out. Spec values reach the file as single-quoted Groovy literals (``|groovy``) and
reach shell steps only through ``environment {}``: every ``sh`` script is a constant of the
template, reading values as ``"$VAR"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mlops_spec.conventions import (
    APPROVAL_HOURS,
    DEPLOY_MINUTES,
    DRIFT_MINUTES,
    GATE_REPORT,
    MAIN_BRANCH,
    OUT_DIR,
    SETUP_MINUTES,
    STEP_MINUTES,
    UPLOAD_MINUTES,
    kubeconfig_for,
    read_only_secrets,
    store_secrets,
)
from mlops_spec.conventions import GITHUB_READ_TOKEN_SECRET as GITHUB_READ_TOKEN_CREDENTIAL
from mlops_spec.conventions import GITHUB_TOKEN_SECRET as GITHUB_TOKEN_CREDENTIAL
from mlops_spec.render import cluster_train, push
from mlops_spec.render.environment import render_template
from mlops_spec.render.install import job_requirement, runtime_pin
from mlops_spec.render.jenkins.cron import cron_lines as cron_lines
from mlops_spec.render.jenkins.cron import jenkins_cron as jenkins_cron
from mlops_spec.render.jenkins.cron import scheduled_monitoring as scheduled_monitoring
from mlops_spec.render.jenkins.promote import REQUIREMENT_VARIABLE, Promote, promote
from mlops_spec.render.outputs import OutputFile, RenderContext, TargetOutput
from mlops_spec.spec.sections import Environment, Spec

FILE = "Jenkinsfile"
PYTHON_IMAGE = "python:{version}-bookworm"
"""The full Debian image, not -slim: it is built on buildpack-deps (scm), so it has git,
which ``check --base`` runs."""
KUBECTL_IMAGE = "alpine/k8s:1.33.4"
"""kubectl with a shell (the Jenkins ``sh`` step needs one; registry.k8s.io/kubectl has none)."""

# Time budgets come from mlops_spec.conventions. Each stage has its own timeout; the
# pipeline-level timeout is their sum, an outer bound that only a stuck agent allocation can
# reach.

BUILDS_TO_KEEP = 30
ARTIFACT_BUILDS_TO_KEEP = 10

Flow = Literal["pull_request", "main", "scheduled"]


@dataclass(frozen=True, slots=True)
class Stage:
    """A logical stage of the generated pipelines and the Jenkins stage that runs it."""

    flow: Flow
    id: str
    """Logical id shared with the GitHub Actions target (``deploy-{env}`` per environment)."""
    title: str
    """The Jenkins stage name (``{env}`` is the environment name)."""


STAGES: tuple[Stage, ...] = (
    Stage("pull_request", "validate", "Validate"),
    Stage("pull_request", "render-check", "Render check"),
    # `mlops-spec train` trains and evaluates in one run: one Jenkins stage for both.
    Stage("pull_request", "train", "Train and evaluate"),
    Stage("pull_request", "evaluate", "Train and evaluate"),
    Stage("pull_request", "governance", "Governance check"),
    Stage("pull_request", "publish", "Publish report"),
    # Whether a training input changed since the last successful build (needs-training).
    Stage("main", "decide", "Decide whether to train"),
    Stage("main", "train", "Train"),
    Stage("main", "evaluate", "Evaluate"),
    Stage("main", "upload", "Upload artifact"),
    Stage("main", "deploy-{env}", "Deploy {env}"),
    # Argo CD delivery: the promotion pull requests (render/jenkins/promote.py).
    Stage("main", "promote", "Promote"),
)
"""The logical stages of the pull-request and main-branch flows (what GitHub also runs)."""

SCHEDULED_STAGES: tuple[Stage, ...] = (
    Stage("scheduled", "drift", "Drift check"),
    Stage("scheduled", "scheduled-train", "Scheduled training"),
)

GROUPS: dict[Flow, str] = {
    "pull_request": "Pull request",
    "main": "Main branch",
    "scheduled": "Scheduled",
}
"""Names of the parent stages that hold one agent for a flow's sequential stages."""


def applies(spec: Spec) -> bool:
    return "jenkins" in spec.ci.providers


def stage_ids(spec: Spec) -> list[tuple[Flow, str]]:
    """The (flow, logical id) pairs of ``STAGES`` this spec's pipelines run, in order."""
    ids: list[tuple[Flow, str]] = []
    for stage in STAGES:
        if stage.flow == "main" and not owns_delivery(spec):
            continue
        if stage.id == "upload" and spec.model.artifact.store is None:
            continue
        if stage.id == "promote" and promote(spec, owns_delivery(spec)) is None:
            continue
        if stage.id == "deploy-{env}":
            ids += [(stage.flow, f"deploy-{env.name}") for env in deployed_environments(spec)]
        else:
            ids.append((stage.flow, stage.id))
    return ids


def stage_title(flow: Flow, logical_id: str) -> str:
    """The Jenkins stage name of a logical stage (``deploy-<env>`` included)."""
    for stage in (*STAGES, *SCHEDULED_STAGES):
        if stage.flow != flow:
            continue
        if stage.id == logical_id:
            return stage.title
        prefix = stage.id.removesuffix("{env}")
        if stage.id.endswith("{env}") and logical_id.startswith(prefix):
            return stage.title.format(env=logical_id.removeprefix(prefix))
    raise KeyError(f"no {flow} stage {logical_id!r}")


def owns_delivery(spec: Spec) -> bool:
    """Whether this Jenkinsfile trains on main, uploads, deploys and runs the schedules."""
    return spec.deployer == "jenkins"


def deployed_environments(spec: Spec) -> list[Environment]:
    """Environments this pipeline applies an overlay to: push delivery only (Argo CD
    applies the others), none when the model is embedded or another provider deploys."""
    if not push.ci_deploys(spec) or not owns_delivery(spec):
        return []
    return list(spec.deployment.environments)


# --- values ----------------------------------------------------------------------------------


def submitter(handle: str) -> str:
    """A GitHub handle as a Jenkins user id or group name.

    ``@user`` -> ``user``; ``@org/team`` -> ``org*team``, the group name the GitHub
    Authorization plugin (github-oauth) gives team members.
    """
    return handle.removeprefix("@").replace("/", "*")


def approvers(spec: Spec, env: Environment) -> list[str]:
    """Submitter ids of the environment's approver roles, in role then listing order."""
    ids = [submitter(h) for role in env.approvers for h in spec.owners.handles(role)]
    return list(dict.fromkeys(ids))


# --- the plan --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Agent:
    kind: Literal["label", "kubernetes"]
    label: str = ""
    pod: str = ""
    """Name of the top-level Groovy variable holding the pod YAML."""
    container: str = ""


@dataclass(frozen=True, slots=True)
class Var:
    """One ``environment {}`` entry: a literal value, or a credential referenced by id."""

    name: str
    value: str
    credential: bool = False


@dataclass(frozen=True, slots=True)
class Approval:
    message: str
    ok: str
    submitter: str
    """Comma-separated ids; empty when any user allowed to build the job may approve."""
    minutes: int


@dataclass(frozen=True, slots=True)
class Deploy:
    title: str
    directory: str
    variables: list[Var]
    approval: Approval | None
    minutes: int


@dataclass(frozen=True, slots=True)
class Pod:
    variable: str
    yaml: str


@dataclass
class Plan:
    spec_path: str
    name: str
    agent: Agent
    deploy_agent: Agent
    pods: list[Pod]
    variables: list[Var]
    cron: list[str]
    main_branch: str
    timeout_minutes: int
    names: dict[str, str]
    minutes: dict[str, int]
    store_secrets: list[Var]
    upload: bool
    deployments: list[Deploy]
    owner: bool
    promote: Promote | None = None
    drift: list[Var] = field(default_factory=list)
    read_only: list[Var] = field(default_factory=list)
    """``conventions.read_only_secrets`` as credentials: the change request's training
    (it fetches the champion) and the drift check get these and no other secret."""
    train_variables: list[Var] = field(default_factory=list)
    """The main branch's Train stage: the store secrets, and with cluster training the
    first environment's kubeconfig credential (when listed)."""
    cluster_training: bool = False
    runtime_pin: bool = False
    """Stages that train install MLOPS_SPEC_RUNTIME_PIN (the runtime's scikit-learn) too."""
    builds_to_keep: int = BUILDS_TO_KEEP
    artifact_builds_to_keep: int = ARTIFACT_BUILDS_TO_KEEP
    out_dir: str = OUT_DIR
    report: str = GATE_REPORT
    evaluation: str = f"{OUT_DIR}/evaluation.json"  # evaluation.FILENAME, what train writes
    approval_hours: int = APPROVAL_HOURS
    github_token: str = GITHUB_TOKEN_CREDENTIAL
    github_read_token: str = GITHUB_READ_TOKEN_CREDENTIAL
    """Bound (``withCredentials``) only around ``mlops-spec approvals`` of a change request."""


def _pod_yaml(spec: Spec, container: str, image: str, with_resources: bool) -> str:
    resources = spec.training.resources if with_resources else None
    return render_template("jenkins/pod.yaml.j2", model=spec.name, container=container,
                           image=image, resources=resources)


def _agents(spec: Spec) -> tuple[Agent, Agent, list[Pod]]:
    settings = spec.ci.jenkins
    if not settings.kubernetes_pod:
        label = Agent("label", label=settings.agent_label)
        return label, label, []
    # Training on the CI runner runs in this container: give it the training resources.
    pods = [Pod("pythonPod", _pod_yaml(spec, "python", PYTHON_IMAGE.format(
        version=spec.ci.python), with_resources=spec.training.platform == "ci"))]
    python = Agent("kubernetes", pod="pythonPod", container="python")
    if deployed_environments(spec):
        pods.append(Pod("kubectlPod", _pod_yaml(spec, "kubectl", KUBECTL_IMAGE,
                                                with_resources=False)))
    return python, Agent("kubernetes", pod="kubectlPod", container="kubectl"), pods


def _deployments(ctx: RenderContext) -> list[Deploy]:
    spec = ctx.spec
    deploys = []
    for env in deployed_environments(spec):
        overlay = ctx.in_model_dir(f"deploy/{env.name}")
        variables = [Var(name, value) for name, value in
                     push.variables(spec, env, overlay).items()]
        secret = kubeconfig_for(list(spec.ci.secrets), env.name)
        if secret:
            variables.append(Var("KUBECONFIG", secret, credential=True))
        approval = None
        if env.approvers or not env.auto_deploy:
            approval = Approval(
                message=f"Deploy {spec.name} to {env.name}?", ok=f"Deploy to {env.name}",
                submitter=",".join(approvers(spec, env)),
                minutes=APPROVAL_HOURS * 60 + DEPLOY_MINUTES)
        deploys.append(Deploy(title=stage_title("main", f"deploy-{env.name}"),
                              directory=ctx.in_model_dir(f"deploy/{env.name}"),
                              variables=variables, approval=approval, minutes=DEPLOY_MINUTES))
    return deploys


def plan(ctx: RenderContext) -> Plan:
    spec = ctx.spec
    agent, deploy_agent, pods = _agents(spec)
    train = spec.training.timeout_minutes
    minutes = {
        "validate": SETUP_MINUTES + STEP_MINUTES,
        "render-check": STEP_MINUTES,
        "pr-train": train,
        "governance": STEP_MINUTES,
        "publish": SETUP_MINUTES + STEP_MINUTES,
        "decide": SETUP_MINUTES + STEP_MINUTES,
        "train": SETUP_MINUTES + train,
        "evaluate": STEP_MINUTES,
        "upload": UPLOAD_MINUTES,
        "scheduled-train": SETUP_MINUTES + train,
        "drift": DRIFT_MINUTES,
    }
    upload = spec.model.artifact.store is not None
    deployments = _deployments(ctx)
    monitoring = spec.monitoring
    read_only = [Var(variable, secret, credential=True)
                 for variable, secret in read_only_secrets(list(spec.ci.secrets))]
    drift = []
    if monitoring is not None and monitoring.current_data is not None:
        # The reference is the profile stored with production's version: the drift check
        # runs no model code and gets read-only store and data credentials only.
        drift = [Var("MLOPS_CURRENT_DATA", monitoring.current_data), *read_only]
    cron = cron_lines(spec)
    # Every stage that exists has its own timeout; their sum bounds any one build.
    owner = owns_delivery(spec)
    present = ["validate", "render-check", "pr-train", "governance", "publish"]
    present += ["decide", "train", "evaluate"] if owner else []
    present += ["upload"] if upload and owner else []
    present += ["scheduled-train"] if cron else []
    present += ["drift"] if cron and drift else []
    total = sum(minutes[key] for key in present)
    total += sum(d.approval.minutes if d.approval else d.minutes for d in deployments)
    promoting = promote(spec, owner)
    total += promoting.minutes if promoting else 0
    names = {f"{stage.flow}:{stage.id}": stage.title for stage in (*STAGES, *SCHEDULED_STAGES)
             if "{env}" not in stage.id}
    names.update({f"group:{flow}": title for flow, title in GROUPS.items()})
    return Plan(
        spec_path=ctx.spec_path,
        name=spec.name,
        agent=agent,
        deploy_agent=deploy_agent,
        pods=pods,
        variables=[
            Var("MLOPS_SPEC", ctx.spec_path),
            Var("MLOPS_OUT", OUT_DIR),
            Var("MLOPS_PYTHON", spec.ci.python),
            # Each flow installs the extras of the commands its stages run.
            Var("MLOPS_SPEC_PR_REQUIREMENT", job_requirement(
                spec, "validate", "render", "train")),
            Var("MLOPS_SPEC_GATE_REQUIREMENT", job_requirement(spec, "approvals", "check")),
            Var("MLOPS_SPEC_PUBLISH_REQUIREMENT", job_requirement(spec, "publish")),
            *([Var("MLOPS_SPEC_MAIN_REQUIREMENT", job_requirement(
                spec, "needs-training", *cluster_train.train_commands(spec),
                *(["upload"] if upload else [])))]
              if owns_delivery(spec) else []),
            *([Var(REQUIREMENT_VARIABLE, promoting.requirement)] if promoting else []),
            *([Var("MLOPS_SPEC_MONITOR_REQUIREMENT", job_requirement(spec, "drift"))]
              if cron and drift else []),
            *([Var("MLOPS_SPEC_SCHEDULED_REQUIREMENT", job_requirement(spec, "train"))]
              if cron else []),
            *([Var("MLOPS_SPEC_RUNTIME_PIN", pin)] if (pin := runtime_pin(spec, "train"))
              else []),
            Var("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
        ],
        cron=cron,
        main_branch=MAIN_BRANCH,
        timeout_minutes=total,
        names=names,
        minutes=minutes,
        store_secrets=[Var(name, name, credential=True)
                       for name in store_secrets(list(spec.ci.secrets))],
        upload=upload,
        deployments=deployments,
        owner=owner,
        promote=promoting,
        drift=drift,
        read_only=read_only,
        train_variables=[Var(name, name, credential=True)
                         for name in store_secrets(list(spec.ci.secrets))]
                        + [Var("KUBECONFIG", secret, credential=True)
                           for secret in [cluster_train.kubeconfig(spec)] if secret],
        cluster_training=cluster_train.in_cluster(spec),
        runtime_pin=runtime_pin(spec, "train") is not None,
    )


def render(ctx: RenderContext) -> TargetOutput:
    text = render_template("jenkins/Jenkinsfile.j2", plan=plan(ctx))
    return TargetOutput(files=[OutputFile(ctx.in_model_dir(FILE), text, comment="//")])
