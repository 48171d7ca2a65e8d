"""The semantic diff and its classes, on the pure core (no git): direction and matching."""

from __future__ import annotations

import pytest
from helpers import example_text, mutate

from mlops_spec.govern.classes import classify
from mlops_spec.govern.diff import diff, dump
from mlops_spec.spec.validate import validate_text


def _classes(*edits: tuple[str, str]) -> dict[str, set[str]]:
    base = validate_text("base", example_text()).spec
    head = validate_text("head", mutate(example_text(), *edits)).spec
    assert base is not None and head is not None
    out: dict[str, set[str]] = {}
    for c in classify(diff(base, head), base, head, dump(base), dump(head)):
        out.setdefault(c.change.dotted, set()).add(c.cls)
    return out


@pytest.mark.parametrize(("edits", "expected"), [
    ([("handling: drop}", "handling: hash}")],
     {"data.sources[applications].pii[email].handling": {"pii"}}),
    ([("handling: generalize}", "handling: drop}")],
     {"data.sources[applications].pii[zip_code].handling": {"data-source"}}),
    ([("retention_days: 730", "retention_days: 365")],
     {"data.sources[applications].retention_days": {"data-source"}}),
    ([("      retention_days: 730\n", "")],
     {"data.sources[applications].retention_days": {"pii"}}),
    ([("        - {column: email, category: contact, handling: drop}\n", "")],
     {"data.sources[applications].pii[email]": {"pii"}}),
    ([("features: all}", "features: [income, loan_amount]}")],
     {"monitoring.drift.features": {"monitoring-weakened"}}),
    ([("drift: {method: psi, threshold: 0.2, features: all}",
       "drift: {method: psi, threshold: 0.1, features: all}")],
     {"monitoring.drift.threshold": {"monitoring"}}),
    ([('  ml_engineer: ["@acme/ml-platform"]', '  ml_engineer: ["@ACME/ML-Platform"]')], {}),
    ([("    - {name: staging, namespace: ml-staging, auto_deploy: true}\n"
       "    - {name: production, namespace: ml-prod, approvers: [sme, ml_engineer]}",
       "    - {name: production, namespace: ml-prod, approvers: [sme, ml_engineer]}\n"
       "    - {name: staging, namespace: ml-staging, auto_deploy: true}")],
     {"deployment.environments (order)": {"deployment-production"}}),
    ([("namespace: ml-staging,", "namespace: ml-stage,")],
     {"deployment.environments[staging].namespace": {"deployment"}}),
    ([("namespace: ml-prod,", "namespace: ml-prod, model_version: " + "a" * 40 + ",")],
     {"deployment.environments[production].model_version": {"deployment-production"}}),
    ([("  timeout_minutes: 30", "  timeout_minutes: 40")], {"training.timeout_minutes": {"ci"}}),
])
def test_direction_and_matching(edits: list[tuple[str, str]],
                                expected: dict[str, set[str]]) -> None:
    assert _classes(*edits) == expected


def test_a_new_source_with_pii_is_data_source_and_pii() -> None:
    new = ("    - name: bureau\n      uri: data/bureau.csv\n      format: csv\n"
           "      owner: \"@dana\"\n      lawful_basis: contract\n      retention_days: 30\n"
           "      pii:\n        - {column: ssn, category: identifier, handling: hash}\n\n"
           "features:")
    classes = _classes(("\nfeatures:", "\n" + new))
    assert classes == {"data.sources[bureau]": {"data-source", "pii"}}
