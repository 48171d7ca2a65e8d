"""What the deploying pipelines run to train on main: ``train`` on the runner, or, with
``training.platform: kubernetes``, ``submit-training`` (a Job in the first environment's
namespace, its outputs fetched into the same output directory) with that environment's
kubeconfig. Both CI targets read it, so they submit the same way."""

from __future__ import annotations

from dataclasses import dataclass

from mlops_spec.conventions import kubeconfig_for, kubeconfig_secret
from mlops_spec.render.escaping import Escaped, github_secret
from mlops_spec.render.install import JobInstall, job_install, runtime_pin
from mlops_spec.spec.sections import Spec


def in_cluster(spec: Spec) -> bool:
    return spec.training.platform == "kubernetes"


def train_commands(spec: Spec) -> tuple[str, ...]:
    """The commands the main branch's training job or stage runs (``check --promotion``
    gates what it trained)."""
    return (("validate", "submit-training", "check") if in_cluster(spec)
            else ("validate", "train", "check"))


def kubeconfig(spec: Spec) -> str | None:
    """The listed secret holding the kubeconfig training submits with: the first
    environment's ``KUBECONFIG_<ENV>``, else the shared ``KUBECONFIG``; None when neither
    is listed (a Jenkins agent's own access; GitHub requires one, M242)."""
    if not in_cluster(spec):
        return None
    return kubeconfig_for(list(spec.ci.secrets), spec.deployment.environments[0].name)


@dataclass(frozen=True, slots=True)
class Secret:
    name: str
    ref: Escaped


@dataclass(frozen=True, slots=True)
class GithubTraining:
    """The deploy workflow's train job (templates/github_actions/deploy.yml.j2)."""

    requirement: JobInstall
    pin: str | None
    """The runtime's scikit-learn: only where the runner trains (the image brings its own)."""
    kubeconfig: Secret | None
    """Set when the job submits the training Job instead of training."""


def github(spec: Spec) -> GithubTraining:
    commands = train_commands(spec)
    if not in_cluster(spec):
        return GithubTraining(job_install(spec, *commands), runtime_pin(spec, *commands), None)
    name = kubeconfig(spec) or kubeconfig_secret(spec.deployment.environments[0].name)
    return GithubTraining(job_install(spec, *commands), None, Secret(name, github_secret(name)))
