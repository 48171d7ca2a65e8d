"""Change classes: what a change touches, and whose approval that needs (docs/governance.md).

``CLASSES`` is the one table of classes and their roles; ``RULES`` sends each changed path
to a classifier, most specific first. Direction matters: a threshold raised is a ``model``
change, the same threshold lowered is ``promotion-weakened``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from mlops_spec.govern.diff import NAMED_LISTS, Change, Segments, matches
from mlops_spec.spec.sections import ROLES, Spec


class ChangeClass(NamedTuple):
    roles: tuple[str, ...]
    examples: str


CLASSES: dict[str, ChangeClass] = {
    "cosmetic": ChangeClass((), "description, purpose, intended_use, limitations reworded"),
    "owners": ChangeClass(("architect",), "a handle added to or removed from a role"),
    "data-source": ChangeClass(("data_engineer",), "source added/removed, uri, format, "
                               "owner or evidence changed, retention shortened"),
    "pii": ChangeClass(("data_engineer", "sme"), "PII column added or removed, handling "
                       "weakened (drop < hash/pseudonymize < generalize < keep), category or "
                       "lawful basis changed, retention lengthened or removed"),
    "features": ChangeClass(("data_scientist",), "feature added/removed, type/transform "
                            "changed, target changed"),
    "model": ChangeClass(("data_scientist",), "estimator, params, split, metrics, artifact "
                         "format, training runner or command changed; thresholds raised"),
    "promotion-weakened": ChangeClass(("data_scientist", "sme"), "a threshold lowered, "
                                      "loosened or removed; vs_production.max_drop raised, "
                                      "its metric changed, or removed"),
    "deployment-production": ChangeClass(("ml_engineer",), "anything that changes what the "
                                         "last environment serves or how (mode, platform, "
                                         "strategy, resources, autoscaling, image, model "
                                         "pin, artifact store, the model's name, the order "
                                         "of environments); plus the environment's approvers"),
    "store": ChangeClass(("ml_engineer", "architect"), "where model versions and the "
                         "champion are read from: model.artifact.store, model.registry, "
                         "deployment.store_access, the Azure storage account of "
                         "ci.oidc_role; any direction (a store the pull request controls "
                         "forges the champion)"),
    "deployment": ChangeClass(("ml_engineer",), "the same for other environments"),
    "monitoring": ChangeClass(("ml_engineer",), "monitoring added or tightened, its "
                              "schedule or data location changed"),
    "monitoring-weakened": ChangeClass(("ml_engineer", "data_scientist"), "monitoring "
                                       "removed, drift method changed, threshold or share "
                                       "loosened, features watched reduced, performance "
                                       "bound loosened"),
    "retrain": ChangeClass(("ml_engineer",), "retrain policy changed"),
    "ci": ChangeClass(("ml_engineer",), "CI providers, secrets, runner, python; where and "
                      "with what training runs (platform, image, resources, timeout)"),
    "governance-weakened": ChangeClass(("sme", "architect"), "a checklist item removed, "
                                       "attested_by roles removed, risk tier lowered, an "
                                       "environment's approvers reduced, the class table "
                                       "loosened"),
    "governance-strengthened": ChangeClass((), "the opposite of governance-weakened"),
    "other": ChangeClass(("architect",), "a field no rule classifies (never silently free)"),
    "new-spec": ChangeClass((), "a spec new in the pull request: every role it names"),
    "spec-deleted": ChangeClass(("ml_engineer", "architect"), "a spec removed in the pull "
                                "request; plus production's approvers"),
}

FALLBACK_ROLES = ("architect", "ml_engineer", "data_scientist", "sme", "data_engineer",
                  "product_owner", "compliance", "security")
"""When none of a class's roles is defined on base, the first of these that is."""

RISK_ORDER = {"low": 0, "medium": 1, "high": 2}
HANDLING_ORDER = {"drop": 0, "hash": 1, "pseudonymize": 1, "generalize": 2, "keep": 3}
P_VALUE_METHODS = frozenset({"ks", "chi_square"})
"""Drift methods whose threshold is a p-value: a lower threshold detects less."""


class Context(NamedTuple):
    base: dict[str, Any]
    head: dict[str, Any]


Classifier = Callable[[Change, Context], list[str]]


def _const(name: str) -> Classifier:
    return lambda change, ctx: [name]


def _lower(before: Any, after: Any) -> bool:
    """A bound moved down (or disappeared): ``None`` counts as no bound at all."""
    return after is None or (before is not None and after < before)


def _raised(before: Any, after: Any) -> bool:
    return after is None or (before is not None and after > before)


def _risk(change: Change, ctx: Context) -> list[str]:
    weaker = RISK_ORDER[change.after] < RISK_ORDER[change.before]
    return ["governance-weakened" if weaker else "governance-strengthened"]


def _source(change: Change, ctx: Context) -> list[str]:
    item = change.after if change.after is not None else change.before
    return ["data-source"] + (["pii"] if change.after is not None and item.get("pii") else [])


