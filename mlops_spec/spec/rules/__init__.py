"""Meaning-level checks across sections of a spec that already has the right shape.

Each rule is a small function, in the module of the section it is about, registered in
``RULES`` with its own diagnostic code. A rule receives the typed spec and yields findings
located by their data path; the validator turns paths into file, line and column. Adding a
rule is one function plus one row here: ``RULES`` is the order findings come out in.
"""

from __future__ import annotations

from mlops_spec.spec.rules import (
    ci,
    data,
    deployment,
    features,
    governance,
    kubernetes,
    model,
    monitoring,
    oidc,
)
from mlops_spec.spec.rules.finding import Finding, Path, Rule
from mlops_spec.spec.sections import Spec

__all__ = ["RULES", "Finding", "Path", "Rule", "check"]

RULES: tuple[Rule, ...] = (
    data.sources_and_features_unique,
    features.feature_sources_exist,
    data.sources_joined,
    features.target_not_a_feature,
    features.transforms_suit_types,
    features.pii_not_used_when_dropped,
    governance.roles_defined,
    data.source_owner_listed,
    model.metrics_suit_task,
    model.bounds_point_the_right_way,
    model.estimator_fits_task,
    model.split_suits_task,
    model.training_runner_consistent,
    deployment.platform_matches_mode,
    deployment.strategy_possible,
    deployment.autoscaling_bounds,
    deployment.resources_sane,
    deployment.environments_unique,
    deployment.serving_needs_store,
    governance.high_risk_production_approved,
    monitoring.drift_features_exist,
    monitoring.drift_threshold_used,
    monitoring.retrain_triggers_configured,
    governance.checklist_known,
    ci.ci_providers_unique,
    kubernetes.kubernetes_manifests_possible,
    kubernetes.kubernetes_settings_used,
    kubernetes.cluster_serving_explicit,
    kubernetes.cluster_training_hands_back,
    ci.kubeconfig_secrets_listed,
    ci.cluster_training_kubeconfig_listed,
    ci.pull_request_token_listed,
    oidc.oidc_role_complete,
    oidc.oidc_identifiers_well_formed,
    oidc.oidc_cloud_matches_store,
    oidc.oidc_role_used,
    deployment.delivery_complete,
)

MODULES = (data, features, model, deployment, kubernetes, monitoring, governance, ci, oidc)
"""The section modules, for tests that read every rule."""


def check(spec: Spec) -> list[Finding]:
    """Every finding of every rule, in rule order."""
    return [finding for rule in RULES for finding in rule(spec)]
