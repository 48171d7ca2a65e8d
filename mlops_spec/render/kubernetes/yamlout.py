"""A deterministic block-style YAML writer for Kubernetes objects built as plain data.

Every scalar value goes through ``yaml_scalar`` (strings are always double-quoted), so a
value from the spec can never change the document's structure. Mapping keys are written
plain only when they are simple constants (``app.kubernetes.io/name``, ``containers``);
anything else is quoted too. Insertion order is kept, so the same data always gives the
same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from mlops_spec.render.escaping import UnsafeValue, yaml_scalar

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
# Keys YAML 1.1 readers would turn into booleans or null.
_SPECIAL = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})

Data = Mapping[str, Any] | Sequence[Any] | str | int | float | bool | None


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise UnsafeValue(f"mapping keys must be strings, got {key!r}")
    if _PLAIN_KEY.match(key) and key.lower() not in _SPECIAL:
        return key
    return str(yaml_scalar(key))


def _is_collection(value: Any) -> bool:
    return isinstance(value, Mapping) or (
        isinstance(value, Sequence) and not isinstance(value, str))


def _scalar(value: Any) -> str:
    if _is_collection(value):
        return "{}" if isinstance(value, Mapping) else "[]"
    return str(yaml_scalar(value))


def _lines(value: Any, indent: int) -> list[str]:
    """Lines of a non-empty collection, each starting at ``indent`` spaces."""
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if _is_collection(item) and item:
                out.append(f"{pad}{_key(key)}:")
                out += _lines(item, indent + 2)
            else:
                out.append(f"{pad}{_key(key)}: {_scalar(item)}")
        return out
    for item in value:
        if _is_collection(item) and item:
            nested = _lines(item, indent + 2)
            # The first line of the item shares the line with its dash.
            out.append(f"{pad}- {nested[0][indent + 2:]}")
            out += nested[1:]
        else:
            out.append(f"{pad}- {_scalar(item)}")
    return out


def dump(value: Data) -> str:
    """One YAML document (without ``---``), ending in a newline."""
    if _is_collection(value) and value:
        return "\n".join(_lines(value, 0)) + "\n"
    return _scalar(value) + "\n"


def dump_all(documents: Sequence[Data]) -> str:
    """Several documents separated by ``---``."""
    return "---\n".join(dump(document) for document in documents)
