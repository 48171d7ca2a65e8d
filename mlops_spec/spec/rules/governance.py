"""Governance: roles that exist, high-risk production approved, the checklist
(M003, M017, M024)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_spec.spec.checklist import BUILTIN_CHECKS
from mlops_spec.spec.rules.finding import Finding, Path, duplicates
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.suggest import did_you_mean


def _defined_roles(spec: Spec) -> list[str]:
    return spec.owners.roles()


def roles_defined(spec: Spec) -> Iterator[Finding]:
    defined = _defined_roles(spec)

    def missing(role: str, path: Path, what: str) -> Finding:
        return Finding("M003", f"{what} role {role!r} has no members under owners", path,
                       f"add owners.{role} with at least one @user or @org/team")

    for e, env in enumerate(spec.deployment.environments):
        for a, role in enumerate(env.approvers):
            if role not in defined:
                yield missing(role, ("deployment", "environments", e, "approvers", a),
                              "approver")
    for c, check in enumerate(spec.governance.checklist):
        for a, role in enumerate(check.attested_by):
            if role not in defined:
                yield missing(role, ("governance", "checklist", c, "attested_by", a),
                              "attesting")


def high_risk_production_approved(spec: Spec) -> Iterator[Finding]:
    if spec.risk_tier != "high":
        return
    index = len(spec.deployment.environments) - 1
    production = spec.deployment.environments[index]
    if not production.approvers:
        yield Finding("M017", f"risk_tier high: production environment {production.name!r} "
                      "needs approvers", ("deployment", "environments", index),
                      "add approvers: [sme, ml_engineer] (roles under owners)")
    elif production.auto_deploy:
        yield Finding("M017", "risk_tier high: production must not auto_deploy",
                      ("deployment", "environments", index, "auto_deploy"),
                      "remove auto_deploy from production")


def checklist_known(spec: Spec) -> Iterator[Finding]:
    checklist = spec.governance.checklist
    dup = duplicates([c.id for c in checklist])
    for i, check in enumerate(checklist):
        if check.id in dup:
            yield Finding("M024", f"check {check.id!r} is listed twice",
                          ("governance", "checklist", i), "list each check once")
        if check.id not in BUILTIN_CHECKS and not check.attested_by:
            yield Finding("M024", f"{check.id!r} is not a built-in check",
                          ("governance", "checklist", i),
                          did_you_mean(check.id, BUILTIN_CHECKS)
                          or "built-in checks: " + ", ".join(BUILTIN_CHECKS)
                          + "; other checks need attested_by: [role]")
