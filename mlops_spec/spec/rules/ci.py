"""CI: providers listed once, the kubeconfig secrets push deploys and cluster training read
(M035, M040, M242)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_spec.conventions import SHARED_KUBECONFIG, kubeconfig_for, kubeconfig_secret
from mlops_spec.spec.rules.finding import Finding, duplicates
from mlops_spec.spec.sections import Spec


def ci_providers_unique(spec: Spec) -> Iterator[Finding]:
    for provider in duplicates(list(spec.ci.providers)):
        yield Finding("M035", f"CI provider {provider} is listed twice",
                      ("ci", "providers"), "list each provider once")


def kubeconfig_secrets_listed(spec: Spec) -> Iterator[Finding]:
    """GitHub-hosted deploy jobs read each environment's kubeconfig from a named secret.

    (Jenkins may instead use the agent's own cluster credentials, so it is not required
    there.)
    """
    if (spec.deployment.platform is None or spec.deployer != "github_actions"
            or spec.deployment.delivery.mode != "push"):
        return
    for i, env in enumerate(spec.deployment.environments):
        name = kubeconfig_secret(env.name)
        if name not in spec.ci.secrets:
            yield Finding("M040", f"environment {env.name!r} is deployed with the kubeconfig "
                          f"in the CI secret {name}, which ci.secrets does not list",
                          ("deployment", "environments", i, "name"),
                          f"add {name} to ci.secrets (and create the secret in your CI)")


def cluster_training_kubeconfig_listed(spec: Spec) -> Iterator[Finding]:
    """GitHub-hosted runners have no cluster access: the job submitting the training Job
    reads the first environment's kubeconfig from a listed secret."""
    if spec.training.platform != "kubernetes" or spec.deployer != "github_actions":
        return
    first = spec.deployment.environments[0].name
    if kubeconfig_for(list(spec.ci.secrets), first) is None:
        name = kubeconfig_secret(first)
        yield Finding("M242", f"training on kubernetes submits its Job to environment "
                      f"{first!r} with the kubeconfig in the CI secret {name} (or "
                      f"{SHARED_KUBECONFIG}), which ci.secrets does not list",
                      ("training", "platform"),
                      f"add {name} to ci.secrets (and create the secret in your CI)")
