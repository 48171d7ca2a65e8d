"""The typo bar: every misspelt key or name in the example comes back with did-you-mean.

Fixed keys (fields of a model) are found by walking the example with
``schema_errors.model_at`` and ``allowed_keys``; free-form maps (``model.params``,
``model.promotion.thresholds``) and names that refer to other things (sources, checks,
estimators, enum values) have their own cases below.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from helpers import check, example_text, mutate, position_of, show

from mlops_spec.spec.loader import DataPath, load_text
from mlops_spec.spec.schema_errors import allowed_keys, model_at
from mlops_spec.spec.suggest import closest


def typo_candidates(word: str) -> Iterator[str]:
    """Deterministic misspellings: swap two adjacent letters, then drop one, then double one."""
    for i in range(1, len(word) - 1):
        if word[i] != word[i + 1]:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2:]
    for i in range(len(word) - 1, -1, -1):
        yield word[:i] + word[i + 1:]
    for i in range(len(word)):
        yield word[:i + 1] + word[i] + word[i + 1:]


def typo_for(word: str, options: list[str]) -> str:
    """The first candidate that is not a real option and that difflib maps back to ``word``."""
    for candidate in typo_candidates(word):
        if candidate and candidate not in options and closest(candidate, options) == word:
            return candidate
    raise AssertionError(f"no unambiguous typo for {word!r} among {options}")


@dataclass(frozen=True)
class KeyTypo:
    path: DataPath
    typo: str
    line: int
    column: int

    @property
    def key(self) -> str:
        return str(self.path[-1])


def _fixed_key_typos() -> tuple[list[KeyTypo], list[DataPath]]:
    doc = load_text("mlops.yaml", example_text())
    fixed, free = [], []
    for path, span in doc.keys.items():
        model = model_at(path[:-1])
        if model is None:
            free.append(path)
            continue
        keys = allowed_keys(model)
        assert path[-1] in keys, f"{path} is in the example but not a field of {model}"
        fixed.append(KeyTypo(path, typo_for(str(path[-1]), keys), span.line, span.column))
    return fixed, free


FIXED, FREE = _fixed_key_typos()


def _with_key_renamed(text: str, case: KeyTypo) -> str:
    lines = text.split("\n")
    row = lines[case.line - 1]
    start = case.column - 1
    assert row[start:start + len(case.key)] == case.key
    lines[case.line - 1] = row[:start] + case.typo + row[start + len(case.key):]
    return "\n".join(lines)


def test_the_walk_covers_every_section_and_only_free_maps_are_free() -> None:
    assert len(FIXED) > 100
    assert {case.path[0] for case in FIXED} >= {
        "apiVersion", "name", "owners", "data", "features", "model", "training",
        "deployment", "monitoring", "retrain", "ci", "governance"}
    assert {path[:-1] for path in FREE} == {("model", "params"),
                                             ("model", "promotion", "thresholds"),
                                             ("deployment", "callers", 0, "pod_labels")}


@pytest.mark.parametrize("case", FIXED,
                         ids=[f"{'.'.join(map(str, c.path))}->{c.typo}" for c in FIXED])
def test_misspelt_key_gets_did_you_mean(case: KeyTypo) -> None:
    result = check(_with_key_renamed(example_text(), case))
    hits = [d for d in result.diagnostics if d.code == "S001"
            and (d.line, d.column) == (case.line, case.column)]
    assert hits, f"no S001 at {case.line}:{case.column}\n{show(result.diagnostics)}"
    assert hits[0].hint == f"did you mean {case.key!r}?"
    assert repr(case.typo) in hits[0].message
    assert result.exit_code == 1


@dataclass(frozen=True)
class NameTypo:
    id: str
    old: str
    new: str
    code: str
    at: str
    """Text at the exact line and column where the diagnostic must point."""
    meant: str


NAME_TYPOS = [
    NameTypo("threshold-metric", "{roc_auc: {min: 0.80}", "{roc_acu: {min: 0.80}", "S003",
             "roc_acu:", "roc_auc"),
    NameTypo("estimator-param", "{max_iter: 200", "{max_itre: 200", "M009", "max_itre",
             "max_iter"),
    NameTypo("owner-role-key", 'data_engineer: ["@dana"]', 'data_engneer: ["@dana"]', "S001",
             "data_engneer", "data_engineer"),
    NameTypo("source-format", "format: csv", "format: cvs", "S003", "cvs", "csv"),
    NameTypo("task", "task: binary_classification", "task: binary_clasification", "S003",
             "binary_clasification", "binary_classification"),
    NameTypo("metric-in-list", "recall]", "recal]", "S003", "recal]", "recall"),
    NameTypo("pii-category", "category: contact", "category: contcat", "S003", "contcat",
             "contact"),
    NameTypo("pii-handling", "handling: generalize", "handling: generalise", "S003",
             "generalise", "generalize"),
    NameTypo("deployment-mode", "mode: realtime", "mode: realtmie", "S003", "realtmie",
             "realtime"),
    NameTypo("strategy-type", "type: canary", "type: canray", "S003", "canray", "canary"),
    NameTypo("approver-role", "[sme, ml_engineer]", "[sme, ml_enigneer]", "S003",
             "ml_enigneer", "ml_engineer"),
    NameTypo("ci-provider", "[github_actions, jenkins]", "[github_action, jenkins]", "S003",
             "github_action", "github_actions"),
    NameTypo("retrain-trigger", "on: [drift, performance]", "on: [drfit, performance]",
             "S003", "drfit", "drift"),
    NameTypo("checklist-id", "    - model-card\n", "    - model-crad\n", "M024", "model-crad",
             "model-card"),
    NameTypo("feature-source", "{name: income, source: applications",
             "{name: income, source: applicatoins", "M001", "applicatoins", "applications"),
    NameTypo("estimator-class", "HistGradientBoostingClassifier",
             "HistGradientBostingClassifier", "M007", "sklearn.ensemble.HistGradientBost",
             "sklearn.ensemble.HistGradientBoostingClassifier"),
    NameTypo("estimator-module", "sklearn.ensemble.HistGradientBoostingClassifier",
             "sklearn.tree.HistGradientBoostingClassifier", "M007", "sklearn.tree.",
             "sklearn.ensemble.HistGradientBoostingClassifier"),
    NameTypo("source-owner", 'owner: "@dana"', 'owner: "@dnaa"', "M004", '"@dnaa"', "@dana"),
    NameTypo("drift-method", "method: psi", "method: pis", "S003", "pis", "psi"),
]


@pytest.mark.parametrize("case", NAME_TYPOS, ids=[c.id for c in NAME_TYPOS])
def test_misspelt_name_gets_did_you_mean(case: NameTypo) -> None:
    text = mutate(example_text(), (case.old, case.new))
    result = check(text)
    line, column = position_of(text, case.at)
    hits = [d for d in result.diagnostics if d.code == case.code
            and (d.line, d.column) == (line, column)]
    assert hits, f"no {case.code} at {line}:{column}\n{show(result.diagnostics)}"
    assert hits[0].hint == f"did you mean {case.meant!r}?", show(hits)


def test_no_suggestion_when_nothing_is_close(example: str) -> None:
    text = mutate(example, ("  runner: builtin\n", "  runner: builtin\n  zzzzqqq: 1\n"))
    [diagnostic] = check(text).diagnostics
    assert diagnostic.code == "S001"
    assert diagnostic.hint is not None
    assert diagnostic.hint.startswith("allowed keys: runner, command, platform")
