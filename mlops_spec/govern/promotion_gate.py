"""The promotion rules alone: may the version main just trained be stored and promoted?

A pull request's evaluation comes from the pull request's own run, and the champion may
have changed since; what ships is retrained on main (build once), so main gates *that*
evaluation against ``model.promotion`` before it stores the version (``check --promotion``).
No diff, no approvals: the merged spec is the reviewed policy. Pure, like ``gate``.
"""

from __future__ import annotations

from mlops_spec.evaluation import Evaluation
from mlops_spec.govern import checks as registry
from mlops_spec.govern.checks import FAIL, NOT_APPLICABLE, PASS, PENDING, Outcome
from mlops_spec.govern.gate import CheckResult, SpecResult, evidence_for
from mlops_spec.govern.policy import in_force
from mlops_spec.spec.validate import validate_text

PROMOTION_CHECKS = ("promotion-thresholds", "champion-challenger")
"""The checks that judge a trained model rather than a change."""


def gate_promotion(path: str, text: str, evaluation: Evaluation | None,
                   evaluation_file: str | None, served: str | None) -> SpecResult:
    """Pass when every promotion rule the spec sets holds for ``evaluation``; ``served`` is
    the version production serves by the merged commit (its champion must be that one)."""
    head = validate_text(path, text)
    if head.spec is None or head.document is None or not head.ok:
        errors = [d for d in head.diagnostics if d.is_error]
        return SpecResult("?" if head.spec is None else head.spec.name, path, FAIL,
                          "the spec is invalid", [], [], [], errors, [], None, None,
                          head.document, False)
    spec, doc = head.spec, head.document
    policy = in_force(spec, spec)
    ctx = registry.Context(spec, doc, policy, True,
                           evidence_for(spec, evaluation, evaluation_file, True), served)
    results = []
    for check_id in PROMOTION_CHECKS:
        check = registry.CHECKS[check_id]
        why = check.applies(ctx)
        outcome = Outcome(NOT_APPLICABLE, why) if why is not None else check.evaluate(ctx)
        results.append(CheckResult(check_id, outcome.status, outcome.reason,
                                   list(outcome.diagnostics)))
    failed = [r for r in results if r.status in (FAIL, PENDING)]
    verdict = FAIL if any(r.status == FAIL for r in failed) else PENDING if failed else PASS
    summary = ("the trained model meets the promotion rules" if verdict == PASS else
               "; ".join(f"{r.id}: {r.reason}" for r in failed))
    return SpecResult(spec.name, path, verdict, summary, results, [], [],
                      [d for r in results for d in r.diagnostics], [], policy,
                      ctx.evidence.evaluation, doc, False)
