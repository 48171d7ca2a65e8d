"""CI: providers listed once, the kubeconfig secrets push deploys and cluster training read,
the token that opens promotion pull requests (M035, M040, M220, M242)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_spec.conventions import (
    PR_TOKEN_SECRET,
    SHARED_KUBECONFIG,
    kubeconfig_for,
    kubeconfig_secret,
)
from mlops_spec.diagnostics import Severity
from mlops_spec.spec.rules.finding import Finding, Path, duplicates
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


def pull_request_token_listed(spec: Spec) -> Iterator[Finding]:
    """Argo CD delivery promotes by pull request. GitHub starts no workflow for a pull
    request opened with the workflow's own GITHUB_TOKEN, so without MLOPS_PR_TOKEN the
    promotion pull request's gate check never runs (and auto-merge waits for it forever).
    (Jenkins opens them with its own credential: not GitHub's rule.)"""
    if (spec.deployment.platform is None or spec.deployment.delivery.mode != "argocd"
            or spec.deployer != "github_actions" or PR_TOKEN_SECRET in spec.ci.secrets):
        return
    path: Path = ("ci", "secrets") if "secrets" in spec.ci.model_fields_set else ("ci",)
    yield Finding("M220", f"ci.secrets does not list {PR_TOKEN_SECRET}: the deploy workflow "
                  "then opens promotion pull requests with its own GITHUB_TOKEN, for which "
                  "GitHub starts no workflow, so their governance check would never run",
                  path, f"add {PR_TOKEN_SECRET} to ci.secrets and create that secret: a "
                  "fine-grained token (or GitHub App token) with Contents and Pull requests "
                  "read and write on this repository", Severity.WARNING)
