"""Features: known sources, the target kept out, transforms by type, dropped PII
(M001, M002, M019, M023)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_spec.spec.rules.finding import Finding
from mlops_spec.spec.sections import CATEGORICAL_TRANSFORMS, NUMERIC_TRANSFORMS, Spec
from mlops_spec.spec.suggest import did_you_mean


def feature_sources_exist(spec: Spec) -> Iterator[Finding]:
    names = [s.name for s in spec.data.sources]
    for i, feature in enumerate(spec.features.columns):
        if feature.source not in names:
            yield Finding("M001", f"feature {feature.name!r} comes from unknown source "
                          f"{feature.source!r}", ("features", "columns", i, "source"),
                          did_you_mean(feature.source, names)
                          or f"defined sources: {', '.join(names)}")
    target_source = spec.features.target_source
    if target_source is not None and target_source not in names:
        yield Finding("M001", f"target source {target_source!r} is not a data source",
                      ("features", "target_source"),
                      did_you_mean(target_source, names) or f"defined: {', '.join(names)}")


def target_not_a_feature(spec: Spec) -> Iterator[Finding]:
    for i, feature in enumerate(spec.features.columns):
        if feature.name == spec.features.target:
            yield Finding("M002", f"the target {feature.name!r} is also a feature",
                          ("features", "columns", i, "name"),
                          "remove it from features.columns: a model must not see its label")


def transforms_suit_types(spec: Spec) -> Iterator[Finding]:
    for i, feature in enumerate(spec.features.columns):
        allowed = {"numeric": NUMERIC_TRANSFORMS, "categorical": CATEGORICAL_TRANSFORMS,
                   "boolean": frozenset({"none"})}[feature.type]
        if feature.transform not in allowed:
            yield Finding("M019", f"transform {feature.transform!r} does not apply to a "
                          f"{feature.type} feature", ("features", "columns", i, "transform"),
                          f"use one of: {', '.join(sorted(allowed))}")


def pii_not_used_when_dropped(spec: Spec) -> Iterator[Finding]:
    dropped = {(s.name, p.column) for s in spec.data.sources for p in s.pii
               if p.handling == "drop"}
    for i, feature in enumerate(spec.features.columns):
        if (feature.source, feature.name) in dropped:
            yield Finding("M023", f"feature {feature.name!r} is PII marked handling: drop "
                          f"in source {feature.source!r}", ("features", "columns", i, "name"),
                          "remove the feature, or change the column's PII handling")
