"""GitHub Actions workflows: PR check, train and deploy, monitor and retrain, release.

Every decision is made here on the typed spec; the templates in
``templates/github_actions/`` only lay out the plan. Security rules the plan follows:

* ``permissions: {}`` at the top of every workflow and the least each job needs; jobs that
  run training (user code) never hold a write token: writing jobs only move files that a
  read-only job produced.
* Every ``uses:`` is pinned to a commit SHA from ``mlops_spec.render.pins``; checkout
  never persists credentials.
* Spec values reach ``run:`` scripts only through ``env:`` and are read as ``"$VAR"``; the
  scripts themselves are constants. Secrets are referenced by name, never rendered.
* Only ``pull_request``, ``push``, ``schedule`` and ``workflow_dispatch`` triggers: no
  ``pull_request_target`` and no ``workflow_run``. Jobs of manually dispatched workflows
  run on the main branch only.
* Pull-request jobs get only the secrets named ``*_READONLY``, under the names the tool
  reads (``conventions.read_only_secrets``: the champion is fetched with them), and no OIDC
  token: nothing that can write the store or a cluster. The monitor trains nothing: it
  compares current data with the profile stored with production's version (``drift
  --champion``) and gets the same ``*_READONLY`` store secrets alone. On main,
  the store is written by an ``upload`` job that runs no model code; it, the deploy jobs
  and a train job submitting a cluster Job alone get ``id-token: write`` with
  ``ci.oidc_role`` (AWS, GCP or Azure; see docs/delivery.md, OIDC).
* Concurrency is per job purpose: training, each environment's deployment and the monitor
  each have their own group, so a pending production approval blocks nothing else.
* With both CI providers, only ``ci.deployer`` trains on main, deploys, monitors and
  releases; the other renders the pull-request check alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from mlops_spec.conventions import (
    DEPLOY_MINUTES,
    DRIFT_MINUTES,
    MAIN_BRANCH,
    PR_TOKEN_SECRET,
    SETUP_MINUTES,
    STEP_MINUTES,
    kubeconfig_secret,
    read_only_secrets,
    store_secrets,
    training_inputs,
)
from mlops_spec.render import cluster_train, oidc, promotion, push
from mlops_spec.render.environment import render_template
from mlops_spec.render.escaping import (
    Escaped,
    UnsafeValue,
    github_secret,
    github_string,
    literal,
    yaml_scalar,
)
from mlops_spec.render.install import job_install, runtime_pin
from mlops_spec.render.outputs import OutputFile, RenderContext, TargetOutput
from mlops_spec.render.pins import uses
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.types import is_remote_store

WORKFLOW_DIR = ".github/workflows"
RETRAIN_RECORD = "retrain/evaluation.json"
"""Committed by a retrain pull request, relative to the model directory."""
RUN_ARTIFACT_DAYS = 7
"""Longest a run keeps uploaded outputs (model, profiles, datasheets); shorter when a data
source's retention_days is."""
MAIN_ONLY = "github.ref == 'refs/heads/main'"

_CRON_TEXT = re.compile(r"^[0-9a-z*,/ -]+$")


def applies(spec: Spec) -> bool:
    return "github_actions" in spec.ci.providers


def workflow_path(spec: Spec, purpose: str) -> str:
    return f"{WORKFLOW_DIR}/mlops-{spec.name}-{purpose}.yml"


@dataclass(frozen=True, slots=True)
class EnvSecret:
    """An environment variable filled from a CI secret of the same name."""

    name: str
    ref: Escaped


@dataclass(frozen=True, slots=True)
class DeployJob:
    id: str
    environment: str
    overlay: str
    needs: list[str]
    kubeconfig: EnvSecret
    notes: list[str]
    variables: dict[str, str]
    concurrency: str


@dataclass(slots=True)
class Plan:
    """What every workflow template receives (spec values stay raw until filtered)."""

    model: str
    spec_path: str
    model_dir: str
    python: str
    runs_on: str
    secrets: list[EnvSecret]
    job_minutes: int
    pins: dict[str, Escaped]
    retention_days: int
    oidc_env: list[EnvSecret]
    """What steps that assume ci.oidc_role read (jobs that run no model code only)."""
    oidc_fetch: list[EnvSecret]
    """What the step fetching GitHub's OIDC token for ci.oidc_role reads."""
    oidc_cloud: str | None

    @property
    def oidc(self) -> bool:
        return bool(self.oidc_env)


