"""Unit tests of the evaluation.json contract (mlops_spec/evaluation.py) and its schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers import REPO, check, example_text, mutate

from mlops_spec import evaluation
from mlops_spec.diagnostics import InputError
from mlops_spec.spec.sections import Spec
from mlops_spec.tools.generated_docs import EVALUATION_SCHEMA_PATH, evaluation_schema_text


def spec_of(text: str) -> Spec:
    result = check(text)
    assert result.spec is not None
    return result.spec


def sample() -> evaluation.Evaluation:
    digest = evaluation.spec_digest(spec_of(example_text()))
    return evaluation.Evaluation.model_validate({
        "format": evaluation.FORMAT, "model": "credit-risk",
        "spec": {"path": "mlops.yaml", "digest": digest},
        "data": [{"source": "applications", "uri": "data/applications.csv",
                  "sha256": "0" * 64, "rows": 10}],
        "task": "binary_classification", "estimator": "sklearn.linear_model.LogisticRegression",
        "rows": {"train": 8, "test": 2}, "metrics": {"roc_auc": 0.9, "f1": 0.7},
        "thresholds": [{"metric": "roc_auc", "min": 0.8, "max": None, "value": 0.9,
                        "passed": True}],
        "champion": None, "vs_production": None, "decision": "pass",
        "artifact": {"file": "model.skops", "format": "skops", "sha256": "1" * 64},
        "tool": {"name": "mlops-spec", "version": "0.1.0"}})


def test_digest_ignores_comments_order_and_defaults_written_out() -> None:
    base = evaluation.spec_digest(spec_of(example_text()))
    commented = mutate(example_text(), ("name: credit-risk", "name: credit-risk  # hi"))
    assert evaluation.spec_digest(spec_of(commented)) == base
    explicit = mutate(example_text(), ("training:\n  runner: builtin",
                                       "training:\n  runner: builtin\n  image: null"))
    assert evaluation.spec_digest(spec_of(explicit)) == base
    changed = mutate(example_text(), ("max_iter: 200", "max_iter: 201"))
    assert evaluation.spec_digest(spec_of(changed)) != base
    assert base.startswith("sha256:") and len(base) == 71


def test_write_then_read_round_trips_deterministically(tmp_path: Path) -> None:
    path = evaluation.write(sample(), tmp_path)
    text = path.read_text()
    assert text.endswith("}\n") and list(json.loads(text)) == sorted(json.loads(text))
    assert evaluation.read(path) == sample()
    evaluation.write(sample(), tmp_path)
    assert path.read_text() == text
    assert [p.name for p in tmp_path.iterdir()] == ["evaluation.json"]


@pytest.mark.parametrize(("content", "message"), [
    (None, "not found"),
    (b"{not json", "not valid JSON"),
    (json.dumps({"format": "other/v9"}).encode(), "unknown evaluation format"),
    (json.dumps({"format": evaluation.FORMAT, "model": "x"}).encode(), "malformed"),
])
def test_read_errors_are_e001(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "evaluation.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        evaluation.read(path)
    assert caught.value.diagnostics[0].code == "E001"
    assert message in caught.value.diagnostics[0].message


def test_bad_digest_is_refused(tmp_path: Path) -> None:
    data = json.loads(evaluation.dumps(sample()))
    data["spec"]["digest"] = "md5:abc"
    (tmp_path / "evaluation.json").write_text(json.dumps(data))
    with pytest.raises(InputError):
        evaluation.read(tmp_path / "evaluation.json")


def test_committed_schema_is_current_and_accepts_the_sample() -> None:
    committed = (REPO / EVALUATION_SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == evaluation_schema_text(), "run `make generate`"
    schema = json.loads(committed)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(evaluation.dumps(sample())), schema)
    broken = json.loads(evaluation.dumps(sample()))
    del broken["decision"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
