"""Turn pydantic validation errors into located, human diagnostics with hints."""

from __future__ import annotations

import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from mlops_spec.diagnostics import Diagnostic
from mlops_spec.spec import sections as s
from mlops_spec.spec import types as t
from mlops_spec.spec.loader import DataPath, LoadedDocument
from mlops_spec.spec.sections import SUPPORTED_API_VERSIONS, Spec
from mlops_spec.spec.suggest import did_you_mean

PATTERN_HELP: dict[str, str] = {
    t.DNS_LABEL: "a DNS-1123 label: lowercase letters, digits and '-', starting and ending "
                 "with a letter or digit",
    t.IDENTIFIER: "a snake_case identifier: lowercase letters, digits and '_', starting "
                  "with a letter",
    t.COLUMN: "a column name: letters, digits, '_', '.' or '-', starting with a letter or "
              "'_'",
    t.HANDLE: "a GitHub handle: @user or @org/team",
    t.SECRET_NAME: "a secret name in UPPER_SNAKE_CASE",
    t.DURATION: "a duration: a whole number with s, m or h (30s, 15m, 2h)",
    t.QUANTITY: "a Kubernetes quantity, e.g. 500m or 2 for CPU, 512Mi or 4Gi for memory",
    t.STORE_URI: "a directory (relative to the spec without '..', absolute, or file:///...) "
                 "or a URI with scheme s3, gs, gcs, az, abfs, abfss, hdfs or https",
    t.URI_OR_PATH: "a repository-relative path (no '..', not absolute) or a URI with "
                   "scheme s3, gs, gcs, az, abfs, abfss, hdfs or https",
    t.REMOTE_URI: "a URI with scheme s3, gs, gcs, az, abfs, abfss, hdfs or https",
    t.ESTIMATOR: "a scikit-learn import path such as sklearn.linear_model.LogisticRegression",
    t.SINGLE_LINE_TEXT: "one line of text without control characters",
    t.MODEL_VERSION: "a model version such as a commit SHA: letters, digits, '.', '_' and "
                     "'-', at most 63 characters, starting and ending with a letter or digit",
    s.COMMIT: "a full 40-character lowercase hex git commit (a branch or tag can move)",
    s.GIT_URL: "an https:// URL of a git repository, without user name or query",
    s.WHEEL: "a repository-relative path of an mlops-spec wheel (mlops_spec-*.whl; no "
             "'..', not absolute)",
    s.PACKAGE_VERSION: "a released version such as 0.1.0",
}


def _pattern_help(pattern: str) -> str:
    for known, text in PATTERN_HELP.items():
        if known == pattern or known in pattern:
            return text
    if "latest" in pattern:
        return ("a container image with a tag or digest, e.g. ghcr.io/acme/model:1.2.0 "
                "(never :latest or untagged)")
    if "https://" in pattern:
        return "an https:// URL or a repository-relative path"
    if pattern.startswith("^[a-z][a-z0-9]*(-"):
        return "a kebab-case id such as model-card"
    return f"text matching {pattern}"


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional around a type."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
            if models:
                annotation = models[0]
            elif len(members) == 1:
                annotation = members[0]
            else:
                return annotation
        else:
            return annotation