def _env_secrets(names: list[str]) -> list[EnvSecret]:
    return [EnvSecret(name, github_secret(name)) for name in names]


def _cron(cron: str) -> str:
    # Validated by the model already; checked again because it enters an expression.
    if not _CRON_TEXT.match(cron):
        raise UnsafeValue(f"unexpected characters in cron expression {cron!r}")
    return cron


def _oidc_env(spec: Spec) -> list[EnvSecret]:
    """What the cloud SDKs read to use ``ci.oidc_role`` with the token file. A secret of
    the same name in ci.secrets wins (a step's env cannot hold a name twice)."""
    if spec.ci.oidc_role is None:
        return []
    return [EnvSecret(name, value) for name, value in oidc.cloud_env(spec.ci.oidc_role)
            if name not in spec.ci.secrets]


def _oidc_fetch(spec: Spec) -> list[EnvSecret]:
    if spec.ci.oidc_role is None:
        return []
    return [EnvSecret(name, value) for name, value in oidc.fetch_env(spec.ci.oidc_role)]


def _retention_days(spec: Spec) -> int:
    limits = [s.retention_days for s in spec.data.sources if s.retention_days is not None]
    return min([RUN_ARTIFACT_DAYS, *limits])


def _base_plan(ctx: RenderContext) -> Plan:
    spec = ctx.spec
    return Plan(
        model=spec.name,
        spec_path=ctx.spec_path,
        model_dir=ctx.model_dir,
        python=spec.ci.python,
        runs_on=spec.ci.runs_on,
        secrets=_env_secrets(store_secrets(list(spec.ci.secrets))),
        job_minutes=spec.training.timeout_minutes + SETUP_MINUTES,
        pins={
            "checkout": uses("actions/checkout"),
            "setup_python": uses("actions/setup-python"),
            "upload_artifact": uses("actions/upload-artifact"),
            "download_artifact": uses("actions/download-artifact"),
        },
        retention_days=_retention_days(spec),
        oidc_env=_oidc_env(spec),
        oidc_fetch=_oidc_fetch(spec),
        oidc_cloud=spec.ci.oidc_role.cloud if spec.ci.oidc_role else None,
    )


def _read_only_env(spec: Spec) -> list[EnvSecret]:
    """``conventions.read_only_secrets``: each ``<NAME>_READONLY`` as ``<NAME>``."""
    return [EnvSecret(variable, github_secret(secret))
            for variable, secret in read_only_secrets(list(spec.ci.secrets))]


def _pull_request_plan(spec: Spec, plan: Plan) -> Plan:
    """The plan of pull-request jobs: read-only secrets only, under the names the tool
    reads, and no OIDC."""
    return replace(plan, oidc_env=[], oidc_fetch=[], oidc_cloud=None,
                   secrets=_read_only_env(spec))


def _remote_store(spec: Spec) -> bool:
    # A local store on a CI runner vanishes with the runner: upload only to a remote one.
    store = spec.model.artifact.store
    return store is not None and is_remote_store(store)


def _workflow(ctx: RenderContext, purpose: str, template: str, **context: Any) -> OutputFile:
    text = render_template(f"github_actions/{template}", **context)
    return OutputFile(workflow_path(ctx.spec, purpose), text)


# --- the workflows -------------------------------------------------------------------------


def pr_check(ctx: RenderContext, plan: Plan) -> OutputFile:
    """Validate, render --check, train and evaluate (job check); gate and report (job gate)."""
    spec = ctx.spec
    scoped = ctx.model_dir != "."
    relevant = "steps.changes.outputs.relevant == 'true' && " if scoped else ""
    gated = "(steps.gate.outcome == 'success' || steps.gate.outcome == 'failure')"
    same_repo = "github.event.pull_request.head.repo.full_name == github.repository"
    return _workflow(
        ctx, "pr", "pr.yml.j2", plan=_pull_request_plan(spec, plan),
        workflow_name=f"mlops {plan.model}: PR check",
        job_name=f"mlops-spec check ({plan.model})",
        gate_name=f"mlops-spec gate ({plan.model})",
        # A monorepo PR that does not touch this model passes at once, so the job can be a
        # required check (a path-filtered workflow would leave it pending forever).
        scoped=scoped,
        model_dir=ctx.model_dir,
        workflows=f":(glob){WORKFLOW_DIR}/mlops-{plan.model}-*",
        gate=literal("steps.changes.outputs.relevant == 'true'") if scoped else None,
        keep_if=literal(f"{relevant}!cancelled() && (steps.train.outcome == 'success' || "
                        "steps.restore.outcome == 'success')"),
        gate_job_if=literal("!cancelled() && needs.check.outputs.evaluated == 'true'"),
        # Once the gate ran (passed or failed), its report goes on the PR when GitHub gives
        # the PR a token that can write, else into the job summary.
        publish_if=literal(f"!cancelled() && {gated} && {same_repo}"),
        summary_if=literal(f"!cancelled() && {gated} && !({same_repo})"),
        artifact=f"mlops-{plan.model}-evaluation",
        check_requirement=job_install(spec, "validate", "render", "train"),
        check_pin=runtime_pin(spec, "train"),
        gate_requirement=job_install(spec, "approvals", "check", "publish"),
        status_context=f"mlops-spec/{plan.model}: {MAIN_BRANCH}",
        workflow_file=workflow_path(ctx.spec, "pr").rsplit("/", 1)[1],
        # On a review, reuse the evaluation of the same head; train only without one.
        evidence_if=literal(f"{relevant}github.event_name == 'pull_request_review'"),
        train_if=literal(f"{relevant}steps.restore.outcome != 'success'"),
        minutes=STEP_MINUTES,
    )


