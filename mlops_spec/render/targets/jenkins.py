"""Jenkins target: one declarative ``Jenkinsfile`` per model, doing what the GitHub workflows do.

The pipeline has three flows, chosen per build by ``when`` conditions:

* a change request (multibranch ``changeRequest()``): validate, render check, train and
  evaluate, governance check, publish the report;
* the main branch: train, evaluate, upload the artifact and, in push delivery only, deploy
  to each environment in order (``kubectl apply --prune`` on an ApplySet, readiness, smoke
  request), with a stage-level ``input`` (wrapped in a timeout, before any agent is
  allocated) where an environment needs approval. With Argo CD delivery nothing is applied
  from here;
* a timer build on main (the monitoring and retrain schedules): train on current data, check
  drift, archive the candidate. It never deploys.

The main-branch and timer flows exist only when Jenkins is the spec's deployer
(``ci.deployer``, by default the first provider); otherwise the Jenkinsfile only checks
change requests, so a push never trains, uploads or deploys twice.

Every decision is made here on the typed spec; ``templates/jenkins/Jenkinsfile.j2`` only lays
the plan out. Spec values reach the file as single-quoted Groovy literals (``|groovy``) and
reach shell steps only through ``environment {}``: every ``sh`` script is a constant of the
template, reading values as ``"$VAR"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from mlops_spec import __version__
from mlops_spec.conventions import OUT_DIR, REFERENCE_PROFILE
from mlops_spec.render import push
from mlops_spec.render.environment import render_template
from mlops_spec.render.outputs import OutputFile, RenderContext, TargetOutput
from mlops_spec.spec.sections import Environment, Spec

FILE = "Jenkinsfile"
MAIN_BRANCH = "main"
REPORT = f"{OUT_DIR}/report.json"
"""Where ``mlops-spec train`` leaves the drift reference profile that ``drift`` reads."""
GITHUB_TOKEN_CREDENTIAL = "GITHUB_TOKEN"
"""Jenkins credential (secret text) the publish stage reads; GitHub Actions has it built in."""
PYTHON_IMAGE = "python:{version}-slim-bookworm"
KUBECTL_IMAGE = "alpine/k8s:1.33.4"
"""kubectl with a shell (the Jenkins ``sh`` step needs one; registry.k8s.io/kubectl has none)."""

# Time budgets, in minutes. Each stage has its own timeout; the pipeline-level timeout is
# their sum, an outer bound that only a stuck agent allocation can reach.
INSTALL_MINUTES = 15
STEP_MINUTES = 10
UPLOAD_MINUTES = 30
DEPLOY_MINUTES = 30
DRIFT_MINUTES = 30
APPROVAL_HOURS = 72
"""How long a deployment waits for its approvers (covers a weekend) before it is aborted."""

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
    Stage("main", "train", "Train"),
    Stage("main", "evaluate", "Evaluate"),
    Stage("main", "upload", "Upload artifact"),
    Stage("main", "deploy-{env}", "Deploy {env}"),
)
"""The logical stages of the pull-request and main-branch flows (what GitHub also runs)."""

SCHEDULED_STAGES: tuple[Stage, ...] = (
    Stage("scheduled", "scheduled-train", "Scheduled training"),
    Stage("scheduled", "drift", "Drift check"),
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


def secret_env_name(env_name: str) -> str:
    return env_name.upper().replace("-", "_")


def kubeconfig_secret(spec: Spec, env: Environment) -> str | None:
    """``KUBECONFIG_<ENV>`` if listed in ci.secrets, else ``KUBECONFIG``, else none.

    Without one, kubectl uses the agent's own configuration (an in-cluster service account on
    a Kubernetes pod agent).
    """
    for name in (f"KUBECONFIG_{secret_env_name(env.name)}", "KUBECONFIG"):
        if name in spec.ci.secrets:
            return name
    return None


def store_secrets(spec: Spec) -> list[str]:
    """Secrets for data and artifact-store access: every listed secret but kubeconfigs and the
    GitHub token. They are bound on the main branch and in scheduled builds, never on change
    requests, where the code of the pull request runs."""
    return [name for name in spec.ci.secrets
            if not name.startswith("KUBECONFIG") and name != GITHUB_TOKEN_CREDENTIAL]


# --- cron ------------------------------------------------------------------------------------

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_FIELDS: tuple[tuple[int, int, list[str], int], ...] = (
    # (low, high, names, value of the first name)
    (0, 59, [], 0), (0, 23, [], 0), (1, 31, [], 1), (1, 12, _MONTHS, 1), (0, 7, _DAYS, 0),
)
_ITEM = re.compile(r"^(\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/([0-9]+))?$")


def _number(text: str, names: list[str], first: int) -> int:
    if text.isdigit():
        return int(text)
    if text in names:
        return names.index(text) + first
    raise ValueError(f"{text!r} is not a cron value")


def _jenkins_field(text: str, index: int) -> tuple[str, set[int]]:
    """One cron field in the subset Jenkins reads (numbers only; ``a/n`` as ``a-max/n``), and
    the values it matches."""
    low, high, names, first = _FIELDS[index]
    items: list[str] = []
    values: set[int] = set()
    for item in text.lower().split(","):
        match = _ITEM.match(item)
        if not match:
            raise ValueError(f"{item!r} is not a cron item")
        base, step_text = match.group(1), match.group(2)
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"step 0 in {item!r}")
        if base == "*":
            start, end = low, high
            out = "*"
        else:
            start_text, _, end_text = base.partition("-")
            start = _number(start_text, names, first)
            end = _number(end_text, names, first) if end_text else (
                high if step_text else start)
            if not low <= start <= end <= high:
                raise ValueError(f"{item!r} is out of range {low}-{high}")
            out = f"{start}-{end}" if end != start or step_text else f"{start}"
        items.append(f"{out}/{step}" if step_text else out)
        values.update(range(start, end + 1, step))
    return ",".join(items), values


def jenkins_cron(expression: str) -> list[str]:
    """A five-field POSIX cron expression as Jenkins cron lines that fire at the same times.

    * Minutes: a field that fires at minute 0 only becomes ``H``; one that fires every N
      minutes from minute 0 (``*/N``, ``0-59/N``, ``0,N,2N,...``) with N dividing 60 becomes
      ``H/N``. Jenkins replaces ``H`` with a fixed per-job offset, so each run moves later
      by less than its spacing (less than an hour for ``H``), never earlier, and the number
      and spacing of runs stay the same. Every other minute field is kept as written.
    * Hours, days, months and weekdays are never hashed. Month and weekday names become
      numbers, and ``a/N`` becomes ``a-max/N``: Jenkins reads neither.
    * POSIX cron fires when the day of month OR the weekday matches if both are restricted
      (neither starts with ``*``); Jenkins requires both. Such an expression becomes two
      lines, one per day field, which Jenkins unites.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{expression!r} does not have five fields")
    out = []
    for index, text in enumerate(fields):
        jenkins, values = _jenkins_field(text, index)
        if index == 0:
            jenkins = _hash_minutes(values) or jenkins
        out.append(jenkins)
    minute, hour, dom, month, dow = out
    if not fields[2].startswith("*") and not fields[4].startswith("*"):
        return [f"{minute} {hour} {dom} {month} *", f"{minute} {hour} * {month} {dow}"]
    return [" ".join(out)]


