"""The gate for one spec: diff -> classes -> policy in force -> checks -> approvals -> verdict.

Pure: the command hands in the two texts, the parsed approvals and evaluation, and which
review commits git found equal to the head; nothing here reads files or git.
"""

from __future__ import annotations

from typing import NamedTuple

from mlops_spec.diagnostics import Diagnostic, InputError, Severity
from mlops_spec.evaluation import Evaluation, spec_digest
from mlops_spec.govern import checks as registry
from mlops_spec.govern.approvals import Approvals, RoleDecision, decide
from mlops_spec.govern.checks import FAIL, NOT_APPLICABLE, PASS, PENDING, Evidence, Outcome
from mlops_spec.govern.classes import Classified, class_roles, classify, fallback_role
from mlops_spec.govern.diff import Change, diff, dump
from mlops_spec.govern.policy import Policy, in_force
from mlops_spec.spec.loader import LoadedDocument
from mlops_spec.spec.sections import Owners, Spec
from mlops_spec.spec.validate import Result, validate_text

TRAINED_FROM = frozenset({"data", "features", "model", "training"})


class SpecInput(NamedTuple):
    path: str
    head_text: str | None
    """The working tree's spec; ``None`` when the PR deletes it."""
    base_text: str | None
    """The spec at the base ref; ``None`` when new in the PR or no ``--base`` was given."""
    fresh: frozenset[str] = frozenset()
    """Review commits whose spec file equals the head's (asked of git by the caller)."""
    has_base: bool = True
    """A base ref was given (``False``: ``check`` without ``--base``)."""
    served: str | None = None
    """The version production serves by the base commit (its pin, else its overlay's
    ``model-version.env``): the champion a trusted evaluation must have compared with."""


class CheckResult(NamedTuple):
    id: str
    status: str
    reason: str
    diagnostics: list[Diagnostic]


class SpecResult(NamedTuple):
    name: str
    path: str
    verdict: str
    summary: str
    checks: list[CheckResult]
    changes: list[Classified]
    approvals: list[RoleDecision]
    diagnostics: list[Diagnostic]
    notes: list[str]
    policy: Policy | None
    evaluation: Evaluation | None
    document: LoadedDocument | None
    is_new: bool


def evidence_for(spec: Spec, evaluation: Evaluation | None, file: str | None,
                 only_spec: bool) -> Evidence:
    """Trust the evaluation only if it was produced from exactly this head's spec."""
    if evaluation is None:
        return Evidence(None, file, None)
    if evaluation.model != spec.name:
        if not only_spec:  # a monorepo run: the file is another spec's evidence
            return Evidence(None, file, None)
        return Evidence(None, file, f"{file} is the evaluation of model "
                        f"{evaluation.model!r}, not {spec.name!r}: foreign evidence", True)
    if evaluation.spec.digest != spec_digest(spec):
        return Evidence(None, file, f"{file} was produced from another version of the spec "
                        "(its spec digest differs from this head's): stale evidence")
    return Evidence(evaluation, file, None)


def _required_roles(needs: dict[str, list[str]], owners: Owners,
                    notes: list[str]) -> dict[str, list[str]]:
    """Role -> reasons, leaving out roles ``owners`` does not define (with a fallback)."""
    defined = owners.roles()
    required: dict[str, list[str]] = {}
    for reason, roles in needs.items():
        kept = [r for r in roles if r in defined]
        for role in roles:
            if role not in defined:
                notes.append(f"role {role} is not defined in owners on the base: left out "
                             f"of {reason}")
        if roles and not kept:
            kept = [fallback_role(defined)]
            notes.append(f"{reason}: none of its roles is defined, so {kept[0]} approves")
        for role in kept:
            required.setdefault(role, [])
            if reason not in required[role]:
                required[role].append(reason)
    return required


