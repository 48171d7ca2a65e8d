"""A prebuilt validator for ``Spec`` so that every start does not rebuild pydantic schemas.

Building the core schema of ~30 models costs more than the interpreter and pydantic's own
import together, on every ``mlops-spec validate``. The models are declared with
``defer_build=True``; ``make generate`` stores their core schema as JSON next to this file,
with functions and classes written as ``{"$py": "module:qualname"}`` references that may
only point into ``mlops_spec`` (no pickle, nothing executable in the file). At run time the
validator is rebuilt from that JSON by pydantic-core in a few milliseconds. A fingerprint of
the model sources and pydantic versions guards against staleness: on any mismatch we fall
back to pydantic's normal build, which is slower but always right.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from pydantic_core import SchemaValidator

HERE = Path(__file__).resolve().parent
CACHE = HERE / "spec_validator.json"
SOURCES = ("spec.py", "types.py", "metrics.py")
_REF = "$py"
_ALLOWED_MODULES = ("mlops_spec.",)
_ALLOWED_BUILTINS = {"builtins:list": list, "builtins:dict": dict}


def fingerprint() -> str:
    import pydantic_core
    from pydantic.version import VERSION

    digest = hashlib.sha256(f"{VERSION}|{pydantic_core.__version__}".encode())
    for name in SOURCES:
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()


def _stable_ref(value: Any) -> Any:
    """pydantic names definitions ``module.Class:<id(Class)>``; drop the id so that the
    cache is the same on every ``make generate`` (class names are unique here)."""
    return re.sub(r":[0-9]+$", "", value) if isinstance(value, str) else _encode(value)


def _encode(node: Any) -> Any:
    if isinstance(node, dict):
        if _REF in node:
            raise ValueError(f"schema dict already uses the reserved key {_REF!r}")
        return {key: _stable_ref(value) if key in ("ref", "schema_ref") else _encode(value)
                for key, value in node.items() if key != "metadata"}
    if isinstance(node, list | tuple):
        return [_encode(value) for value in node]
    if node is None or isinstance(node, str | int | float | bool):
        return node
    if node is list or node is dict:
        return {_REF: f"builtins:{node.__name__}"}
    owner = getattr(node, "__self__", None)  # a classmethod bound to its class
    target = owner if isinstance(owner, type) else node
    module = getattr(target, "__module__", "")
    qualname = getattr(node, "__qualname__", None)
    if not module.startswith(_ALLOWED_MODULES) or not qualname or "<locals>" in qualname:
        raise ValueError(f"cannot reference {node!r} in the cached schema")
    return {_REF: f"{module}:{qualname}"}


def _resolve(reference: str) -> Any:
    if reference in _ALLOWED_BUILTINS:
        return _ALLOWED_BUILTINS[reference]
    module_name, _, qualname = reference.partition(":")
    if not module_name.startswith(_ALLOWED_MODULES):
        raise ValueError(f"refusing to load {reference!r}")
    value: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        value = getattr(value, part)
    return value


def _decode(node: Any) -> Any:
    if isinstance(node, dict):
        if len(node) == 1 and _REF in node:
            return _resolve(node[_REF])
        return {key: _decode(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_decode(value) for value in node]
    return node


def cache_text() -> str:
    """The cache file's content for the current models (written by ``make generate``)."""
    from mlops_spec.model.spec import Spec

    Spec.model_rebuild(force=True)
    payload = {"fingerprint": fingerprint(), "schema": _encode(Spec.__pydantic_core_schema__)}
    return json.dumps(payload, sort_keys=True, separators=(",", ":")) + "\n"


@cache
def spec_validator() -> SchemaValidator:
    """The validator of ``Spec``: from the cache when fresh, else built by pydantic."""
    try:
        payload = json.loads(CACHE.read_text(encoding="utf-8"))
        if payload.get("fingerprint") == fingerprint():
            return SchemaValidator(_decode(payload["schema"]))
    except (OSError, ValueError, AttributeError, ImportError, TypeError):
        pass
    from mlops_spec.model.spec import Spec

    Spec.model_rebuild(force=True)
    validator: SchemaValidator = Spec.__pydantic_validator__  # type: ignore[assignment]
    return validator
