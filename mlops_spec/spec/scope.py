"""Environment over deployment: the one precedence rule for settings both levels may hold.

``deployment.resources`` (and ``autoscaling``) apply to every environment that does not set
its own; the meaning rules, the Kubernetes manifests and (next) training and the gate read
settings through these functions so that they all agree on which value applies where.
"""

from __future__ import annotations

from typing import Any

from mlops_spec.spec.sections import Autoscaling, Environment, Resources, Spec

Path = tuple[str | int, ...]

SCOPED = ("resources", "autoscaling")
"""Settings an environment may override; the deployment-level value is the default."""


def declared(spec: Spec, setting: str) -> list[tuple[Path, Any]]:
    """Every place ``setting`` is declared, deployment level first: (data path, value or
    None). For rules that check each declaration where it is written."""
    assert setting in SCOPED, setting
    places: list[tuple[Path, Any]] = [(("deployment", setting),
                                       getattr(spec.deployment, setting))]
    places += [(("deployment", "environments", i, setting), getattr(env, setting))
               for i, env in enumerate(spec.deployment.environments)]
    return places


def resources(spec: Spec, env: Environment | None) -> Resources | None:
    """The resources that apply in ``env`` (None: the deployment level, deploy/base)."""
    own = env.resources if env is not None else None
    return own or spec.deployment.resources


def autoscaling(spec: Spec, env: Environment | None) -> Autoscaling | None:
    """The autoscaling that applies in ``env`` (None: the deployment level)."""
    own = env.autoscaling if env is not None else None
    return own or spec.deployment.autoscaling
