"""The JSON Schema and the field reference, both generated from the pydantic models.

``python -m mlops_spec.tools.generated_docs`` rewrites ``schemas/mlops.schema.json`` and
``docs/reference.md``; tests fail when the committed files are stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlops_spec.spec.sections import Spec

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = Path("schemas/mlops.schema.json")
REFERENCE_PATH = Path("docs/reference.md")
EXAMPLE_PATH = Path("example-repo/mlops.yaml")
EVALUATION_SCHEMA_PATH = Path("schemas/evaluation.schema.json")


def build_schema() -> dict[str, Any]:
    schema = Spec.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "mlops.yaml",
        "description": "One model's life cycle, declared: data, features, model, "
                       "deployment, monitoring, retraining, CI and governance "
                       "(mlops-spec/v1). Generated from mlops_spec.spec.sections.",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def evaluation_schema_text() -> str:
    """``schemas/evaluation.schema.json`` from ``mlops_spec.evaluation.Evaluation``."""
    from mlops_spec.evaluation import Evaluation

    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              **Evaluation.model_json_schema(mode="validation"),
              "description": "evaluation.json (mlops-spec/evaluation/v1): the evidence "
                             "`mlops-spec train` writes and the gate reads (docs/evaluation.md)."
                             " Generated from mlops_spec.evaluation."}
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- reference -----------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[1]
        return name, defs[name]
    return None, schema


def _type_label(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    name, target = _resolve(prop, defs)
    if name:
        return f"[{name}](#{name.lower()})"
    if "anyOf" in target:
        labels = [_type_label(p, defs) for p in target["anyOf"] if p.get("type") != "null"]
        return " or ".join(dict.fromkeys(labels))
    if "enum" in target:
        return "one of " + ", ".join(f"`{v}`" for v in target["enum"])
    if "const" in target:
        return f"`{target['const']}`"
    kind = target.get("type")
    if kind in ("integer", "number"):
        return f"{kind}{_range(target)}"
    if kind == "array":
        return f"list of {_type_label(target.get('items', {}), defs)}"
    if kind == "object":
        key = target.get("propertyNames", {})
        key_label = ("`" + "`, `".join(key["enum"]) + "`") if "enum" in key else "name"
        return f"map of {key_label} to {_type_label(target.get('additionalProperties', {}), defs)}"
    if kind == "string" and "pattern" in target:
        return "string (pattern)"
    return str(kind or "any")


def _range(target: dict[str, Any]) -> str:
    """`` (1 to 36500)``, `` (> 0)``: the documented range of a number."""
    def text(value: float) -> str:
        return f"{value:,}" if isinstance(value, int) else f"{value:g}"

    low = target.get("minimum", target.get("exclusiveMinimum"))
    high = target.get("maximum", target.get("exclusiveMaximum"))
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        left = "" if "minimum" in target else "above "
        right = "" if "maximum" in target else "below "
        return f" ({left}{text(low)} to {right}{text(high)})"
    if low is not None:
        return f" ({'>=' if 'minimum' in target else '>'} {text(low)})"
    assert high is not None
    return f" ({'<=' if 'maximum' in target else '<'} {text(high)})"


def _paths(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, list[str]]:
    """Every place each section appears (``Resources`` at training, deployment and each
    environment), in document order."""
    found: dict[str, list[str]] = {}

    def walk(node: dict[str, Any], path: list[str], stack: tuple[str, ...]) -> None:
        for key, prop in _properties(node).items():
            for child in _children(prop, defs):
                if child in stack:
                    continue
                where = ".".join([*path, key])
                found.setdefault(child, [])
                if where not in found[child]:
                    found[child].append(where)
                walk(defs[child], [*path, key], (*stack, child))

    walk(schema, [], ("Spec",))
    return found


def _properties(node: dict[str, Any]) -> dict[str, Any]:
    """A section's keys; a section also written as a plain string (Check) has them on its
    object form."""
    if "properties" in node:
        props: dict[str, Any] = node["properties"]
        return props
    for option in node.get("anyOf", []):
        if "properties" in option:
            found: dict[str, Any] = option["properties"]
            return found
    return {}


def _check_ids() -> list[str]:
    from mlops_spec.spec.checklist import BUILTIN_CHECKS

    lines = ["Write a check as its id (`- model-card`) or as `{id, attested_by}`. The "
             "built-in checks, run by `mlops-spec check`; any other id is a check that "
             "people attest (it needs `attested_by`):", "",
             "| built-in check id | passes when |", "| --- | --- |"]
    lines += [f"| `{name}` | {text} |" for name, text in BUILTIN_CHECKS.items()]
    return [*lines, ""]


def _example_value(example: Any, path: list[str]) -> Any:
    node = example
    for part in path:
        while isinstance(node, list):
            node = node[0] if node else None
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _inline(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"`{text}`".replace("|", "\\|")


def reference_markdown(example: Any = None) -> str:
    """Every section and field: type, required or default, description, example."""
    if example is None:
        example = _load_example()
    schema = build_schema()
    defs: dict[str, Any] = schema.get("$defs", {})
    out = [
        "# mlops.yaml reference",
        "",
        "<!-- Generated by `python -m mlops_spec.tools.generated_docs` from the pydantic models; "
        "do not edit. -->",
        "",
        "Every key of `mlops.yaml` (`apiVersion: mlops-spec/v1`). Unknown keys are errors. "
        "Examples are taken from `example-repo/mlops.yaml` where it sets the field. The "
        "same models generate `schemas/mlops.schema.json` for editors.",
        "",
    ]
    queue: list[tuple[str, dict[str, Any], list[str]]] = [("Spec", schema, [])]
    seen: set[str] = set()
    places = _paths(schema, defs)
    while queue:
        name, node, path = queue.pop(0)
        if name in seen:
            continue
        seen.add(name)
        wheres = [f"`{w}`" for w in places.get(name, [])] or ["top level"]
        where = (", ".join(wheres[:-1]) + " and " + wheres[-1]) if len(wheres) > 1 else (
            wheres[0])
        description = node.get("description") or next(
            (o.get("description", "") for o in node.get("anyOf", []) if "properties" in o), "")
        out += [f"## {name}", "", f"At {where}. {description}".rstrip(), ""]
        if name == "Check":
            out += _check_ids()
        out += ["| key | type | required / default | description | example |",
                "| --- | --- | --- | --- | --- |"]
        object_form = next((o for o in node.get("anyOf", []) if "properties" in o), node)
        required = set(object_form.get("required", []))
        for key, prop in _properties(node).items():
            status = "required" if key in required else (
                f"default {_inline(prop['default'])}" if "default" in prop else "optional")
            example_value = _example_value(example, [*path, key])
            shown = _inline(example_value) if example_value is not None else (
                _inline(prop["examples"][0]) if prop.get("examples") else "")
            description = prop.get("description", "").replace("|", "\\|")
            out.append(f"| `{key}` | {_type_label(prop, defs)} | {status} | {description} "
                       f"| {shown} |")
            for child in _children(prop, defs):
                queue.append((child, defs[child], [*path, key]))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _children(prop: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                found.append(ref.rsplit("/", 1)[1])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(prop)
    return found


def _load_example() -> Any:
    """The bundled example, in a checkout; an installed wheel has none (fields' own
    examples are used then)."""
    from mlops_spec.spec.loader import load_file

    path = REPO / EXAMPLE_PATH
    return load_file(path).data if path.is_file() else {}


def write_all(root: Path = REPO) -> list[Path]:
    from mlops_spec.spec import compiled

    written = []
    for relative, text in ((SCHEMA_PATH, schema_text()),
                           (REFERENCE_PATH, reference_markdown()),
                           (EVALUATION_SCHEMA_PATH, evaluation_schema_text()),
                           (compiled.CACHE.relative_to(REPO), compiled.cache_text())):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        written.append(target)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(f"wrote {path}")
