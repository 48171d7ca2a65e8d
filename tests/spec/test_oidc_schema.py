"""The published JSON Schema (what editors check) takes both forms of ci.oidc_role."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from variants import REPO, dump, variant

from mlops_spec.spec.validate import validate_text

SCHEMA = json.loads((REPO / "schemas" / "mlops.schema.json").read_text(encoding="utf-8"))


def _errors(data: dict[str, Any]) -> list[str]:
    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
    return [error.message for error in validator.iter_errors(data)]


@pytest.mark.parametrize("name", ["kubernetes-rolling", "gcp-oidc", "azure-oidc"])
def test_each_clouds_form_is_valid(name: str) -> None:
    data = variant(name)
    assert data["ci"]["oidc_role"]
    assert _errors(data) == []


@pytest.mark.parametrize("role", [
    "arn:aws:iam::123456789012:role/x; id",  # shell text in the shorthand
    {"cloud": "gcp", "provider": "projects/1"},  # an unknown key
    {"cloud": "oracle", "role_arn": "arn:aws:iam::123456789012:role/x"},  # an unknown cloud
    {"role_arn": "arn:aws:iam::123456789012:role/x"},  # the mapping without its cloud
])
def test_malformed_roles_are_flagged(role: Any) -> None:
    """By the editor's schema and, the same way, by `mlops-spec validate` (located)."""
    data = variant("example")
    data["ci"]["oidc_role"] = role
    assert _errors(data)
    result = validate_text("mlops.yaml", dump(data))
    errors = [d for d in result.diagnostics if d.is_error]
    assert errors and all(d.code.startswith("S") and d.line is not None for d in errors)
    assert all(tuple(d.path)[:2] == ("ci", "oidc_role") for d in errors), errors
