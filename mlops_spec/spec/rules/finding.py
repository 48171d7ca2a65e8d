"""What a rule returns: a finding located by its data path, and the rule's signature."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import NamedTuple

from mlops_spec.diagnostics import Severity
from mlops_spec.spec.sections import Spec

Path = tuple[str | int, ...]


class Finding(NamedTuple):
    """One rule's finding, located by its data path (a named tuple: cheap to define, which
    matters on every start of `validate`)."""

    code: str
    message: str
    path: Path
    hint: str | None = None
    severity: Severity = Severity.ERROR
    at_key: bool = False
    """Point at the mapping key (for findings about a key of a free-form map)."""


Rule = Callable[[Spec], Iterator[Finding]]


def duplicates(names: list[str]) -> set[str]:
    """The names that occur more than once."""
    return {name for name, count in Counter(names).items() if count > 1}
