"""Data sources: unique names, joins, owners listed (M018, M027, M004)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_spec.spec.rules.finding import Finding, duplicates
from mlops_spec.spec.sections import ROLES, Spec
from mlops_spec.spec.suggest import did_you_mean


def sources_and_features_unique(spec: Spec) -> Iterator[Finding]:
    dup_sources = duplicates([s.name for s in spec.data.sources])
    for i, source in enumerate(spec.data.sources):
        if source.name in dup_sources:
            yield Finding("M018", f"data source name {source.name!r} is used twice",
                          ("data", "sources", i, "name"), "give each source its own name")
    dup_features = duplicates([f.name for f in spec.features.columns])
    for i, feature in enumerate(spec.features.columns):
        if feature.name in dup_features:
            yield Finding("M018", f"feature {feature.name!r} is listed twice",
                          ("features", "columns", i, "name"), "list each feature once")


def sources_joined(spec: Spec) -> Iterator[Finding]:
    known = {s.name for s in spec.data.sources}
    used = {f.source for f in spec.features.columns} & known
    if len(used) > 1 and not spec.data.join_on:
        yield Finding("M027", f"features come from {len(used)} sources "
                      f"({', '.join(sorted(used))}) but data.join_on is not set",
                      ("data",), "name the key columns that join the sources in data.join_on")


def source_owner_listed(spec: Spec) -> Iterator[Finding]:
    listed = {handle.lower() for role in ROLES for handle in spec.owners.handles(role)}
    for i, source in enumerate(spec.data.sources):
        if source.owner.lower() not in listed:
            yield Finding("M004", f"source owner {source.owner} is not listed under owners",
                          ("data", "sources", i, "owner"),
                          did_you_mean(source.owner, sorted(listed))
                          or "add them to the owners role they belong to")
