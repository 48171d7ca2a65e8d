"""Committed generated files are current, and the JSON Schema agrees with the validator."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from helpers import REPO, check, example_text, mutate
from pydantic import ValidationError
from pydantic_core import SchemaValidator

from mlops_spec.spec import compiled
from mlops_spec.spec.loader import load_text
from mlops_spec.spec.sections import Spec
from mlops_spec.tools import generated_docs

STALE = "{} is stale: run `make generate` and commit the result"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    text = (REPO / generated_docs.SCHEMA_PATH).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_committed_schema_is_current() -> None:
    committed = (REPO / generated_docs.SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == generated_docs.schema_text(), STALE.format(generated_docs.SCHEMA_PATH)


def test_committed_reference_is_current() -> None:
    committed = (REPO / generated_docs.REFERENCE_PATH).read_text(encoding="utf-8")
    assert committed == generated_docs.reference_markdown(), STALE.format(
        generated_docs.REFERENCE_PATH)


def test_committed_validator_cache_is_current_and_loads() -> None:
    # Generated in a fresh interpreter, as `make generate` does: once other tests have built
    # sub-models' schemas in this process, pydantic lays the same schema out differently.
    fresh = subprocess.run(
        [sys.executable, "-c", "import sys; from mlops_spec.spec.compiled import cache_text; "
                               "sys.stdout.write(cache_text())"],
        capture_output=True, text=True, check=True, timeout=120).stdout
    committed = compiled.CACHE.read_text(encoding="utf-8")
    assert committed == fresh, STALE.format(compiled.CACHE.relative_to(REPO))
    from mlops_spec.spec import _spec_schema

    assert compiled.fingerprint() == _spec_schema.FINGERPRINT
    assert isinstance(SchemaValidator(compiled._decode(_spec_schema.SCHEMA)), SchemaValidator)


def _variants() -> Iterator[tuple[str, str]]:
    base = example_text()
    yield "example", base
    edits = [
        ("format: csv", "format: parket"), ("retention_days: 730", "retention_days: 0730"),
        ("auto_deploy: true}", "auto_deploy: yes}"), ('python: "3.11"', "python: 3.10"),
        ("  runner: builtin\n", "  runner: builtin\n  gpus: 2\n"),
        ('schedule: "0 6 * * *"', 'schedule: "@daily"'), ("cpu: 500m", "cpu: 2"),
        ("memory: 1Gi", "memory: 1GB"), ("{roc_auc: {min: 0.80}", "{roc_auc: {max: 0.1, min: 1.0}"),
        ("    - model-card\n", "    - {id: model-card, attested_by: [nobody]}\n"),
        ("apiVersion: mlops-spec/v1\n", ""), ("features: all}", "features: [income]}"),
        ("owners:\n", "owners:\n  security: []\n"),
    ]
    for old, new in edits:
        yield new.strip(), mutate(base, (old, new))


@pytest.mark.parametrize(("name", "text"), list(_variants()), ids=[n for n, _ in _variants()])
def test_cached_validator_agrees_with_pydantic(name: str, text: str) -> None:
    data = load_text("mlops.yaml", text).data
    try:
        expected: Any = Spec.model_validate(data).model_dump()
    except ValidationError as exc:
        expected = exc.errors(include_url=False, include_context=False)
    try:
        got: Any = compiled.spec_validator().validate_python(data).model_dump()
    except ValidationError as exc:
        got = exc.errors(include_url=False, include_context=False)
    assert got == expected


# --- the JSON Schema ----------------------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_example_validates_against_the_committed_schema(schema: dict[str, Any]) -> None:
    data = load_text("mlops.yaml", example_text()).data
    jsonschema.Draft202012Validator(schema).validate(data)


def _properties(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for key, prop in node.get("properties", {}).items():
            yield f"{where}/properties/{key}", prop
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{where}/{i}")


def test_every_property_has_a_description(schema: dict[str, Any]) -> None:
    props = list(_properties(schema))
    assert len(props) > 100
    missing = [where for where, prop in props
               if not isinstance(prop.get("description"), str) or not prop["description"].strip()]
    assert missing == []
    for name, definition in schema["$defs"].items():
        described = definition.get("description") or all(
            option.get("description") for option in definition.get("anyOf", [{}]))
        assert described, f"$defs/{name} has no description"


REJECTED_BY_BOTH = [
    ("unknown-top-level-key", ("risk_tier: high\n", "risk_tier: high\nteam: risk\n")),
    ("unknown-nested-key", ("  runner: builtin\n", "  runner: builtin\n  gpus: 2\n")),
    ("unknown-key-in-list-item", ("format: csv\n", "format: csv\n      size: 3\n")),
    ("bad-enum", ("format: csv", "format: parket")),
    ("bad-enum-in-list", ("[roc_auc, f1, precision, recall]", "[roc_auc, f1, precison]")),
    ("string-for-integer", ("timeout_minutes: 30", 'timeout_minutes: "30"')),
    ("number-for-enum-text", ('python: "3.11"', "python: 3.10")),
    ("pattern", ("name: credit-risk", "name: Credit_Risk")),
    ("handle-without-at", ('owner: "@dana"', "owner: dana")),
    ("missing-required", ("apiVersion: mlops-spec/v1\n", "")),
    ("api-version", ("apiVersion: mlops-spec/v1", "apiVersion: mlops-spec/v2")),
    ("out-of-range", ("test_size: 0.2", "test_size: 1.5")),
    ("bad-uri", ("uri: data/applications.csv", "uri: ../applications.csv")),
    ("empty-list", ("providers: [github_actions, jenkins]", "providers: []")),
]


@pytest.mark.parametrize(("edit"), [e for _, e in REJECTED_BY_BOTH],
                         ids=[n for n, _ in REJECTED_BY_BOTH])
def test_shape_errors_are_also_json_schema_errors(edit: tuple[str, str],
                                                  schema: dict[str, Any]) -> None:
    text = mutate(example_text(), edit)
    result = check(text)
    assert result.spec is None, "the validator must reject this by shape"
    assert {d.code[0] for d in result.diagnostics} == {"S"}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(
        load_text("mlops.yaml", text).data))
    assert errors, "the JSON Schema accepts what the validator rejects"


def test_validate_uses_the_cache_instead_of_building_the_models() -> None:
    import subprocess
    import sys

    probe = ("import contextlib, io\n"
             "from mlops_spec.main import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    assert main(['validate', 'example-repo']) == 0\n"
             "from mlops_spec.spec.sections import Spec\n"
             "print(Spec.__pydantic_complete__)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "False", "validate rebuilt the models: the cache is stale"
