"""A prebuilt validator for ``Spec`` so that every start does not rebuild pydantic schemas.

Building the core schema of ~30 models costs more than the interpreter and pydantic's own
import together, on every ``mlops-spec validate``. The models are declared with
``defer_build=True``; ``make generate`` stores their core schema as one plain-data literal
in ``_spec_schema.py``, with functions and classes written as ``{"$py": "module:qualname"}``
references that may only point into ``mlops_spec`` (no pickle, no code). At run time the
validator is rebuilt from it by pydantic-core in a few milliseconds. A fingerprint of
the model sources and pydantic versions guards against staleness.

The committed cache matches only the pinned pydantic (``constraints.txt``); users install
whatever pydantic ``pyproject.toml`` allows. For them the first run builds the validator the
normal (slower, always right) way and stores the same encoded schema, marshalled, in the
user cache directory (``$XDG_CACHE_HOME/mlops-spec/`` or ``~/.cache/mlops-spec/``), named by
the fingerprint: every later run of that install reads it back. The write is atomic and
best effort (a read-only home only means every run takes the normal build); what is read
back is checked to be plain data before it is decoded, like the committed cache.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

from pydantic_core import SchemaValidator

HERE = Path(__file__).resolve().parent
CACHE = HERE / "_spec_schema.py"
"""Generated module with ``FINGERPRINT`` and ``SCHEMA``: importing its byte-compiled form is
cheaper than importing and running the json module on every start."""
SOURCES = ("sections.py", "types.py", "metrics.py")
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
    if node is None or type(node) in _PLAIN:
        return node
    raise ValueError(f"unexpected {type(node).__name__} in a cached schema")


_PLAIN = frozenset({str, int, float, bool})


def user_cache_file(digest: str) -> Path | None:
    """Where this install keeps its validator cache; None without a usable home."""
    base = Path(os.environ.get("XDG_CACHE_HOME", ""))
    if not base.is_absolute():  # the XDG rule: a relative value is ignored
        try:
            home = Path("~").expanduser()
        except RuntimeError:  # no home directory can be determined
            return None
        if not home.is_absolute():
            return None
        base = home / ".cache"
    python = f"{sys.version_info[0]}{sys.version_info[1]}"
    return base / "mlops-spec" / f"spec-validator-py{python}-{digest[:32]}.marshal"


def _read_user_cache(path: Path | None) -> Any:
    import marshal

    if path is None:
        return None
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _write_user_cache(path: Path | None, schema: Any) -> None:
    """Store the encoded schema atomically; silently nothing when it cannot be written."""
    import marshal
    import tempfile

    if path is None:
        return
    try:
        data = marshal.dumps(_encode(schema))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        temp = Path(name)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            temp.replace(path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except (OSError, ValueError):
        pass


def cache_text() -> str:
    """The cache file's content for the current models (written by ``make generate``)."""
    import pprint

    from mlops_spec.spec.sections import Spec

    Spec.model_rebuild(force=True)
    schema = pprint.pformat(_encode(Spec.__pydantic_core_schema__), width=100, compact=True,
                            sort_dicts=True)
    return (f'"""Generated by `make generate` from the Spec models; do not edit."""\n\n'
            f"FINGERPRINT = {fingerprint()!r}\n\nSCHEMA = {schema}\n")


_FAILURES = (OSError, ValueError, AttributeError, ImportError, TypeError, SyntaxError,
             KeyError)


@cache
def spec_validator() -> SchemaValidator:
    """The validator of ``Spec``: from a fresh cache (this install's, else the committed
    one), else built by pydantic and stored in this install's cache for the next run."""
    digest = fingerprint()
    mine = user_cache_file(digest)
    schema = _read_user_cache(mine)
    if schema is not None:
        try:
            return SchemaValidator(_decode(schema))
        except _FAILURES:
            pass
    try:
        cached = importlib.import_module("mlops_spec.spec._spec_schema")
        if digest == cached.FINGERPRINT:
            return SchemaValidator(_decode(cached.SCHEMA))
    except _FAILURES:
        pass
    from mlops_spec.spec.sections import Spec

    Spec.model_rebuild(force=True)
    validator: SchemaValidator = Spec.__pydantic_validator__  # type: ignore[assignment]
    _write_user_cache(mine, Spec.__pydantic_core_schema__)
    return validator
