"""ci.oidc_role: the cloud's identifiers are complete and well formed, and the identity
is one the workflows can use (M260-M267)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_spec.diagnostics import Severity
from mlops_spec.spec import oidc
from mlops_spec.spec.rules.finding import Finding
from mlops_spec.spec.sections import OidcRole, Spec
from mlops_spec.spec.types import is_remote_store

_AT = ("ci", "oidc_role")
_FORMAT_CODES = {"role_arn": "M262", "workload_identity_provider": "M263",
                 "service_account": "M264"}
"""The format rule of each field; the Azure GUIDs and the account name share M265."""


def _set_fields(role: OidcRole) -> list[str]:
    return [name for name in oidc.FORMATS if getattr(role, name) is not None]


def oidc_role_complete(spec: Spec) -> Iterator[Finding]:
    """Each cloud names what its token exchange needs, and nothing of another cloud."""
    role = spec.ci.oidc_role
    if role is None:
        return
    for name in oidc.REQUIRED[role.cloud]:
        if getattr(role, name) is None:
            yield Finding("M260", f"ci.oidc_role (cloud: {role.cloud}) has no {name}", _AT,
                          f"add {name}: {oidc.FORMATS[name].what}, e.g. "
                          f"{oidc.FORMATS[name].example}")
    for name in _set_fields(role):
        if name not in oidc.fields_of(role.cloud):
            yield Finding("M261", f"{name} is not a setting of cloud: {role.cloud}",
                          (*_AT, name), f"remove it, or set cloud to the one it belongs to "
                          f"({role.cloud} takes {', '.join(oidc.fields_of(role.cloud))})")


def oidc_identifiers_well_formed(spec: Spec) -> Iterator[Finding]:
    """Identifiers a cloud would reject only at run time, on main, after the merge."""
    role = spec.ci.oidc_role
    if role is None:
        return
    for name in _set_fields(role):
        if name not in oidc.fields_of(role.cloud):
            continue  # M261 says so
        value = getattr(role, name)
        spec_format = oidc.FORMATS[name]
        if spec_format.pattern.match(value):
            continue
        message = f"{name} {value!r} is not {spec_format.what}"
        hint = f"write it like {spec_format.example}"
        code = _FORMAT_CODES.get(name)
        if code == "M262":
            yield Finding("M262", message, (*_AT, name), hint + " (IAM > Roles > the "
                          "role's ARN)")
        elif code == "M263":
            yield Finding("M263", message, (*_AT, name), hint + " (gcloud iam "
                          "workload-identity-pools providers describe ... --format="
                          "'value(name)')")
        elif code == "M264":
            yield Finding("M264", message, (*_AT, name), hint)
        else:
            yield Finding("M265", message, (*_AT, name), hint + " (Microsoft Entra: the "
                          "app registration's or managed identity's Overview page)")


def oidc_cloud_matches_store(spec: Spec) -> Iterator[Finding]:
    """A warning, not an error: the identity may be meant for the cluster (push mode)
    while static secrets in ci.secrets reach a store on another cloud."""
    role = spec.ci.oidc_role
    store = spec.model.artifact.store
    cloud = oidc.store_cloud(store)
    if role is None or cloud is None or cloud == role.cloud:
        return
    yield Finding("M266", f"ci.oidc_role federates with {role.cloud}, but the artifact store "
                  f"{store} is on {cloud}: the upload job cannot write it with this identity",
                  (*_AT, "cloud"), f"use cloud: {cloud} with its identifiers, or list "
                  "the store's static credentials in ci.secrets if the role is meant for "
                  "the cluster only", Severity.WARNING)


def oidc_role_used(spec: Spec) -> Iterator[Finding]:
    """Only GitHub Actions' main-branch upload and push-deploy jobs use the role."""
    role = spec.ci.oidc_role
    if role is None:
        return
    if spec.deployer != "github_actions":
        yield Finding("M267", f"ci.oidc_role is used by GitHub Actions only, but "
                      f"{spec.deployer} deploys (ci.deployer)", _AT,
                      "remove ci.oidc_role, or let GitHub Actions deploy; on Jenkins, "
                      "give the agent the cloud identity instead", Severity.WARNING)
        return
    store = spec.model.artifact.store
    uploads = store is not None and is_remote_store(store)
    push = spec.deployment.platform is not None and spec.deployment.delivery.mode == "push"
    if not uploads and not push:
        yield Finding("M267", "ci.oidc_role is used by no job: nothing uploads to a remote "
                      "store and no environment is deployed from CI (push mode)", _AT,
                      "remove ci.oidc_role, or set model.artifact.store to the remote "
                      "store it may write", Severity.WARNING)
