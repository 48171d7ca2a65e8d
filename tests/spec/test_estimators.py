"""The estimator table is generated from the installed scikit-learn and stays in sync."""

from __future__ import annotations

import importlib

import pytest

from mlops_spec.spec import estimators

pytestmark = [pytest.mark.slow,  # imports all of scikit-learn
              pytest.mark.filterwarnings("ignore::FutureWarning")]


@pytest.fixture(scope="module")
def generated() -> dict[str, dict[str, object]]:
    return estimators.generate()


def test_committed_table_matches_installed_scikit_learn(
        generated: dict[str, dict[str, object]]) -> None:
    committed = estimators.TABLE.read_text(encoding="utf-8")
    assert committed == estimators.render_table(generated), (
        "mlops_spec/model/_estimators.py is stale: run `make generate` and commit it")


def test_kinds_agree_with_scikit_learn() -> None:
    from sklearn.base import ClassifierMixin, RegressorMixin, is_classifier, is_regressor

    table = estimators.estimators()
    assert len(table) > 50
    untagged = []
    for path, entry in table.items():
        module, _, name = path.rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        assert entry["kind"] in ("classifier", "regressor"), path
        check, mixin = ((is_classifier, ClassifierMixin) if entry["kind"] == "classifier"
                        else (is_regressor, RegressorMixin))
        try:
            instance = cls()
            assert check(instance), path
        except AttributeError:
            # meta-estimators whose default sub-estimator is None have no tags until
            # configured; fall back to the mixin that sets the kind
            assert issubclass(cls, mixin), path
            untagged.append(name)
    assert len(untagged) <= 3, untagged


def test_params_are_the_constructor_parameters() -> None:
    import inspect

    table = estimators.estimators()
    for path in ("sklearn.ensemble.HistGradientBoostingClassifier",
                 "sklearn.linear_model.LogisticRegression", "sklearn.linear_model.Ridge"):
        module, _, name = path.rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        assert table[path]["params"] == sorted(inspect.signature(cls).parameters)


def test_table_is_read_without_scikit_learn() -> None:
    # The lookup the validator uses is plain JSON and knows the example's estimator.
    entry = estimators.estimators()["sklearn.ensemble.HistGradientBoostingClassifier"]
    assert entry["kind"] == "classifier"
    assert {"max_iter", "learning_rate"} <= set(entry["params"])
    assert set(estimators.KIND_FOR_TASK) == {"binary_classification",
                                             "multiclass_classification", "regression"}
