"""Monitoring and retraining: watched features, drift thresholds, retrain triggers
(M015, M016, M056)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_spec.diagnostics import Severity
from mlops_spec.spec.rules.finding import Finding
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.suggest import did_you_mean


def drift_features_exist(spec: Spec) -> Iterator[Finding]:
    if not spec.monitoring or not spec.monitoring.drift:
        return
    watched = spec.monitoring.drift.features
    if watched == "all":
        return
    names = [f.name for f in spec.features.columns]
    for i, name in enumerate(watched):
        if name not in names:
            yield Finding("M015", f"drift watches {name!r}, which is not a feature",
                          ("monitoring", "drift", "features", i),
                          did_you_mean(name, names) or f"features: {', '.join(names)}")


def drift_threshold_used(spec: Spec) -> Iterator[Finding]:
    drift = spec.monitoring.drift if spec.monitoring else None
    if drift is not None and drift.method == "auto" and drift.threshold is not None:
        yield Finding("M056", "drift.threshold has no effect with method auto: each feature "
                      "uses the default threshold of the method auto picks for it",
                      ("monitoring", "drift", "threshold"),
                      "name a method (psi, ks, wasserstein, jensen_shannon, chi_square) to "
                      "use this threshold, or remove it", Severity.WARNING)


def retrain_triggers_configured(spec: Spec) -> Iterator[Finding]:
    if not spec.retrain:
        return
    monitoring = spec.monitoring
    for i, trigger in enumerate(spec.retrain.on):
        configured = monitoring is not None and getattr(monitoring, trigger) is not None
        if not configured:
            yield Finding("M016", f"retrain on {trigger}, but monitoring.{trigger} is not "
                          "configured", ("retrain", "on", i),
                          f"add monitoring.{trigger}, or remove the trigger")
    if not spec.retrain.on and spec.retrain.schedule is None:
        yield Finding("M016", "retrain has neither triggers nor a schedule", ("retrain",),
                      "add on: [drift] or a schedule, or remove the retrain section")