def _handling(change: Change, ctx: Context) -> list[str]:
    weaker = HANDLING_ORDER[change.after] > HANDLING_ORDER[change.before]
    return ["pii" if weaker else "data-source"]


def _retention(change: Change, ctx: Context) -> list[str]:
    return ["pii" if _raised(change.before, change.after) else "data-source"]


def _threshold(change: Change, ctx: Context) -> list[str]:
    side = change.path[-1] if len(change.path) == 5 else None
    if side is None:  # a whole bound added or removed
        return ["promotion-weakened" if change.after is None else "model"]
    loosened = _lower if side == "min" else _raised
    return ["promotion-weakened" if loosened(change.before, change.after) else "model"]


def _vs_production(change: Change, ctx: Context) -> list[str]:
    field = change.path[3] if len(change.path) > 3 else None
    if field is None:
        return ["promotion-weakened" if change.after is None else "model"]
    if field == "max_drop":
        return ["promotion-weakened" if _raised(change.before, change.after) else "model"]
    return ["promotion-weakened"]  # another metric: not comparable, so not assumed stricter


def _monitoring_whole(change: Change, ctx: Context) -> list[str]:
    return ["monitoring-weakened" if change.after is None else "monitoring"]


def _drift_threshold(change: Change, ctx: Context) -> list[str]:
    method = ctx.head["monitoring"]["drift"]["method"]
    if method == "auto":
        return ["monitoring"]  # not used with auto
    looser = _lower if method in P_VALUE_METHODS else _raised
    return ["monitoring-weakened" if looser(change.before, change.after) else "monitoring"]


def _watched(change: Change, ctx: Context) -> list[str]:
    before, after = change.before, change.after
    if after == "all":
        return ["monitoring"]
    if before == "all" or not set(before) <= set(after):
        return ["monitoring-weakened"]
    return ["monitoring"]


def _share(change: Change, ctx: Context) -> list[str]:
    return ["monitoring-weakened" if _raised(change.before, change.after) else "monitoring"]


def _performance(change: Change, ctx: Context) -> list[str]:
    field = change.path[2] if len(change.path) > 2 else None
    if field is None:
        return _monitoring_whole(change, ctx)
    if field == "min":
        return ["monitoring-weakened" if _lower(change.before, change.after) else "monitoring"]
    if field == "max":
        return ["monitoring-weakened" if _raised(change.before, change.after) else "monitoring"]
    return ["monitoring-weakened"]


def _roles_list(change: Change, ctx: Context) -> list[str]:
    """A list of roles (or paths) that may only grow: removing any weakens governance."""
    before = {str(r).lower() for r in change.before or []}
    after = {str(r).lower() for r in change.after or []}
    return ["governance-weakened" if before - after else "governance-strengthened"]


def _policy_item(change: Change, ctx: Context) -> list[str]:
    return ["governance-weakened" if change.after is None else "governance-strengthened"]


def _production_names(ctx: Context) -> set[str]:
    return {ctx.base["deployment"]["environments"][-1]["name"],
            ctx.head["deployment"]["environments"][-1]["name"]}


def _environment(change: Change, ctx: Context) -> list[str]:
    if len(change.path) > 3 and change.path[3] == "approvers":
        return _roles_list(change, ctx)
    production = len(change.path) < 3 or change.path[2] in _production_names(ctx)
    return ["deployment-production" if production else "deployment"]


def _store(*others: str) -> Classifier:
    """Where versions (and so the champion) are read from: a ``store`` change in every
    direction (added, removed, moved), plus what else the field decides."""
    return lambda change, ctx: ["store", *others]


def _oidc_role(change: Change, ctx: Context) -> list[str]:
    """The Azure storage account of an az:// store is where its versions are read from."""
    def account(side: dict[str, Any]) -> Any:
        return (side["ci"].get("oidc_role") or {}).get("storage_account")

    moved = (change.path[2:] == ("storage_account",) if len(change.path) > 2
             else account(ctx.base) != account(ctx.head))
    return ["store", "ci"] if moved else ["ci"]


def _serving_default(change: Change, ctx: Context) -> list[str]:
    """deployment.resources/autoscaling reach production unless it overrides them."""
    field = change.path[1]
    overridden = all(side["deployment"]["environments"][-1].get(field) is not None
                     for side in (ctx.base, ctx.head))
    return ["deployment" if overridden else "deployment-production"]