def train_and_deploy(ctx: RenderContext, plan: Plan) -> OutputFile:
    """On main: train, evaluate, store the artifact, deploy each environment in order."""
    spec = ctx.spec
    deploys: list[DeployJob] = []
    if push.ci_deploys(spec):
        previous = "upload" if _remote_store(spec) else "train"
        for env in spec.deployment.environments:
            job_id = f"deploy-{env.name}"
            secret = kubeconfig_secret(env.name)
            overlay = ctx.in_model_dir(f"deploy/{env.name}")
            deploys.append(DeployJob(
                id=job_id, environment=env.name, overlay=overlay,
                needs=["decide", previous], kubeconfig=EnvSecret(secret, github_secret(secret)),
                notes=_approval_notes(spec, env.name, previous),
                variables=push.variables(spec, env, overlay),
                concurrency=f"mlops-{spec.name}-deploy-{env.name}"))
            previous = job_id
    argocd = promotion.by_pull_request(spec)
    return _workflow(
        ctx, "deploy", "deploy.yml.j2", plan=plan,
        workflow_name=f"mlops {plan.model}: train and "
                      + ("deploy" if deploys else "store"),
        branch=MAIN_BRANCH,
        # The training inputs and this workflow (a pin-only merge matches: decide skips it).
        paths=[*training_inputs(spec, ctx.spec_path, ctx.model_dir),
               workflow_path(spec, "deploy")],
        main_only=literal(MAIN_ONLY),
        # Training runs when the decide job says so; a deploy also runs after a skipped
        # training (a pin-only change still reaches the cluster), never after a failure.
        train_if=literal(f"{MAIN_ONLY} && needs.decide.outputs.train == 'true'"),
        deploy_if=literal(f"!cancelled() && !failure() && {MAIN_ONLY}"),
        decide_requirement=job_install(spec, "needs-training"),
        decide_minutes=STEP_MINUTES,
        decide_group=yaml_scalar("${{ format('{0}-{1}', "
                                 f"{github_string(f'mlops-{spec.name}-decide')}, github.sha) }}}}"),
        train_group=f"mlops-{spec.name}-train",
        upload_group=f"mlops-{spec.name}-upload",
        upload=_remote_store(spec),
        deploys=deploys,
        argocd=argocd,
        batch=spec.deployment.mode == "batch",
        # Argo CD: promotion pull requests bring the version to each environment in turn.
        **promotion.github_context(spec, MAIN_ONLY, "upload" if _remote_store(spec) else "train"),
        promote_requirement=job_install(spec, "promotion-pr"),
        # The train job runs the model's code (or submits the Job that does, with the first
        # environment's kubeconfig); the upload job alone writes versions to the store.
        cluster=cluster_train.github(spec),
        upload_requirement=job_install(spec, "upload"),
        minutes=DEPLOY_MINUTES,
    )


def _approval_notes(spec: Spec, env_name: str, previous: str) -> list[str]:
    env = next(e for e in spec.deployment.environments if e.name == env_name)
    after = {"train": "training", "upload": "the upload"}.get(
        previous, previous.removeprefix("deploy-"))
    if env.auto_deploy and not env.approvers:
        return [f"GitHub environment {env.name}: deploys automatically once {after} "
                "succeeded (add no required reviewers)."]
    handles = [h for role in env.approvers for h in spec.owners.handles(role)]
    if not handles:
        handles = [h for role in spec.owners.roles() for h in spec.owners.handles(role)]
    roles = ", ".join(env.approvers) if env.approvers else "any owner"
    return [f"GitHub environment {env.name}: protect it with required reviewers ({roles}):",
            "  " + " ".join(dict.fromkeys(handles))]