def _attested(outcome: Outcome, roles: tuple[str, ...],
              decisions: dict[str, RoleDecision]) -> Outcome:
    if outcome.status != PASS or not roles:
        return outcome
    wanted = [decisions[r] for r in roles if r in decisions]
    if any(d.blocked_by for d in wanted):
        return outcome._replace(status=FAIL, reason="changes requested by " + ", ".join(
            b for d in wanted for b in d.blocked_by))
    waiting = [d for d in wanted if not d.satisfied]
    if waiting:
        return outcome._replace(status=PENDING, reason="awaiting attestation by " + "; ".join(
            f"{d.role} ({', '.join(d.members)})" for d in waiting))
    return outcome._replace(reason=outcome.reason + " (attested by " + ", ".join(
        b for d in wanted for b in d.by) + ")")


def _verdict(checks: list[CheckResult], decisions: list[RoleDecision], invalid: bool) -> str:
    if invalid or any(c.status == FAIL for c in checks) or any(d.blocked_by for d in decisions):
        return FAIL
    if any(c.status == PENDING for c in checks) or not all(d.satisfied for d in decisions):
        return PENDING
    return PASS


def _summary(verdict: str, checks: list[CheckResult], decisions: list[RoleDecision]) -> str:
    parts = []
    for status, label in ((FAIL, "checks failing"), (PENDING, "checks pending")):
        ids = [c.id for c in checks if c.status == status]
        if ids:
            parts.append(f"{label}: {', '.join(ids)}")
    blocked = [b for d in decisions for b in d.blocked_by]
    if blocked:
        parts.append("changes requested by " + ", ".join(blocked))
    waiting = [d.role for d in decisions if not d.satisfied]
    if waiting:
        parts.append("awaiting " + ", ".join(waiting))
    if not parts:
        parts.append(f"{sum(c.status == PASS for c in checks)} checks passed, "
                     f"{len(decisions)} approvals")
    text = f"{verdict} — " + "; ".join(parts)
    return text if len(text) <= 140 else text[:139] + "…"


def _invalid(item: SpecInput, result: Result) -> SpecResult:
    errors = [d for d in result.diagnostics if d.is_error]
    name = result.spec.name if result.spec else item.path
    return SpecResult(name, item.path, FAIL, f"fail — the spec is invalid ({len(errors)} "
                      "errors)"[:140], [], [], [], result.diagnostics, [], None, None,
                      result.document, False)


def _load_base(item: SpecInput, notes: list[str]) -> Spec | None:
    if item.base_text is None:
        if not item.has_base:
            notes.append("no --base given: everything in the policy applies, as for a new "
                         "spec, and roles are held as this spec names them")
        return None
    base = validate_text(item.path, item.base_text)
    if base.unreadable:
        raise InputError([d._replace(message=f"the spec on the base is unreadable: {d.message}",
                                     code="G003", hint="fix it on the base branch first: its "
                                     "policy decides this pull request")
                          for d in base.diagnostics if d.is_error][:1] or [Diagnostic(
                              "G003", "the spec on the base is unreadable", item.path)])
    if base.spec is None:
        notes.append("the spec on the base does not validate: it is gated as a new spec")
    return base.spec


def _changes(item: SpecInput, base_spec: Spec | None, spec: Spec,
             doc: LoadedDocument | None) -> list[Classified]:
    if base_spec is not None:
        changes = classify(diff(base_spec, spec), base_spec, spec, dump(base_spec), dump(spec))
        if doc is not None:  # in the order a reader meets them in the head spec
            changes.sort(key=lambda c: (span.line, span.column) if (
                span := doc.locate(c.change.where)) else (0, 0))
        return changes
    label = "(new in this pull request)" if item.has_base else "(no --base: the whole spec)"
    return [Classified("new-spec", Change((), label, None, spec.name, ()))]


def semantic_changes(item: SpecInput) -> tuple[list[Classified], list[Diagnostic]]:
    """The classified changes of one spec (``diff``), or the head's errors when invalid."""
    notes: list[str] = []
    base_spec = _load_base(item, notes)
    if item.head_text is None:
        if base_spec is None:
            return [], []
        return [Classified("spec-deleted", Change((), "(spec deleted)", base_spec.name, None,
                                                  ()))], []
    head = validate_text(item.path, item.head_text)
    if head.spec is None or not head.ok:
        return [], [d for d in head.diagnostics if d.is_error]
    return _changes(item, base_spec, head.spec, head.document), []


