"""Bars: each change class, made alone in a real PR branch, requires exactly its roles and
passes once one member of each required role approves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gate_helpers import MEMBERS, GateRepo, roles_for, spec_of

from mlops_spec.govern.classes import CLASSES, RULES

CASES = [
    ("owners", [('data_scientist: ["@sam"]', 'data_scientist: ["@sam", "@newbie"]')],
     {"architect"}),
    ("data-source", [("evidence: https://wiki.acme.example/datasets/applications",
                      "evidence: https://wiki.acme.example/datasets/applications-v2")],
     {"data_engineer"}),
    ("pii", [("lawful_basis: contract", "lawful_basis: consent")], {"data_engineer", "sme"}),
    ("features", [("type: numeric, transform: log}", "type: numeric, transform: standard}")],
     {"data_scientist"}),
    ("model", [("max_iter: 200", "max_iter: 300")], {"data_scientist"}),
    ("model", [("roc_auc: {min: 0.80}", "roc_auc: {min: 0.82}")], {"data_scientist"}),
    ("promotion-weakened", [("roc_auc: {min: 0.80}", "roc_auc: {min: 0.75}")],
     {"data_scientist", "sme"}),
    ("promotion-weakened", [("max_drop: 0.01", "max_drop: 0.02")], {"data_scientist", "sme"}),
    ("deployment-production", [("namespace: ml-prod,", "namespace: ml-production,")],
     {"ml_engineer", "sme"}),  # ml_engineer plus production's approvers (sme, ml_engineer)
    ("deployment-production", [("min_replicas: 2", "min_replicas: 3")], {"ml_engineer", "sme"}),
    ("deployment", [("auto_deploy: true", "auto_deploy: false")], {"ml_engineer"}),
    ("store", [('  artifact: {format: skops, store: "s3://acme-models/credit-risk"}\n',
                '  artifact: {format: skops, store: "s3://acme-models/credit-risk"}\n'
                '  registry: {tracking_uri: "https://mlflow.elsewhere.example"}\n')],
     {"ml_engineer", "architect"}),
    ("monitoring-weakened", [("threshold: 0.2, features: all", "threshold: 0.3, features: all")],
     {"ml_engineer", "data_scientist"}),
    ("monitoring-weakened", [("performance: {metric: roc_auc, min: 0.75}",
                              "performance: {metric: roc_auc, min: 0.70}")],
     {"ml_engineer", "data_scientist"}),
    ("retrain", [('schedule: "0 3 * * 1"', 'schedule: "0 4 * * 1"')], {"ml_engineer"}),
    ("ci", [('python: "3.11"', 'python: "3.12"')], {"ml_engineer"}),
    ("governance-weakened", [("    - {id: fairness-review, attested_by: [sme]}\n", "")],
     {"sme", "architect"}),
    ("governance-weakened", [("risk_tier: high", "risk_tier: medium")], {"sme", "architect"}),
    ("governance-weakened", [("approvers: [sme, ml_engineer]", "approvers: [ml_engineer]")],
     {"sme", "architect"}),
    ("governance-strengthened", [("    - monitoring-configured\n",
                                  "    - monitoring-configured\n    - retention-declared\n")],
     set()),
]


@pytest.mark.parametrize(("cls", "edits", "roles"), CASES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES)])
def test_each_class_requires_exactly_its_roles(tmp_path: Path, cls: str,
                                               edits: list[tuple[str, str]],
                                               roles: set[str]) -> None:
    repo = GateRepo(tmp_path / "repo")
    repo.edit(*edits)
    code, report = repo.check()
    spec = spec_of(report)
    assert code == 1 and spec["verdict"] == "pending"
    assert {c["class"] for c in spec["changes"]} == {cls}
    assert roles_for(spec, cls) == roles
    # Attested checks apply to every non-cosmetic change: fairness (sme), security (architect).
    required = {a["role"] for a in spec["approvals"]}
    assert required == roles | {"sme", "architect"}
    assert all(not a["satisfied"] for a in spec["approvals"])

    head = repo.commit("the change")
    approvals = repo.approvals(*[(MEMBERS[r], "APPROVED", head) for r in sorted(required)])
    evidence = repo.evaluation()
    code, report = repo.check("--approvals", approvals, "--evaluation", evidence)
    spec = spec_of(report)
    assert code == 0, spec["summary"]
    assert spec["verdict"] == report["verdict"] == "pass"
    assert all(a["satisfied"] for a in spec["approvals"])

    # One role missing keeps it pending.
    missing = sorted(required)[0]
    partial = repo.approvals(*[(MEMBERS[r], "APPROVED", head) for r in sorted(required)
                               if r != missing])
    code, report = repo.check("--approvals", partial, "--evaluation", evidence)
    assert code == 1 and spec_of(report)["verdict"] == "pending"
    assert [a["role"] for a in spec_of(report)["approvals"] if not a["satisfied"]] == [missing]


def test_description_only_change_passes_with_no_approvals(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")
    repo.edit(("Predicts 12-month default risk", "Predicts the 12-month default risk"),
              ("Not used to auto-reject.", "Never used to auto-reject."))
    code, report = repo.check()
    spec = spec_of(report)
    assert code == 0 and spec["verdict"] == "pass"
    assert {c["class"] for c in spec["changes"]} == {"cosmetic"}
    assert spec["approvals"] == []
    assert {c["id"]: c["status"] for c in spec["checks"]}["fairness-review"] == "not_applicable"


def test_style_order_and_defaults_are_no_change(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")
    repo.edit(
        # flow -> block style, quoting, comments
        ("  split: {test_size: 0.2, stratify: true, seed: 42}",
         "  split:  # the same split\n    seed: 42\n    stratify: true\n    test_size: 0.2"),
        ("  data_engineer: [\"@dana\"]", "  data_engineer: ['@dana']"),
        # named items reordered
        ("    - {name: income, source: applications, type: numeric, transform: log}\n", ""),
        ("    - {name: home_ownership, source: applications, type: categorical, "
         "transform: one_hot}\n",
         "    - {name: home_ownership, source: applications, type: categorical, "
         "transform: one_hot}\n"
         "    - {name: income, source: applications, type: numeric, transform: log}\n"),
        # a default written out
        ("{name: employment_years, source: applications, type: numeric}",
         "{name: employment_years, source: applications, type: numeric, transform: none}"),
    )
    code, out, _ = repo.run("diff", "--base", "main")
    assert code == 0 and "no change in meaning" in out
    code, report = repo.check()
    assert code == 0 and spec_of(report)["changes"] == []


def test_thresholds_raised_and_lowered_have_a_direction(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")
    repo.edit(("thresholds: {roc_auc: {min: 0.80}, f1: {min: 0.55}}",
               "thresholds: {roc_auc: {min: 0.85}}"))
    code, out, _ = repo.run("diff", "--base", "main", "--format", "json")
    import json

    assert code == 0

    rows = {r["path"]: r["class"] for r in json.loads(out)["changes"]}
    assert rows == {"model.promotion.thresholds.roc_auc.min": "model",
                    "model.promotion.thresholds.f1": "promotion-weakened"}


def test_p_value_drift_threshold_lowered_is_weakened(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")
    repo.edit(("drift: {method: psi, threshold: 0.2, features: all}",
               "drift: {method: ks, threshold: 0.05, features: all}"))
    repo.commit()
    base = repo.commit("base2")
    repo.edit(("threshold: 0.05", "threshold: 0.01"))
    code, report = repo.check(base=base)
    assert code == 1
    assert {c["class"] for c in spec_of(report)["changes"]} == {"monitoring-weakened"}


def test_every_spec_field_has_a_rule() -> None:
    """No field falls through to the catch-all: each top-level key has its rule."""
    from mlops_spec.spec.sections import Spec

    tops = {pattern[0] for pattern, _ in RULES}
    fields = {f.alias or name for name, f in Spec.model_fields.items()}
    assert fields <= tops, fields - tops
    assert all(role_list is not None for role_list in CLASSES)


@pytest.mark.parametrize(("edit", "rows"), [
    # moved to a store the pull request controls
    (('store: "s3://acme-models/credit-risk"', 'store: "s3://pr-bucket/credit-risk"'),
     {("model.artifact.store", "store"), ("model.artifact.store", "deployment-production")}),
    (("  allow_pickle_serving: true\n",
      "  allow_pickle_serving: true\n  store_access: {secret: model-store, "
      "endpoint: \"https://minio.pr.example:9000\"}\n"),
     {("deployment.store_access", "store"), ("deployment.store_access",
                                             "deployment-production")}),
])
def test_store_changes_in_every_direction(tmp_path: Path, edit: tuple[str, str],
                                          rows: set[tuple[str, str]]) -> None:
    import json

    repo = GateRepo(tmp_path / "repo")
    repo.edit(edit)
    code, out, err = repo.run("diff", "--base", "main", "--format", "json")
    assert code == 0, err
    assert {(r["path"], r["class"]) for r in json.loads(out)["changes"]} == rows
    code, report = repo.check()
    assert code == 1 and {"ml_engineer", "architect"} <= roles_for(spec_of(report), "store")


def test_a_store_moved_back_needs_the_same_approvals(tmp_path: Path) -> None:
    """Registry settings removed (no more registry to read) are a store change too."""
    repo = GateRepo(tmp_path / "repo")
    repo.edit(('  artifact: {format: skops, store: "s3://acme-models/credit-risk"}\n',
               '  artifact: {format: skops, store: "s3://acme-models/credit-risk"}\n'
               "  registry: {model_name: credit-risk}\n"))
    base = repo.commit("registry")
    repo.edit(("  registry: {model_name: credit-risk}\n", ""))
    code, report = repo.check(base=base)
    assert code == 1
    assert {c["class"] for c in spec_of(report)["changes"]} == {"store"}


@pytest.mark.parametrize(("change", "classes"), [
    # the account of an az:// store is where its versions are read from
    (lambda role: role.update(storage_account="prstorage"), {"store", "ci"}),
    (lambda role: role.pop("storage_account"), {"store", "ci"}),
    # another field of the role: only ci
    (lambda role: role.update(subscription_id="ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee"),
     {"ci"}),
])
def test_an_az_store_account_is_a_store_change(tmp_path: Path, change: Any,
                                               classes: set[str]) -> None:
    import yaml
    from variants import variant

    data = variant("azure-oidc")
    repo = GateRepo(tmp_path / "repo", yaml.safe_dump(data))
    change(data["ci"]["oidc_role"])
    repo.write(yaml.safe_dump(data))
    code, report = repo.check()
    assert code == 1
    assert {c["class"] for c in spec_of(report)["changes"]} == classes
