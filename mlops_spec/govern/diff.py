"""Semantic diff of two specs: field by field, defaults applied, named items matched by name.

Both sides are the typed ``Spec`` dumped to JSON data (``model_dump(mode="json",
by_alias=True)``), so an absent field equals its default and key order, comments, quoting
and flow/block style never show. Lists of named items (sources, PII columns, features,
environments, checklist items, change classes) are matched by their name, so reordering
them is no change; lists that are sets (handles, secrets, metrics, roles) are compared as
sets; other lists (canary steps, a command line) are compared whole, in order.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mlops_spec.spec.sections import Spec

Segments = tuple[str, ...]

NAMED_LISTS: dict[Segments, str] = {
    ("data", "sources"): "name",
    ("data", "sources", "*", "pii"): "column",
    ("features", "columns"): "name",
    ("deployment", "environments"): "name",
    ("governance", "checklist"): "id",
    ("governance", "change_classes"): "name",
}
"""List path (``*`` for a named item) -> the key that names each item."""

SET_LISTS: frozenset[Segments] = frozenset({
    ("owners", "*"), ("ci", "providers"), ("ci", "secrets"), ("model", "metrics"),
    ("deployment", "environments", "*", "approvers"), ("retrain", "on"),
    ("governance", "checklist", "*", "attested_by"), ("monitoring", "drift", "features"),
    ("governance", "change_classes", "*", "paths"), ("governance", "change_classes", "*", "roles"),
    ("data", "join_on"),
})


class Change(NamedTuple):
    """One field whose meaning differs; ``None`` on the side where it does not exist."""

    path: Segments
    """Keys and item names from the top, e.g. ``("features", "columns", "income", "type")``."""
    dotted: str
    """The same for people: ``features.columns[income].type``."""
    before: Any
    after: Any
    where: tuple[str | int, ...]
    """The data path in the head document (the base's where the field is gone): its line."""


def matches(pattern: Segments, path: Segments) -> bool:
    """``pattern`` (``*`` matches one segment) equals ``path`` on their common length."""
    return all(p in ("*", s) for p, s in zip(pattern, path, strict=False))


def _shape(path: Segments, named: frozenset[int]) -> Segments:
    return tuple("*" if i in named else s for i, s in enumerate(path))


class _Walk:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def add(self, path: Segments, dotted: str, before: Any, after: Any,
            where: tuple[str | int, ...]) -> None:
        self.changes.append(Change(path, dotted, before, after, where))

    def value(self, path: Segments, named: frozenset[int], dotted: str, before: Any,
              after: Any, where: tuple[str | int, ...]) -> None:
        if before == after:
            return
        shape = _shape(path, named)
        if isinstance(before, dict) and isinstance(after, dict):
            for key in list(before) + [k for k in after if k not in before]:
                self.value((*path, key), named, f"{dotted}.{key}" if dotted else key,
                           before.get(key), after.get(key), (*where, key))
        elif isinstance(before, list) and isinstance(after, list) and shape in NAMED_LISTS:
            self.named(path, named, dotted, before, after, where, NAMED_LISTS[shape])
        elif (isinstance(before, list) and isinstance(after, list)
              and any(len(p) == len(shape) and matches(p, shape) for p in SET_LISTS)
              and _as_set(before) == _as_set(after)):
            return
        else:
            self.add(path, dotted, before, after, where)

    def named(self, path: Segments, named: frozenset[int], dotted: str, before: list[Any],
              after: list[Any], where: tuple[str | int, ...], key: str) -> None:
        old = {str(item.get(key)): item for item in before if isinstance(item, dict)}
        new = {str(item.get(key)): (i, item) for i, item in enumerate(after)
               if isinstance(item, dict)}
        inner = named | {len(path)}
        for name in list(old) + [n for n in new if n not in old]:
            # A removed item has no line in the head: point at its list instead.
            index, item = new.get(name, (None, None))
            self.value((*path, name), inner, f"{dotted}[{name}]", old.get(name), item,
                       where if index is None else (*where, index))


def _as_set(items: list[Any]) -> frozenset[str]:
    return frozenset(str(item).lower() for item in items)


def dump(spec: Spec) -> dict[str, Any]:
    data: dict[str, Any] = spec.model_dump(mode="json", by_alias=True)
    return data


def diff(base: Spec, head: Spec) -> list[Change]:
    """Every change from ``base`` to ``head``, in spec order."""
    walk = _Walk()
    before, after = dump(base), dump(head)
    walk.value((), frozenset(), "", before, after, ())
    base_envs = [e["name"] for e in before["deployment"]["environments"]]
    head_envs = [e["name"] for e in after["deployment"]["environments"]]
    if base_envs != head_envs and set(base_envs) & set(head_envs):
        # Promotion order is meaning too: the last environment is production.
        walk.add(("deployment", "environments"), "deployment.environments (order)",
                 base_envs, head_envs, ("deployment", "environments"))
    return walk.changes