def gate_spec(item: SpecInput, approvals: Approvals | None, evaluation: Evaluation | None,
              evaluation_file: str | None, only_spec: bool = True) -> SpecResult:
    """Decide one spec."""
    notes: list[str] = []
    base_spec = _load_base(item, notes)
    if item.head_text is None:
        assert base_spec is not None, "a deleted spec needs a readable base"
        return _deleted(item, base_spec, approvals, notes)
    head = validate_text(item.path, item.head_text)
    if head.spec is None or head.document is None or not head.ok:
        return _invalid(item, head)
    spec, doc = head.spec, head.document
    changes = _changes(item, base_spec, spec, doc)
    notes += list(dict.fromkeys(c.note for c in changes if c.note is not None))
    policy = in_force(base_spec, spec)
    cosmetic_only = all(c.cls == "cosmetic" for c in changes)
    trained = base_spec is None or any(c.change.path[:1] and c.change.path[0] in TRAINED_FROM
                                       for c in changes)
    ctx = registry.Context(spec, doc, policy, trained,
                           evidence_for(spec, evaluation, evaluation_file, only_spec),
                           item.served)

    needs: dict[str, list[str]] = {}
    for c in changes:
        roles = (spec.owners.roles() if base_spec is None
                 else class_roles(c.cls, base_spec))
        if roles:
            needs.setdefault(c.cls, roles)
    outcomes: dict[str, Outcome] = {}
    for check_id, attested_by in policy.checks.items():
        check = registry.CHECKS.get(check_id)
        if check is None:
            outcome = (Outcome(NOT_APPLICABLE, "only cosmetic changes: nothing to attest")
                       if cosmetic_only else Outcome(PASS, "attested check"))
        elif (why := check.applies(ctx)) is not None:
            outcome = Outcome(NOT_APPLICABLE, why)
        else:
            outcome = check.evaluate(ctx)
        attest = [*attested_by, *(r for r in outcome.attest if r not in attested_by)]
        if cosmetic_only:
            attest = []  # a typo fix needs nobody
        if outcome.status == PASS and attest:
            needs[check_id] = attest
        outcomes[check_id] = outcome

    required = _required_roles(needs, policy.owners, notes)
    decisions = decide(required, policy.owners, approvals, item.fresh)
    by_role = {d.role: d for d in decisions}
    results = []
    for check_id, outcome in outcomes.items():
        # The roles that attest it after undefined ones were left out (or the fallback).
        kept = tuple(r for r, reasons in required.items() if check_id in reasons)
        final = _attested(outcome, kept, by_role)
        results.append(CheckResult(check_id, final.status, final.reason,
                                   list(final.diagnostics)))
    diagnostics = [d for r in results for d in r.diagnostics]
    diagnostics += [Diagnostic("G021", f"{b} ({d.role}) requested changes", item.path,
                               hint="their approval, or a dismissal, lifts the block")
                    for d in decisions for b in d.blocked_by]
    diagnostics += [d for d in head.diagnostics if not d.is_error]
    verdict = _verdict(results, decisions, invalid=False)
    return SpecResult(spec.name, item.path, verdict, _summary(verdict, results, decisions),
                      results, changes, decisions, diagnostics, notes, policy,
                      ctx.evidence.evaluation, doc, base_spec is None)


def _deleted(item: SpecInput, base: Spec, approvals: Approvals | None,
             notes: list[str]) -> SpecResult:
    changes = [Classified("spec-deleted", Change((), "(spec deleted)", base.name, None, ()))]
    required = _required_roles({"spec-deleted": class_roles("spec-deleted", base)},
                               base.owners, notes)
    decisions = decide(required, base.owners, approvals, item.fresh)
    verdict = _verdict([], decisions, invalid=False)
    diagnostics = [Diagnostic("G021", f"{b} ({d.role}) requested changes", item.path,
                              severity=Severity.ERROR)
                   for d in decisions for b in d.blocked_by]
    return SpecResult(base.name, item.path, verdict, _summary(verdict, [], decisions), [],
                      changes, decisions, diagnostics, notes, None, None, None, False)