def monitor_and_retrain(ctx: RenderContext, plan: Plan) -> OutputFile | None:
    """Scheduled drift and decay checks; a fired trigger or a schedule opens a retrain PR."""
    spec = ctx.spec
    monitoring, retrain = spec.monitoring, spec.retrain
    watch = (monitoring is not None and monitoring.current_data is not None
             and (monitoring.drift is not None or monitoring.performance is not None))
    triggers = bool(retrain and retrain.on) and watch
    retrain_cron = retrain.schedule if retrain else None
    if not watch and not (retrain and (retrain_cron or triggers)):
        return None
    crons: list[str] = []
    if watch and monitoring is not None:
        crons.append(_cron(monitoring.schedule))
    if retrain_cron:
        crons.append(_cron(retrain_cron))
    crons = list(dict.fromkeys(crons))

    monitor_if = retrain_if = None
    if watch and monitoring is not None:
        monitor_if = literal(f"{MAIN_ONLY} && (github.event_name == 'workflow_dispatch' || "
                             f"github.event.schedule == {github_string(monitoring.schedule)})")
    conditions = []
    if triggers:
        conditions.append("needs.monitor.outputs.fired == 'true'")
    if retrain_cron:
        conditions.append(f"github.event.schedule == {github_string(retrain_cron)}")
    conditions.append("(github.event_name == 'workflow_dispatch' && inputs.retrain)")
    retrain_if = literal(("!cancelled() && " if triggers else "") + f"{MAIN_ONLY} && ("
                         + " || ".join(conditions) + ")")
    token = promotion.pull_request_token(spec)
    return _workflow(
        ctx, "monitor", "monitor.yml.j2", plan=plan,
        workflow_name=f"mlops {plan.model}: monitor and retrain",
        concurrency_group=f"mlops-{spec.name}-monitor",
        crons=crons,
        watch=watch, triggers=triggers, retrain=retrain is not None,
        monitor_if=monitor_if, retrain_if=retrain_if,
        current_data=monitoring.current_data if monitoring else None,
        # It runs no model code and writes nothing: read-only store and data access only.
        monitor_secrets=_read_only_env(spec),
        record=ctx.in_model_dir(RETRAIN_RECORD),
        token=token,
        # What started the retrain names its branch: monitoring, schedule, workflow_dispatch.
        trigger_expression=literal("${{ needs.monitor.outputs.fired == 'true' && 'monitoring' "
                                   "|| github.event_name }}" if triggers
                                   else "${{ github.event_name }}"),
        trigger=literal("${{ needs.retrain.outputs.trigger }}"),
        pull_request_requirement=job_install(spec, "retrain-pr"),
        own_token=PR_TOKEN_SECRET in spec.ci.secrets,
        monitor_requirement=job_install(spec, "drift"),
        monitor_minutes=SETUP_MINUTES + DRIFT_MINUTES,
        retrain_requirement=job_install(spec, "train"),
        retrain_pin=runtime_pin(spec, "train"),
        minutes=DEPLOY_MINUTES,
    )


def release(ctx: RenderContext, plan: Plan) -> OutputFile | None:
    """Embedded models: a pushed tag ``<name>/v*`` builds and publishes a GitHub release."""
    spec = ctx.spec
    if spec.deployment.mode != "embedded":
        return None
    return _workflow(
        ctx, "release", "release.yml.j2", plan=plan,
        workflow_name=f"mlops {plan.model}: release",
        tag=f"{plan.model}/v*",
        upload=_remote_store(spec),
        environment=spec.production.name,
        notes=_approval_notes(spec, spec.production.name, "train"),
        requirement=job_install(spec, "validate", "train",
                                    *(["upload"] if _remote_store(spec) else [])),
        minutes=DEPLOY_MINUTES,
    )


def render(ctx: RenderContext) -> TargetOutput:
    plan = _base_plan(ctx)
    files: list[OutputFile | None] = [pr_check(ctx, plan)]
    if ctx.spec.deployer == "github_actions":
        files += [train_and_deploy(ctx, plan), monitor_and_retrain(ctx, plan),
                  release(ctx, plan)]
    return TargetOutput(files=[f for f in files if f is not None])
