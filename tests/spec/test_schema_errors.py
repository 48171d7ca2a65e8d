"""Shape errors: codes S001-S005, their places, hints, and YAML 1.1 surprises in a spec."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import Mutate, check, line_of, position_of, show

from mlops_spec.main import main
from mlops_spec.spec import sections as models
from mlops_spec.spec.schema_errors import allowed_keys, model_at

# --- model_at / allowed_keys ------------------------------------------------------------------


@pytest.mark.parametrize(("path", "model"), [
    ((), models.Spec),
    (("owners",), models.Owners),
    (("data", "sources", 0), models.DataSource),
    (("data", "sources", 0, "pii", 1), models.PiiColumn),
    (("model", "promotion", "thresholds", "roc_auc"), models.Bound),
    (("deployment", "environments"), models.Environment),
    (("deployment", "strategy", "steps", 0), models.CanaryStep),
    (("monitoring", "drift"), models.Drift),
    (("governance", "checklist", 5), models.Check),
    (("model", "params"), None),
    (("model", "promotion", "thresholds"), None),
    (("name",), None),
    (("nonexistent",), None),
])
def test_model_at(path: tuple[str | int, ...], model: type | None) -> None:
    assert model_at(path) is model


def test_allowed_keys_use_aliases() -> None:
    assert allowed_keys(models.Spec)[0] == "apiVersion"
    assert "api_version" not in allowed_keys(models.Spec)


# --- codes, places and hints ------------------------------------------------------------------


def test_s001_unknown_key(mutated: Mutate) -> None:
    text = mutated(("  runner: builtin\n", "  runner: builtin\n  gpus: 2\n"))
    [d] = check(text).diagnostics
    assert d.code == "S001"
    assert d.message == "unknown key 'gpus' in training"
    assert (d.line, d.column) == position_of(text, "gpus")
    assert d.path == ("training", "gpus")


def test_s001_unknown_top_level_key(mutated: Mutate) -> None:
    text = mutated(("risk_tier: high\n", "risk_tier: high\nteam: risk\n"))
    [d] = check(text).diagnostics
    assert (d.code, d.message) == ("S001", "unknown key 'team' in the top level")
    assert (d.line, d.column) == (line_of(text, "team: risk"), 1)


def test_s002_missing_key_points_at_the_parent_with_the_field_description(mutated: Mutate) -> None:
    text = mutated(("  limitations: >-\n    Trained on 2019-2024 applications from one "
                    "country; not validated for small-business loans.\n", ""))
    [d] = check(text).diagnostics
    assert d.code == "S002"
    assert d.message == "missing required key 'limitations' in governance"
    assert (d.line, d.column) == (line_of(text, "governance:"), 1)
    assert d.hint == models.Governance.model_fields["limitations"].description


def test_s002_missing_aliased_top_level_key(mutated: Mutate) -> None:
    text = mutated(("apiVersion: mlops-spec/v1\n", ""))
    [d] = check(text).diagnostics
    assert d.code == "S002"
    assert "'apiVersion'" in d.message
    assert d.hint == "Schema version of this file."
    assert d.line == line_of(text, "name: credit-risk")


def test_s003_pattern_mismatch_explains_the_pattern(mutated: Mutate) -> None:
    text = mutated(("name: credit-risk", "name: Credit_Risk"))
    [d] = check(text).diagnostics
    assert d.code == "S003"
    assert "'Credit_Risk' is not a DNS-1123 label" in d.message
    assert (d.line, d.column) == position_of(text, "Credit_Risk")
    assert d.end_column == d.column + len("Credit_Risk")


def test_s003_value_error_from_a_model_validator(mutated: Mutate) -> None:
    text = mutated(("{roc_auc: {min: 0.80}", "{roc_auc: {min: 0.9, max: 0.8}"))
    [d] = check(text).diagnostics
    assert d.code == "S003"
    assert "min 0.9 is above max 0.8" in d.message
    assert d.line == line_of(text, "max: 0.8}")


def test_s004_api_version(mutated: Mutate) -> None:
    text = mutated(("apiVersion: mlops-spec/v1", "apiVersion: mlops-spec/v2"))
    [d] = check(text).diagnostics
    assert d.code == "S004"
    assert d.hint == "supported versions: mlops-spec/v1"
    assert (d.line, d.column) == position_of(text, "mlops-spec/v2")


@pytest.mark.parametrize(("text", "kind"), [("- a\n", "a list"), ("text\n", "text"),
                                            ("42\n", "a number"), ("true\n", "a boolean")])
def test_s005_top_level_must_be_a_mapping(text: str, kind: str) -> None:
    result = check(text)
    [d] = result.diagnostics
    assert (d.code, d.line, d.column) == ("S005", 1, 1)
    assert d.message.endswith(f"not {kind}")
    assert result.exit_code == 1


# --- YAML 1.1 surprises inside a spec -----------------------------------------------------------


def test_auto_deploy_yes_is_an_error_with_a_boolean_hint(mutated: Mutate) -> None:
    text = mutated(("auto_deploy: true}", "auto_deploy: yes}"))
    [d] = check(text).diagnostics  # the L013 warning at the same place is folded in
    assert d.code == "S003"
    assert d.hint == "write true or false, unquoted"
    assert (d.line, d.column) == position_of(text, "yes}")


def test_python_3_10_unquoted_is_an_error_with_a_quote_hint(mutated: Mutate) -> None:
    text = mutated(('python: "3.11"', "python: 3.10"))
    [d] = check(text).diagnostics
    assert d.code == "S003"
    assert "3.1 is not one of" in d.message
    assert d.hint is not None
    assert "put the value in quotes" in d.hint
    assert "3.10 becomes 3.1" in d.hint


def test_leading_zero_in_a_number_field_explains_octal(mutated: Mutate) -> None:
    text = mutated(("retention_days: 730", "retention_days: 0730"))
    [d] = check(text).diagnostics
    assert d.code == "S003"
    assert "octal" in (d.hint or "")
    assert "without quotes" not in (d.hint or "")


def test_quoted_number_in_a_number_field_says_drop_the_quotes(mutated: Mutate) -> None:
    text = mutated(("timeout_minutes: 30", 'timeout_minutes: "30"'))
    [d] = check(text).diagnostics
    assert d.hint == "write the number without quotes"


def test_exponent_floats_are_numbers(mutated: Mutate) -> None:
    result = check(mutated(("max_drop: 0.01", "max_drop: 1e-3"),
                           ("learning_rate: 0.05", "learning_rate: 5e-2")))
    assert result.diagnostics == [], show(result.diagnostics)
    assert result.spec is not None
    assert result.spec.model.promotion.vs_production is not None
    assert result.spec.model.promotion.vs_production.max_drop == 0.001
    assert result.spec.model.params["learning_rate"] == 0.05


def test_1e3_is_a_float_so_an_integer_field_rejects_it(mutated: Mutate) -> None:
    text = mutated(("retention_days: 730", "retention_days: 1e3"))
    [d] = check(text).diagnostics
    assert d.code == "S003"
    assert "1000.0" in d.message


@pytest.mark.parametrize("word", ["no", "on", "yes", "off"])
def test_yaml_1_1_booleans_in_text_fields_are_warnings(mutated: Mutate, word: str) -> None:
    text = mutated(("agent_label: linux", f"agent_label: {word}"))
    result = check(text)
    [d] = result.diagnostics
    assert (d.code, d.severity.value) == ("L013", "warning")
    assert (d.line, d.column) == position_of(text, f"{word}}}")
    assert result.ok
    assert result.spec is not None
    assert result.spec.ci.jenkins.agent_label == word


def test_on_key_stays_the_string_on(example: str) -> None:
    result = check(example)
    assert result.spec is not None and result.spec.retrain is not None
    assert result.spec.retrain.on == ["drift", "performance"]
    assert result.document is not None
    assert "on" in result.document.data["retrain"]


# --- every problem, exactly located, in one run ----------------------------------------------


def test_three_errors_three_exact_locations(tmp_path: Path, mutated: Mutate,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    text = mutated(("format: csv", "format: parket"),
                   ("retention_days: 730", "retention_days: -1"),
                   ("  timeout_minutes: 30\n", "  timeout_minutes: 30\n  gpu: true\n"))
    (tmp_path / "mlops.yaml").write_text(text, encoding="utf-8")
    code = main(["validate", str(tmp_path / "mlops.yaml")])
    out, err = capsys.readouterr()
    assert code == 1
    file = str(tmp_path / "mlops.yaml")
    heads = [line for line in out.splitlines() if line.startswith(file)]
    expected = [position_of(text, "parket"), position_of(text, "-1"),
                position_of(text, "gpu:")]
    assert [tuple(map(int, re.findall(r":(\d+):(\d+):", h)[0])) for h in heads] == expected
    assert heads[0].startswith(f"{file}:{expected[0][0]}:{expected[0][1]}: error[S003]: ")
    assert "did you mean 'parquet'?" in out
    assert heads[1].startswith(f"{file}:{expected[1][0]}:{expected[1][1]}: error[S003]: ")
    assert heads[2].startswith(f"{file}:{expected[2][0]}:{expected[2][1]}: error[S001]: ")
    assert "3 errors" in err


def test_shape_errors_in_many_sections_are_all_reported(mutated: Mutate) -> None:
    text = mutated(("name: credit-risk", "name: Credit-Risk"),
                   ("  sme: [\"@acme/credit-analysts\"]", "  sme: [\"acme\"]"),
                   ("format: csv", "format: xlsx"),
                   ("type: numeric, transform: log", "type: number, transform: log"),
                   ("test_size: 0.2", "test_size: 1.5"),
                   ("cpu: 500m", "cpu: lots"),
                   ('schedule: "0 6 * * *"', 'schedule: "0 25 * * *"'),
                   ("KUBECONFIG_STAGING", "kubeconfig_staging"))
    result = check(text)
    assert [d.code for d in result.diagnostics] == ["S003"] * 8, show(result.diagnostics)
    needles = ["Credit-Risk", '"acme"', "xlsx", "number,", "1.5", "lots", '"0 25 * * *"',
               "kubeconfig_staging"]
    assert [(d.line, d.column) for d in result.diagnostics] == [
        position_of(text, n) for n in needles]


def test_schema_errors_skip_semantic_rules(mutated: Mutate) -> None:
    # a shape error stops before the meaning checks, which need a typed spec
    text = mutated(("format: csv", "format: xlsx"),
                   ("{name: income, source: applications", "{name: income, source: nowhere"))
    assert [d.code for d in check(text).diagnostics] == ["S003"]