def _field(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info.annotation
    return None


def model_at(path: DataPath) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path``, if one does."""
    current: Any = Spec
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str):
                return None
            current = _field(current, part)
        elif get_origin(current) is list:
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
        if current is None:
            return None
    current = _unwrap(current)
    if get_origin(current) is list:
        current = _unwrap(get_args(current)[0])
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _split_loc(data: Any, loc: tuple[Any, ...]) -> tuple[DataPath, list[Any]]:
    """Split a pydantic loc into the path that exists in the data and what is left.

    Union members and validator names appear in pydantic locs but not in the data; they
    are skipped. What is left is e.g. the name of a missing key, or ``[key]``.
    """
    path: list[str | int] = []
    rest: list[Any] = []
    node = data
    for part in loc:
        if rest:
            rest.append(part)
        elif _has(node, part):
            path.append(part)
            node = node[part]
        elif not _is_validator_name(part):
            rest.append(part)
    return tuple(path), rest


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    if isinstance(node, list):
        return isinstance(part, int) and 0 <= part < len(node)
    return False


def _is_validator_name(part: Any) -> bool:
    """Union members and validator names that pydantic puts into locs."""
    return isinstance(part, str) and (
        part.startswith(("function-", "literal[", "list[", "constrained-", "tagged-union"))
        or part in ("str", "int", "float", "bool", "none")
        or part[:1].isupper())


def _options(expected: str) -> list[str]:
    return re.findall(r"'([^']*)'", expected)


def _hint_for_input(value: Any, error_type: str) -> str | None:
    if isinstance(value, float) and error_type in ("string_type", "literal_error",
                                                   "string_pattern_mismatch"):
        return (f"put the value in quotes: unquoted, YAML reads it as the number {value!r} "
                "(3.10 becomes 3.1)")
    if isinstance(value, int) and not isinstance(value, bool) and error_type in (
            "string_type", "literal_error"):
        return "put the value in quotes: unquoted, YAML reads it as a number"
    if isinstance(value, str) and error_type == "bool_type":
        return "write true or false, unquoted"
    if isinstance(value, str) and error_type in ("int_type", "float_type"):
        return "write the number without quotes"
    return None


def convert(error: dict[str, Any], doc: LoadedDocument) -> Diagnostic:
    """One pydantic error as a located diagnostic."""
    error_type: str = error["type"]
    path, rest = _split_loc(doc.data, tuple(error["loc"]))
    where = _dotted(path) or "the top level"
    value = error.get("input")
    hint: str | None = None
    at_key = False

    if error_type == "extra_forbidden":
        key = path[-1] if path else (rest[0] if rest else "?")
        parent = path[:-1]
        model = model_at(parent)
        code, at_key = "S001", True
        message = f"unknown key {key!r} in {_dotted(parent) or 'the top level'}"
        if model is not None:
            keys = allowed_keys(model)
            hint = did_you_mean(str(key), keys) or f"allowed keys: {', '.join(keys)}"
    elif error_type == "missing":
        key = rest[0] if rest else path[-1] if path else "?"
        code, at_key = "S002", True
        message = f"missing required key {key!r} in {where}"
        model = model_at(path)
        info = model.model_fields.get(str(key)) if model else None
        if info is None and model is not None:
            info = next((f for n, f in model.model_fields.items() if f.alias == key), None)
        hint = info.description if info is not None else None
    elif path == ("apiVersion",):
        code = "S004"
        message = f"unsupported apiVersion {value!r}"
        hint = f"supported versions: {', '.join(SUPPORTED_API_VERSIONS)}"
    elif not path and error_type == "model_type":
        code = "S005"
        message = f"the top level must be a mapping of sections, not {_kind(value)}"
        hint = "start from example-repo/mlops.yaml or `mlops-spec schema`"
    else:
        code = "S003"
        at_key = "[key]" in rest
        subject = f"key {path[-1]!r} in {_dotted(path[:-1])}" if at_key and path else where
        message = f"{subject}: {_message(error)}"
        if error_type == "literal_error":
            options = _options(error.get("ctx", {}).get("expected", ""))
            typed = value if isinstance(value, str) else str(value)
            hint = did_you_mean(typed, options) if isinstance(value, str) else None
        hint = _hint_for_input(value, error_type) or hint
        if error_type in ("int_type", "float_type"):
            # Unquoted text such as 0755 or yes: "write the number without quotes" would
            # blame quotes that are not there; the loader's YAML 1.1 note says what happened.
            hint = next((w.hint for w in doc.warnings
                         if w.code == "L013" and w.path == path), hint)
    span = doc.locate(path, key=at_key)
    end = span.end_column if span and span.end_line == span.line else None
    return Diagnostic(code=code, message=message, file=doc.file,
                      line=span.line if span else None, column=span.column if span else None,
                      hint=hint, path=path, end_column=end)


def _dotted(path: DataPath) -> str:
    from mlops_spec.diagnostics import format_path

    return format_path(path)


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number",
            bool: "a boolean"}.get(type(value), type(value).__name__)


def _message(error: dict[str, Any]) -> str:
    error_type = error["type"]
    message: str = error["msg"]
    if error_type == "value_error":
        return message.removeprefix("Value error, ")
    if error_type == "string_pattern_mismatch":
        return f"{error['input']!r} is not {_pattern_help(error['ctx']['pattern'])}"
    if error_type == "literal_error":
        return f"{error['input']!r} is not one of {error['ctx']['expected']}"
    message = message.replace("Input should be", "must be")
    if "input" in error and error_type not in ("model_type", "dict_type", "list_type"):
        shown = repr(error["input"])
        if len(shown) <= 60:
            message += f" (got {shown})"
    return message
