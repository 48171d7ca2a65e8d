"""Bars: policy and role holders come from the base branch; approval rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_helpers import MEMBERS, GateRepo, roles_for, spec_of, status

ALL = ("carol", "dana", "sam", "mo", "ari")


def _everyone(repo: GateRepo, head: str) -> Path:
    return repo.approvals(*[(login, "APPROVED", head) for login in ALL])


@pytest.fixture
def repo(tmp_path: Path) -> GateRepo:
    return GateRepo(tmp_path / "repo")


def test_removing_a_checklist_item_still_gates(repo: GateRepo) -> None:
    repo.edit(("    - {id: security-review, attested_by: [architect]}\n", ""))
    head = repo.commit()
    code, report = repo.check()
    spec = spec_of(report)
    assert status(spec, "security-review") == "pending"  # still in force: base policy
    assert "security-review" in {r for a in spec["approvals"] for r in a["reasons"]}
    approvals = repo.approvals(*[(m, "APPROVED", head) for m in ("carol",)])
    code, report = repo.check("--approvals", approvals)
    assert code == 1 and spec_of(report)["verdict"] == "pending"  # architect still needed


def test_lowering_the_risk_tier_keeps_the_base_floor(repo: GateRepo) -> None:
    repo.edit(("risk_tier: high", "risk_tier: low"),
              ("    - data-provenance\n", ""),
              ("      evidence: https://wiki.acme.example/datasets/applications\n", ""))
    head = repo.commit()
    code, report = repo.check("--approvals", _everyone(repo, head))
    spec = spec_of(report)
    assert code == 1 and spec["verdict"] == "fail"
    assert status(spec, "data-provenance") == "fail"
    finding = next(d for d in spec["diagnostics"] if d["code"] == "G010")
    line = repo.text().splitlines().index("    - name: applications") + 1
    assert finding["file"] == "models/credit/mlops.yaml" and finding["line"] == line
    assert "governance-weakened" in {c["class"] for c in spec["changes"]}


def test_emptying_the_checklist_still_gates(repo: GateRepo) -> None:
    start = repo.text().index("  checklist:\n")
    end = repo.text().index("  intended_use:")
    text = repo.text()
    repo.write(text[:start] + "  checklist:\n    - {id: lgtm, attested_by: [data_engineer]}\n"
               + text[end:])
    head = repo.commit()
    code, report = repo.check("--approvals", repo.approvals(("dana", "APPROVED", head)))
    spec = spec_of(report)
    assert code == 1
    ids = {c["id"] for c in spec["checks"]}
    assert {"fairness-review", "security-review", "promotion-thresholds", "lgtm"} <= ids
    assert status(spec, "fairness-review") == "pending"
    # An empty list is not even a valid spec: a failing finding, not a way around the gate.
    repo.write(text[:start] + "  checklist: []\n" + text[end:])
    code, report = repo.check()
    assert code == 1 and spec_of(report)["verdict"] == "fail"
    assert spec_of(report)["diagnostics"]


def test_a_handle_the_pr_adds_to_owners_cannot_approve_as_that_role(repo: GateRepo) -> None:
    repo.edit(('data_scientist: ["@sam"]', 'data_scientist: ["@sam", "@mallory"]'),
              ("max_iter: 200", "max_iter: 300"))
    head = repo.commit()
    others = [(m, "APPROVED", head) for m in ("carol", "ari")]
    code, report = repo.check("--approvals", repo.approvals(("mallory", "APPROVED", head),
                                                           *others),
                              "--evaluation", repo.evaluation())
    spec = spec_of(report)
    scientist = next(a for a in spec["approvals"] if a["role"] == "data_scientist")
    assert scientist["members"] == ["@sam"] and not scientist["satisfied"]
    assert code == 1


def test_the_authors_own_approval_never_counts(repo: GateRepo) -> None:
    repo.edit(("max_iter: 200", "max_iter: 300"))
    head = repo.commit()
    reviews = [("SAM", "APPROVED", head), ("carol", "APPROVED", head), ("ari", "APPROVED", head)]
    code, report = repo.check("--approvals", repo.approvals(*reviews, author="sam"),
                              "--evaluation", repo.evaluation())
    assert code == 1
    assert "data_scientist" in {a["role"] for a in spec_of(report)["approvals"]
                                if not a["satisfied"]}
    code, report = repo.check("--approvals", repo.approvals(*reviews, author="pat"),
                              "--evaluation", repo.evaluation())
    assert code == 0


def test_a_stale_approval_does_not_count_but_an_equal_spec_does(repo: GateRepo) -> None:
    repo.edit(("max_iter: 200", "max_iter: 300"))
    first = repo.commit()
    (repo.root / "README.md").write_text("docs only\n")
    same_spec = repo.commit("docs")
    reviews = [("sam", "APPROVED", first), ("carol", "APPROVED", first),
               ("ari", "APPROVED", first)]
    code, _ = repo.check("--approvals", repo.approvals(*reviews, head=same_spec),
                         "--evaluation", repo.evaluation())
    assert code == 0  # the push after the approvals left the spec as approved
    repo.edit(("max_iter: 300", "max_iter: 400"))
    changed = repo.commit("push after approval")
    code, report = repo.check("--approvals", repo.approvals(*reviews, head=changed),
                              "--evaluation", repo.evaluation())
    spec = spec_of(report)
    assert code == 1 and all(not a["satisfied"] for a in spec["approvals"])
    assert any("approve again" in n for a in spec["approvals"] for n in a["notes"])


def test_a_dismissed_review_and_a_later_comment(repo: GateRepo) -> None:
    repo.edit(("max_iter: 200", "max_iter: 300"))
    head = repo.commit()
    base = [("carol", "APPROVED", head), ("ari", "APPROVED", head)]
    dismissed = repo.approvals(*base, ("sam", "APPROVED", head), ("sam", "DISMISSED", head))
    code, report = repo.check("--approvals", dismissed, "--evaluation", repo.evaluation())
    assert code == 1
    assert not next(a for a in spec_of(report)["approvals"]
                    if a["role"] == "data_scientist")["satisfied"]
    commented = repo.approvals(*base, ("sam", "APPROVED", head), ("sam", "COMMENTED", head))
    code, _ = repo.check("--approvals", commented, "--evaluation", repo.evaluation())
    assert code == 0  # a comment does not replace the standing approval


def test_changes_requested_by_a_member_blocks(repo: GateRepo) -> None:
    repo.edit(("max_iter: 200", "max_iter: 300"))
    head = repo.commit()
    approved = [(m, "APPROVED", head) for m in ("sam", "carol", "ari")]
    code, report = repo.check("--approvals", repo.approvals(
        *approved, ("mo", "CHANGES_REQUESTED", repo.base)), "--evaluation", repo.evaluation())
    # mo is ml_engineer, not required by a model change: no block
    assert code == 0
    blocked = repo.approvals(("sam", "CHANGES_REQUESTED", repo.base), *approved[1:])
    code, report = repo.check("--approvals", blocked, "--evaluation", repo.evaluation())
    spec = spec_of(report)
    assert code == 1 and spec["verdict"] == "fail"
    role = next(a for a in spec["approvals"] if a["role"] == "data_scientist")
    assert role["changes_requested_by"] == ["sam"] and not role["satisfied"]
    lifted = repo.approvals(("sam", "CHANGES_REQUESTED", repo.base), *approved)
    code, report = repo.check("--approvals", lifted, "--evaluation", repo.evaluation())
    assert code == 0  # the same person approved later


def test_handles_and_teams_match_case_insensitively(repo: GateRepo) -> None:
    repo.edit(("auto_deploy: true", "auto_deploy: false"))
    head = repo.commit()
    reviews = [{"login": "Mo", "state": "APPROVED", "commit_id": head,
                "teams": ["ACME/ML-Platform"]},
               {"login": "CAROL", "state": "APPROVED", "commit_id": head,
                "teams": ["Acme/Credit-Analysts"]},
               ("Ari", "APPROVED", head)]
    code, report = repo.check("--approvals", repo.approvals(*reviews))
    assert code == 0, spec_of(report)["summary"]


def test_roles_undefined_on_base_are_left_out_and_said(tmp_path: Path) -> None:
    from helpers import example_text, mutate

    text = mutate(example_text(), ('  data_engineer: ["@dana"]\n', ""),
                  ('owner: "@dana"', 'owner: "@ari"'))
    repo = GateRepo(tmp_path / "repo", text)
    repo.edit(("evidence: https://wiki.acme.example/datasets/applications",
               "evidence: https://wiki.acme.example/datasets/v2"))
    code, report = repo.check()
    assert code == 1
    spec = spec_of(report)
    # data-source needs data_engineer, undefined on base: the fallback (architect) approves
    assert roles_for(spec, "data-source") == {"architect"}
    assert any("data_engineer" in n for n in spec["notes"])


def test_base_class_table_extensions_apply_and_only_add(tmp_path: Path) -> None:
    from helpers import example_text, mutate

    text = mutate(example_text(), ("  intended_use: >-", "  change_classes:\n"
                  "    - {name: pricing, paths: [model.params.learning_rate], roles: "
                  "[product_owner, data_engineer]}\n"
                  "    - {name: cosmetic, roles: [ml_engineer]}\n  intended_use: >-"))
    repo = GateRepo(tmp_path / "repo", text)
    repo.edit(("learning_rate: 0.05", "learning_rate: 0.1"))
    code, report = repo.check()
    spec = spec_of(report)
    assert {c["class"] for c in spec["changes"]} == {"model", "pricing"}
    assert roles_for(spec, "pricing") == {"data_engineer"}  # product_owner undefined: said
    # The PR removing the extension is governance-weakened, and the base's table still rules.
    repo.write(text.replace("learning_rate: 0.05", "learning_rate: 0.1").replace(
        "    - {name: pricing, paths: [model.params.learning_rate], roles: "
        "[product_owner, data_engineer]}\n", ""))
    code, report = repo.check()
    classes = {c["class"] for c in spec_of(report)["changes"]}
    assert classes == {"model", "pricing", "governance-weakened"}
    # A cosmetic change under a table that gives cosmetic a role needs that role.
    repo.write(text.replace("Predicts 12-month", "Predicts twelve-month"))
    code, report = repo.check()
    assert code == 1 and roles_for(spec_of(report), "cosmetic") == {"ml_engineer"}


def test_new_spec_in_the_pr_is_guarded(tmp_path: Path) -> None:
    from helpers import example_text, mutate

    repo = GateRepo(tmp_path / "repo")
    new = mutate(example_text(), ("name: credit-risk", "name: fraud"),
                 ("risk_tier: high", "risk_tier: low"),
                 ("    - data-provenance\n    - pii-lawful-basis\n", ""))
    repo.write(new, "models/fraud/mlops.yaml")
    head = repo.commit("new model")
    code, report = repo.check()
    spec = spec_of(report, "models/fraud/mlops.yaml")
    assert [s["path"] for s in report["specs"]] == ["models/fraud/mlops.yaml"]
    assert spec["changes"][0]["class"] == "new-spec"
    ids = {c["id"] for c in spec["checks"]}
    assert {"data-provenance", "pii-lawful-basis", "model-card", "promotion-thresholds",
            "monitoring-configured"} <= ids  # the strictest floor, whatever tier it claims
    assert roles_for(spec, "new-spec") == set(MEMBERS)
    code, report = repo.check("--approvals", _everyone(repo, head), "--evaluation",
                              repo.evaluation())
    spec = spec_of(report, "models/fraud/mlops.yaml")
    assert code == 1 and spec["verdict"] == "fail"  # the credit model's evaluation: foreign
    assert "foreign evidence" in next(c["reason"] for c in spec["checks"]
                                      if c["id"] == "promotion-thresholds")
    repo.path = "models/fraud/mlops.yaml"
    code, report = repo.check("models/fraud/mlops.yaml", "--approvals", _everyone(repo, head),
                              "--evaluation", repo.evaluation())
    assert code == 0, spec_of(report, "models/fraud/mlops.yaml")["summary"]


def test_deleted_spec_needs_approval(repo: GateRepo) -> None:
    (repo.root / repo.path).unlink()
    head = repo.commit("remove the model")
    code, report = repo.check()
    spec = spec_of(report)
    assert code == 1 and spec["changes"][0]["class"] == "spec-deleted"
    assert roles_for(spec, "spec-deleted") == {"ml_engineer", "architect", "sme"}
    code, report = repo.check(repo.path, "--approvals", repo.approvals(
        *[(m, "APPROVED", head) for m in ("mo", "ari", "carol")]))
    assert code == 0


def test_monorepo_gates_every_touched_spec_only(tmp_path: Path) -> None:
    from helpers import example_text, mutate

    repo = GateRepo(tmp_path / "repo")
    other = mutate(example_text(), ("name: credit-risk", "name: churn"))
    repo.write(other, "models/churn/mlops.yaml")
    repo.write(other.replace("name: churn", "name: upsell"), "models/upsell/mlops.yaml")
    base = repo.commit("more models")
    repo.edit(("max_iter: 200", "max_iter: 300"), path="models/churn/mlops.yaml")
    repo.edit(("Predicts 12-month", "Predicts twelve-month"), path="models/upsell/mlops.yaml")
    code, report = repo.check(base=base)
    assert [s["path"] for s in report["specs"]] == ["models/churn/mlops.yaml",
                                                    "models/upsell/mlops.yaml"]
    assert [s["verdict"] for s in report["specs"]] == ["pending", "pass"]
    assert report["verdict"] == "pending" and code == 1
    code, report = repo.check("models", base=base)
    assert len(report["specs"]) == 3
