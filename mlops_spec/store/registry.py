"""The optional MLflow Model Registry (``model.registry``): a catalogue over the store.

The store stays the source of truth (it holds the bytes the cluster serves); the registry
records each stored version as a model version whose ``source`` is ``<store>/<version>``,
tagged with the git commit, the spec digest and the metrics, and moves one alias per
environment (``staging``, ``production``) to the version deployed there. Registration is
idempotent (found by the ``mlops_spec.version`` tag), so re-running ``upload`` after a
registry outage completes it. Needs the ``mlflow`` extra (mlflow-skinny has the client).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_spec.diagnostics import require
from mlops_spec.store.errors import StoreError, redact

if TYPE_CHECKING:
    from mlops_spec.evaluation import Evaluation
    from mlops_spec.spec.sections import Spec
    from mlops_spec.store.location import Location

VERSION_TAG = "mlops_spec.version"


def registered_name(spec: Spec) -> str:
    registry = spec.model.registry
    return (registry.model_name if registry and registry.model_name else None) or spec.name


def _tracking_uri(spec: Spec) -> str:
    registry = spec.model.registry
    uri = (registry.tracking_uri if registry else None) or os.environ.get("MLFLOW_TRACKING_URI")
    if not uri:
        raise StoreError.single("A012", "model.registry has no tracking_uri and "
                                "MLFLOW_TRACKING_URI is not set", "",
                                hint="set model.registry.tracking_uri, or MLFLOW_TRACKING_URI "
                                     "in the job's environment")
    return uri


@contextlib.contextmanager
def _registry_errors(spec: Spec, action: str) -> Iterator[None]:
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as exc:
        raise StoreError.single(
            "A012", f"the MLflow registry refused to {action}: "
                    f"{redact(str(exc.message))[:500]}", redact(_tracking_uri(spec)),
            hint="check the tracking URI and MLFLOW_TRACKING_TOKEN (or USERNAME/PASSWORD) in "
                 "the environment") from None


def _client(spec: Spec) -> Any:
    require("mlflow", "mlflow", "the MLflow model registry (model.registry)")
    from mlflow.tracking import MlflowClient

    uri = _tracking_uri(spec)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _git_commit(spec_file: Path) -> str | None:
    for key in ("GITHUB_SHA", "GIT_COMMIT"):  # GitHub Actions, Jenkins
        if os.environ.get(key):
            return os.environ[key]
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=spec_file.resolve().parent,
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def find_version(client: Any, name: str, version: str) -> Any | None:
    """The registry's model version recording store ``version``, or None."""
    # name and version match their patterns (no quotes), so the filter cannot be escaped.
    matches = client.search_model_versions(
        f"name = '{name}' and tags.`{VERSION_TAG}` = '{version}'")
    for found in matches:
        if found.tags.get(VERSION_TAG) == version:
            return found
    return None


def check_usable(spec: Spec, location: Location) -> None:
    """Refuse, before anything is stored, what the registry would refuse afterwards."""
    if location.scheme == "file" and not _tracking_uri(spec).startswith(("sqlite:", "file:")):
        raise StoreError.single(
            "A012", "an MLflow server does not accept a local directory as a model "
                    f"version's source ({location.uri})", "",
            hint="register versions of a remote store (model.artifact.store: s3://...)")


def register(spec: Spec, spec_file: Path, location: Location, version: str,
             record: Evaluation) -> str:
    """Record store ``version`` in the registry (once); returns ``models:/<name>/<n>``."""
    check_usable(spec, location)
    client = _client(spec)
    name = registered_name(spec)
    with _registry_errors(spec, f"register {name} version {version}"):
        from mlflow.exceptions import MlflowException

        try:
            client.create_registered_model(name, description=spec.description)
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        found = find_version(client, name, version)
        if found is None:
            tags = {VERSION_TAG: version, "mlops_spec.spec_digest": record.spec.digest,
                    "mlops_spec.decision": record.decision,
                    **{f"metric.{metric}": repr(value)
                       for metric, value in sorted(record.metrics.items())}}
            commit = _git_commit(spec_file)
            if commit:
                tags["git_commit"] = commit
            found = client.create_model_version(name, source=location.version_uri(version),
                                                tags=tags, description=spec.description)
    return f"models:/{name}/{found.version}"


def set_alias(spec: Spec, environment: str, version: str) -> str:
    """Point alias ``environment`` at the model version of store ``version``."""
    client = _client(spec)
    name = registered_name(spec)
    with _registry_errors(spec, f"move alias {environment} of {name}"):
        found = find_version(client, name, version)
        if found is None:
            raise StoreError.single(
                "A013", f"version {version} is not registered in {name}", "",
                hint="run `mlops-spec upload` for it (upload registers each version)")
        client.set_registered_model_alias(name, environment, found.version)
    return f"models:/{name}@{environment} -> version {found.version}"