RULES: tuple[tuple[Segments, Classifier], ...] = (
    (("apiVersion",), _const("ci")),
    (("name",), _const("deployment-production")),
    (("description",), _const("cosmetic")),
    (("purpose",), _const("cosmetic")),
    (("risk_tier",), _risk),
    (("owners",), _const("owners")),
    (("data", "sources", "*", "pii", "*", "handling"), _handling),
    (("data", "sources", "*", "pii"), _const("pii")),
    (("data", "sources", "*", "lawful_basis"), _const("pii")),
    (("data", "sources", "*", "retention_days"), _retention),
    (("data", "sources", "*", "*"), _const("data-source")),
    (("data", "sources", "*"), _source),
    (("data",), _const("data-source")),
    (("features",), _const("features")),
    (("model", "promotion", "thresholds", "*"), _threshold),
    (("model", "promotion", "vs_production"), _vs_production),
    (("model", "promotion", "thresholds"), _threshold),
    (("model", "artifact", "store"), _store("deployment-production")),
    (("model", "registry"), _store()),
    (("model",), _const("model")),
    (("training", "runner"), _const("model")),
    (("training", "command"), _const("model")),
    (("training",), _const("ci")),
    (("deployment", "store_access"), _store("deployment-production")),
    (("deployment", "environments"), _environment),
    (("deployment", "resources"), _serving_default),
    (("deployment", "autoscaling"), _serving_default),
    (("deployment",), _const("deployment-production")),
    (("monitoring", "drift", "threshold"), _drift_threshold),
    (("monitoring", "drift", "features"), _watched),
    (("monitoring", "drift", "share"), _share),
    (("monitoring", "drift", "method"), _const("monitoring-weakened")),
    (("monitoring", "drift"), _monitoring_whole),
    (("monitoring", "performance"), _performance),
    (("monitoring", "*"), _const("monitoring")),
    (("monitoring",), _monitoring_whole),
    (("retrain",), _const("retrain")),
    (("ci", "oidc_role"), _oidc_role),
    (("ci",), _const("ci")),
    (("governance", "intended_use"), _const("cosmetic")),
    (("governance", "limitations"), _const("cosmetic")),
    (("governance", "checklist", "*", "attested_by"), _roles_list),
    (("governance", "checklist", "*"), _policy_item),
    (("governance", "change_classes", "*", "roles"), _roles_list),
    (("governance", "change_classes", "*", "paths"), _roles_list),
    (("governance", "change_classes", "*"), _policy_item),
)


def _rule_for(path: Segments) -> Classifier | None:
    for pattern, classifier in RULES:
        if len(path) >= len(pattern) and matches(pattern, path):
            return classifier
    return None


class Classified(NamedTuple):
    cls: str
    change: Change
    note: str | None = None
    """What applying the change takes beyond a merge (a resource to recreate)."""


def _segments(pattern: str) -> Segments:
    return tuple(pattern.replace("[", ".").replace("]", "").split("."))


def classify(changes: list[Change], base: Spec, head: Spec,
             base_dump: dict[str, Any], head_dump: dict[str, Any]) -> list[Classified]:
    """Each change with its classes: the built-in rule's, then the base's own additions."""
    ctx = Context(base_dump, head_dump)
    extra = [(rule.name, [_segments(p) for p in rule.paths])
             for rule in base.governance.change_classes if rule.paths]
    out: list[Classified] = []
    for change in changes:
        classifier = _rule_for(change.path)
        names = classifier(change, ctx) if classifier else ["other"]
        for name, patterns in extra:
            if name not in names and any(matches(p, change.path) for p in patterns):
                names.append(name)
        out.extend(Classified(name, change) for name in names)
    return _with_recreate_note(out, base, head)


def recreate_note(base: Spec, head: Spec) -> str | None:
    """KServe refuses to change an InferenceService's deploymentMode in place: which
    environments need it deleted and recreated (``None``: no such change)."""
    # Pure and light, but render's: imported where used, so govern's imports stay spec's.
    from mlops_spec.render.kubernetes.kserve import mode_changes

    moves: dict[tuple[str, str], list[str]] = {}
    for env, was, now in mode_changes(base, head):
        moves.setdefault((was, now), []).append(env)
    if not moves:
        return None
    return "; ".join(f"KServe deploymentMode {was} -> {now}: needs the InferenceService "
                     f"deleted and recreated in {', '.join(envs)} (KServe refuses the change "
                     "in place; docs/kubernetes.md)" for (was, now), envs in moves.items())


def _with_recreate_note(out: list[Classified], base: Spec, head: Spec) -> list[Classified]:
    """The note on the changes that move the mode (any deployment change if none does)."""
    note = recreate_note(base, head)
    if note is None:
        return out
    from mlops_spec.render.kubernetes.kserve import MODE_FIELDS

    paths = [c.change.path for c in out]
    # (environments reordered is a change of the named list itself: it never moves the mode)
    movers = {i for i, path in enumerate(paths) if path not in NAMED_LISTS
              and any(matches(field, path) for field in MODE_FIELDS)}
    movers = movers or {i for i, path in enumerate(paths) if path[:1] == ("deployment",)}
    return [c._replace(note=note) if i in movers else c for i, c in enumerate(out)]


def class_roles(name: str, base: Spec) -> list[str]:
    """The roles a class needs by the base's table: built-in roles plus the base's additions
    (``deployment-production`` and ``spec-deleted`` also production's approvers)."""
    roles = list(CLASSES[name].roles) if name in CLASSES else []
    for rule in base.governance.change_classes:
        if rule.name == name:
            roles += [r for r in rule.roles if r not in roles]
    if name in ("deployment-production", "spec-deleted"):
        roles += [r for r in base.production.approvers if r not in roles]
    return roles


def fallback_role(owners_defined: list[str]) -> str:
    return next(r for r in (*FALLBACK_ROLES, *ROLES) if r in owners_defined)
