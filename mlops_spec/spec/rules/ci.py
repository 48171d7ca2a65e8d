"""CI: providers listed once, the kubeconfig secrets push deploys read (M035, M040)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_spec.conventions import kubeconfig_secret
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