def _hash_minutes(values: set[int]) -> str | None:
    if values == {0}:
        return "H"
    for step in (2, 3, 4, 5, 6, 10, 12, 15, 20, 30):
        if values == set(range(0, 60, step)):
            return f"H/{step}"
    return None


def cron_lines(spec: Spec) -> list[str]:
    """The Jenkins cron spec: ``TZ=UTC`` (spec schedules are UTC), then one line per schedule
    (monitoring first, then retrain), duplicates dropped. Empty when nothing is scheduled."""
    if not owns_delivery(spec):
        return []
    schedules = [s for s in (scheduled_monitoring(spec),
                             spec.retrain.schedule if spec.retrain else None) if s]
    lines = list(dict.fromkeys(line for s in schedules for line in jenkins_cron(s)))
    return ["TZ=UTC", *lines] if lines else []


def scheduled_monitoring(spec: Spec) -> str | None:
    """The monitoring schedule, when monitoring has current data to compare (else nothing
    could run on it)."""
    monitoring = spec.monitoring
    if monitoring is None or monitoring.current_data is None:
        return None
    return monitoring.schedule


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
    drift: list[Var] = field(default_factory=list)
    builds_to_keep: int = BUILDS_TO_KEEP
    artifact_builds_to_keep: int = ARTIFACT_BUILDS_TO_KEEP
    out_dir: str = OUT_DIR
    report: str = REPORT
    approval_hours: int = APPROVAL_HOURS
    github_token: str = GITHUB_TOKEN_CREDENTIAL


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
        secret = kubeconfig_secret(spec, env)
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
        "validate": INSTALL_MINUTES + STEP_MINUTES,
        "render-check": STEP_MINUTES,
        "pr-train": train,
        "governance": STEP_MINUTES,
        "publish": INSTALL_MINUTES + STEP_MINUTES,
        "train": INSTALL_MINUTES + train,
        "evaluate": STEP_MINUTES,
        "upload": UPLOAD_MINUTES,
        "scheduled-train": INSTALL_MINUTES + train,
        "drift": DRIFT_MINUTES,
    }
    upload = spec.model.artifact.store is not None
    deployments = _deployments(ctx)
    monitoring = spec.monitoring
    drift = []
    if monitoring is not None and monitoring.current_data is not None:
        drift = [Var("MLOPS_REFERENCE", REFERENCE_PROFILE),
                 Var("MLOPS_CURRENT_DATA", monitoring.current_data)]
    cron = cron_lines(spec)
    # Every stage that exists has its own timeout; their sum bounds any one build.
    owner = owns_delivery(spec)
    present = ["validate", "render-check", "pr-train", "governance", "publish"]
    present += ["train", "evaluate"] if owner else []
    present += ["upload"] if upload and owner else []
    present += ["scheduled-train"] if cron else []
    present += ["drift"] if cron and drift else []
    total = sum(minutes[key] for key in present)
    total += sum(d.approval.minutes if d.approval else d.minutes for d in deployments)
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
            Var("MLOPS_SPEC_REQUIREMENT", f"mlops-spec[train,bot]=={__version__}"),
            Var("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
        ],
        cron=cron,
        main_branch=MAIN_BRANCH,
        timeout_minutes=total,
        names=names,
        minutes=minutes,
        store_secrets=[Var(name, name, credential=True) for name in store_secrets(spec)],
        upload=upload,
        deployments=deployments,
        owner=owner,
        drift=drift,
    )


def render(ctx: RenderContext) -> TargetOutput:
    text = render_template("jenkins/Jenkinsfile.j2", plan=plan(ctx))
    return TargetOutput(files=[OutputFile(ctx.in_model_dir(FILE), text, comment="//")])
