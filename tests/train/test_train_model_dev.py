"""Model development declared in the spec: feature selection and hyperparameter search."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import cli
from helpers import check, example_text, mutate
from train_fixtures import write_project

from mlops_spec.train import artifact

LOGISTIC = ("estimator: sklearn.ensemble.HistGradientBoostingClassifier\n"
            "  params: {max_iter: 200, learning_rate: 0.05}",
            "estimator: sklearn.linear_model.LogisticRegression\n  params: {max_iter: 500}")


def card(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / "model-card.json").read_text())
    return data


def test_k_best_keeps_k_encoded_features(tmp_path: Path) -> None:
    spec = write_project(tmp_path / "p", LOGISTIC, (
        "split: {test_size: 0.2, stratify: true, seed: 42}",
        "split: {test_size: 0.2, stratify: true, seed: 42}\n"
        "  selection: {method: k_best, k: 3}"), rows=600)
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 0, run.err
    development = card(tmp_path / "out")["model_development"]
    assert isinstance(development, dict)
    assert len(development["selected_features"]) == 3
    model = artifact.load(tmp_path / "out")
    one_hot = model.named_steps["preprocess"].named_transformers_["categorical_one_hot"]
    categories = one_hot.named_steps["encode"].categories_[0]
    assert "__missing__" in set(categories)  # 1% of the rows have no home_ownership
    assert len(development["encoded_features"]) == 4 + len(categories)
    assert model.named_steps["model"].coef_.shape == (1, 3)
    assert "Feature selection" in (tmp_path / "out" / "model-card.md").read_text()


def test_grid_search_refits_the_best_parameters(tmp_path: Path) -> None:
    spec = write_project(tmp_path / "p", LOGISTIC, (
        "split: {test_size: 0.2, stratify: true, seed: 42}",
        "split: {test_size: 0.2, stratify: true, seed: 42}\n"
        "  search: {method: grid, grid: {class_weight: [null, balanced]}, folds: 3, "
        "scoring: roc_auc}"),
        rows=600)
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 0, run.err
    development = card(tmp_path / "out")["model_development"]
    assert isinstance(development, dict)
    search = development["search"]
    assert search["candidates_tried"] == 2 and search["scoring"] == "roc_auc"
    best = search["best_params"]["class_weight"]
    assert best == artifact.load(tmp_path / "out").named_steps["model"].class_weight
    assert "Hyperparameter search" in (tmp_path / "out" / "model-card.md").read_text()


def test_search_of_a_parameter_the_estimator_lacks(tmp_path: Path) -> None:
    spec = write_project(tmp_path / "p", LOGISTIC, (
        "split: {test_size: 0.2, stratify: true, seed: 42}",
        "split: {test_size: 0.2, stratify: true, seed: 42}\n"
        "  search: {method: random, grid: {depth: [1, 2]}, n_iter: 2}"), rows=300)
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 2 and "T009" in run.err and "'depth'" in run.err


def test_selection_fields_are_checked_by_the_schema() -> None:
    text = mutate(example_text(), ("split: {test_size: 0.2, stratify: true, seed: 42}",
                                   "split: {test_size: 0.2, stratify: true, seed: 42}\n"
                                   "  selection: {method: k_best}"))
    result = check(text)
    assert not result.ok
    assert any("k_best needs k" in d.message for d in result.diagnostics)
