"""The automated governance checks, one registry (``CHECKS``) the gate and the docs read.

Each check says why it exists, when it applies, and evaluates the head spec to
``pass | fail | pending | not_applicable`` with diagnostics on the spec's own lines. A check
may also ask for an attestation (roles whose approval it needs): ``pii-lawful-basis`` does
for a PII column kept as is. Checks that only people can judge are the checklist's
``{id, attested_by}`` items, resolved by approvals in ``gate``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from mlops_spec.diagnostics import Diagnostic, Severity
from mlops_spec.evaluation import Evaluation
from mlops_spec.govern.policy import Policy
from mlops_spec.spec.loader import LoadedDocument
from mlops_spec.spec.metrics import METRICS
from mlops_spec.spec.sections import Spec

PASS, FAIL, PENDING, NOT_APPLICABLE = "pass", "fail", "pending", "not_applicable"
KEEP_ATTESTED_BY = ("sme", "compliance")
"""Who must attest that a PII column may be used as is."""


class Evidence(NamedTuple):
    """The evaluation the gate may trust (``None`` when absent or rejected)."""

    evaluation: Evaluation | None
    file: str | None
    problem: str | None
    """Why a given file is not trusted (stale: another spec; foreign: another model)."""
    foreign: bool = False


class Context(NamedTuple):
    head: Spec
    doc: LoadedDocument
    policy: Policy
    trained_changed: bool
    """Anything the model is trained from changed (or there is no base to compare with)."""
    evidence: Evidence
    served: str | None = None
    """The version production serves by the base commit (``None``: none recorded)."""


class Outcome(NamedTuple):
    status: str
    reason: str
    diagnostics: tuple[Diagnostic, ...] = ()
    attest: tuple[str, ...] = ()


class Check(NamedTuple):
    id: str
    rationale: str
    applies: Callable[[Context], str | None]
    """``None`` when the check applies, else why it does not."""
    evaluate: Callable[[Context], Outcome]


def at(ctx: Context, code: str, path: tuple[str | int, ...], message: str,
       hint: str | None = None, severity: Severity = Severity.ERROR) -> Diagnostic:
    """A diagnostic on the head spec's line for ``path`` (its closest ancestor's if unset)."""
    span = ctx.doc.locate(path, key=True)
    return Diagnostic(code=code, message=message, file=ctx.doc.file,
                      line=span.line if span else None, column=span.column if span else None,
                      severity=severity, hint=hint, path=path)


def _always(ctx: Context) -> str | None:
    return None


def _outcome(found: list[Diagnostic], ok: str, bad: str) -> Outcome:
    if found:
        return Outcome(FAIL, bad.format(n=len(found)), tuple(found))
    return Outcome(PASS, ok)


def _provenance(ctx: Context) -> Outcome:
    found = [at(ctx, "G010", ("data", "sources", i), f"data source {s.name!r} has no "
                "provenance evidence", "set evidence: to the datasheet's https URL or "
                "repository path")
             for i, s in enumerate(ctx.head.data.sources) if not s.evidence]
    return _outcome(found, "every data source has an owner and evidence",
                    "{n} data source(s) without evidence")


def _lawful_basis(ctx: Context) -> Outcome:
    found, kept = [], []
    for i, source in enumerate(ctx.head.data.sources):
        if source.pii and not source.lawful_basis:
            found.append(at(ctx, "G011", ("data", "sources", i), f"data source "
                            f"{source.name!r} holds PII but declares no lawful_basis",
                            "set lawful_basis (GDPR Art. 6), e.g. contract or consent"))
        kept += [f"{source.name}.{c.column}" for c in source.pii if c.handling == "keep"]
    if found:
        return Outcome(FAIL, f"{len(found)} source(s) with PII lack a lawful basis",
                       tuple(found))
    if kept:
        return Outcome(PASS, "PII kept as is needs an attestation: " + ", ".join(kept),
                       attest=KEEP_ATTESTED_BY)
    return Outcome(PASS, "every source with PII declares a lawful basis")


def _retention(ctx: Context) -> Outcome:
    found = [at(ctx, "G012", ("data", "sources", i), f"data source {s.name!r} holds PII "
                "but declares no retention_days", "set retention_days: how long the data "
                "may be kept")
             for i, s in enumerate(ctx.head.data.sources) if s.pii and not s.retention_days]
    return _outcome(found, "every source with PII declares its retention",
                    "{n} source(s) with PII lack retention_days")


def _model_card(ctx: Context) -> Outcome:
    found = []
    if not ctx.head.governance.intended_use:
        found.append(at(ctx, "G013", ("governance",), "the model card needs "
                        "governance.intended_use", "say who may use the output and for what"))
    return _outcome(found, "purpose, intended use, limitations and metrics are present",
                    "the model card is incomplete")


def _monitoring_applies(ctx: Context) -> str | None:
    if ctx.head.deployment.mode == "embedded":
        return "an embedded model is not served, so there is nothing to monitor"
    return None


def _monitoring(ctx: Context) -> Outcome:
    monitoring = ctx.head.monitoring
    if monitoring is None or monitoring.drift is None:
        path: tuple[str | int, ...] = ("monitoring",) if monitoring else ()
        return Outcome(FAIL, "production is served without drift monitoring", (at(
            ctx, "G016", path, "a realtime or batch model needs monitoring.drift",
            "add monitoring: {schedule: ..., drift: {method: auto}}"),))
    return Outcome(PASS, "drift monitoring is configured")


def _trained(ctx: Context) -> str | None:
    if not ctx.trained_changed:
        return "nothing the model is trained from changed (data, features, model, training)"
    return None


def _evidence(ctx: Context) -> Evaluation | Outcome:
    ev = ctx.evidence
    if ev.problem is not None:
        status = FAIL if ev.foreign else PENDING
        return Outcome(status, ev.problem, (at(ctx, "G017", (), ev.problem,
                       "train this head (`mlops-spec train SPEC --out DIR`) and pass its "
                       "evaluation.json", Severity.ERROR if ev.foreign else Severity.WARNING),))
    if ev.evaluation is None:
        return Outcome(PENDING, "no evaluation: pass the trainer's evaluation.json with "
                       "--evaluation")
    return ev.evaluation


def _thresholds(ctx: Context) -> Outcome:
    evaluation = _evidence(ctx)
    if isinstance(evaluation, Outcome):
        return evaluation
    if not ctx.policy.thresholds:
        return Outcome(FAIL, "no promotion thresholds are set", (at(
            ctx, "G014", ("model", "promotion"), "promotion-thresholds needs "
            "model.promotion.thresholds", "e.g. thresholds: {roc_auc: {min: 0.8}}"),))
    failed = []
    for bound in ctx.policy.thresholds:
        value = evaluation.metrics.get(bound.metric)
        if value is None:
            failed.append(f"{bound.metric} was not evaluated")
        elif bound.min is not None and value < bound.min:
            failed.append(f"{bound.metric} {value:.4g} < min {bound.min:g}")
        elif bound.max is not None and value > bound.max:
            failed.append(f"{bound.metric} {value:.4g} > max {bound.max:g}")
    if failed:
        return Outcome(FAIL, "; ".join(failed), tuple(at(
            ctx, "G014", ("model", "promotion", "thresholds"), m) for m in failed))
    return Outcome(PASS, "every threshold in force is met")


def _comparison_applies(ctx: Context) -> str | None:
    if not ctx.policy.comparisons:
        return "model.promotion.vs_production is not set"
    return _trained(ctx)


CHAMPION_HINT = ("train with the store reachable (read-only credentials in the "
                 "pull-request job) so the champion production serves is fetched, and pass "
                 "that evaluation.json")


def _unexpected_champion(ctx: Context, evaluation: Evaluation) -> Outcome | None:
    """Pending unless the evaluation compared with the version the base says production
    serves: the evidence names its own champion, read from wherever the run pointed."""
    served, champion = ctx.served, evaluation.champion
    if served is None:
        return None  # nothing recorded in git to hold the evaluation to
    path = ("model", "promotion", "vs_production")
    if champion is None:
        message = f"no champion comparison while production serves {served}"
        return Outcome(PENDING, message, (at(ctx, "G270", path, message, CHAMPION_HINT,
                                             Severity.WARNING),))
    if champion.version != served:
        message = (f"the evaluation compared with {champion.version}, but production serves "
                   f"{served} (as git records it: the pin, else the overlay)")
        return Outcome(PENDING, message, (at(ctx, "G271", path, message, CHAMPION_HINT,
                                             Severity.WARNING),))
    return None


def _champion(ctx: Context) -> Outcome:
    evaluation = _evidence(ctx)
    if isinstance(evaluation, Outcome):
        return evaluation
    forged = _unexpected_champion(ctx, evaluation)
    if forged is not None:
        return forged
    if evaluation.champion is None:
        return Outcome(PASS, "no model is in production yet: nothing to compare with")
    failed = []
    for comparison in ctx.policy.comparisons:
        new = evaluation.metrics.get(comparison.metric)
        old = evaluation.champion.metrics.get(comparison.metric)
        if new is None or old is None:
            failed.append(f"{comparison.metric} is missing for the "
                          f"{'challenger' if new is None else 'champion'}")
            continue
        drop = old - new if METRICS[comparison.metric].higher_is_better else new - old
        if drop > comparison.max_drop + 1e-12:
            failed.append(f"{comparison.metric} drops {drop:.4g} against production "
                          f"{evaluation.champion.version} (max_drop {comparison.max_drop:g})")
    if failed:
        return Outcome(FAIL, "; ".join(failed), tuple(at(
            ctx, "G015", ("model", "promotion", "vs_production"), m) for m in failed))
    return Outcome(PASS, f"no worse than production {evaluation.champion.version} beyond "
                   "max_drop")


CHECKS: dict[str, Check] = {c.id: c for c in (
    Check("data-provenance", "a model is only as trustworthy as data whose origin is on "
          "record", _always, _provenance),
    Check("pii-lawful-basis", "personal data needs a lawful basis, and using it as is needs "
          "someone accountable to say so", _always, _lawful_basis),
    Check("retention-declared", "personal data kept without a limit is a liability",
          _always, _retention),
    Check("model-card", "users must know what the model is for and where it fails",
          _always, _model_card),
    Check("promotion-thresholds", "a retrained model must meet the bar before it can ship",
          _trained, _thresholds),
    Check("champion-challenger", "a new model must not be worse than the one in production",
          _comparison_applies, _champion),
    Check("monitoring-configured", "a served model drifts; someone must notice",
          _monitoring_applies, _monitoring),
)}
