"""``train`` and ``evaluate`` end to end: data -> fitted pipeline -> the output directory.

The output layout (docs/training.md, BRIEF contract 2) is written into a staged directory
and moved into place at the end (``outputs.staged``)::

    model.skops | model.joblib   evaluation.json   model-card.md   model-card.json
    lineage.json   reference.profile.npz   datasheets/<source>.json   serving/model.joblib
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlops_spec import __version__, evaluation
from mlops_spec.conventions import PROFILE_FILE
from mlops_spec.evaluation import ArtifactRecord, Champion, Evaluation, Rows, SpecRef, Tool
from mlops_spec.spec.sections import Spec
from mlops_spec.train import TrainError, artifact, card, datasheet, lineage, outputs, scoring
from mlops_spec.train.dataset import Dataset, label_values, load, single_class_error
from mlops_spec.train.fit import Fitted, Split, fit, split
from mlops_spec.train.production import ChampionDir
from mlops_spec.train.progress import Progress

GROUP_MIN_ROWS = 20


@dataclass
class Prepared:
    dataset: Dataset
    x: Any
    y: Any


def spec_path_for_evidence(spec_file: Path) -> str:
    """The spec path as evidence shows it: relative to the repository root when in one."""
    state = None
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=spec_file.parent,
                              capture_output=True, text=True, timeout=30, check=False)
        state = done.stdout.strip() if done.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        pass
    if state:
        try:
            return spec_file.resolve().relative_to(Path(state).resolve()).as_posix()
        except ValueError:
            pass
    return spec_file.as_posix()


def prepare(spec: Spec, spec_file: Path, progress: Progress, data: Path | str | None = None
            ) -> Prepared:
    progress.step("reading " + (str(data) if data else
                                ", ".join(s.uri for s in spec.data.sources)))
    dataset = load(spec, spec_file, data)
    names = [f.name for f in spec.features.columns]
    x = dataset.frame[names]
    _check_log_inputs(spec, x, spec_file)
    y = label_values(dataset.frame[spec.features.target], spec.model.task)
    if spec.model.task != "regression":
        import numpy as np

        classes = np.unique(y)
        if len(classes) < 2:
            raise single_class_error(spec_file, spec.features.target,
                                     classes[0] if len(classes) else None)
    return Prepared(dataset=dataset, x=x, y=y)


def _check_log_inputs(spec: Spec, x: Any, spec_file: Path) -> None:
    for feature in spec.features.columns:
        if feature.transform != "log":
            continue
        negative = (x[feature.name] < 0).to_numpy().nonzero()[0]
        if len(negative):
            row = int(negative[0])
            raise TrainError.single(
                "T004", f"column {feature.name!r} has transform log but row {row + 1} holds "
                        f"{x[feature.name].iloc[row]!r} (log needs values >= 0)", str(spec_file),
                hint="use transform robust or standard for columns that can be negative")


def champion_of(spec: Spec, champion: ChampionDir, x_test: Any, y_test: Any) -> Champion:
    """The previous version in ``champion.directory``, evaluated on the same held-out rows;
    named by its store version, else (``--champion DIR``) by its lineage's commit or the
    directory's name."""
    directory = champion.directory
    model = artifact.load(directory, spec.model.artifact.format)
    version = champion.version or directory.resolve().name
    lineage_file = directory / "lineage.json"
    if champion.version is None and lineage_file.is_file():
        try:
            recorded = json.loads(lineage_file.read_text(encoding="utf-8"))
            version = (recorded.get("git") or {}).get("commit") or version
        except (OSError, ValueError, AttributeError):
            pass
    try:
        predictions = scoring.predict(model, x_test, spec.model.task)
    except (ValueError, KeyError) as exc:
        raise TrainError.single("T011", f"the champion cannot score this data: {exc}",
                                str(directory), hint="the champion was trained on other "
                                "features; compare versions of the same spec") from None
    return Champion(version=version, metrics=scoring.compute(list(spec.model.metrics),
                                                             y_test, predictions))


def build_evaluation(spec: Spec, spec_file: Path, prepared: Prepared, metrics: dict[str, float],
                     rows: Rows, champion: Champion | None, artifact_path: Path) -> Evaluation:
    thresholds = scoring.thresholds(spec, metrics)
    versus = scoring.vs_production(spec, metrics, champion)
    passed = all(t.passed for t in thresholds) and (versus is None or versus.passed)
    return Evaluation(
        format=evaluation.FORMAT, model=spec.name,
        spec=SpecRef(path=spec_path_for_evidence(spec_file),
                     digest=evaluation.spec_digest(spec)),
        data=[part.record for part in prepared.dataset.sources], task=spec.model.task,
        estimator=spec.model.estimator, rows=rows, metrics=metrics, thresholds=thresholds,
        champion=champion, vs_production=versus, decision="pass" if passed else "fail",
        artifact=ArtifactRecord(file=artifact_path.name, format=spec.model.artifact.format,
                                sha256=artifact.sha256(artifact_path)),
        tool=Tool(name="mlops-spec", version=__version__))


def _factors(spec: Spec, model: Any, data: Split) -> dict[str, Any]:
    import numpy as np

    metric = spec.model.metrics[0]
    groups = []
    for feature in spec.features.columns:
        if feature.type == "numeric":
            continue
        column = np.array(["(missing)" if v != v else str(v)
                           for v in data.x_test[feature.name]], dtype=object)
        values = []
        for value in sorted(set(column.tolist())):
            mask = column == value
            if mask.sum() < GROUP_MIN_ROWS:
                continue
            predictions = scoring.predict(model, data.x_test[mask], spec.model.task)
            found = scoring.compute([metric], data.y_test[mask], predictions)
            values.append({"value": value, "rows": int(mask.sum()),
                           "value_metric": found.get(metric)})
        groups.append({"feature": feature.name, "metric": metric, "values": values})
    return {"features": [f.model_dump() for f in spec.features.columns], "groups": groups}


def _profile(spec: Spec, x_train: Any, out: Path) -> None:
    import numpy as np

    from mlops_spec.drift.profile import build_profile, save_profile

    columns: dict[str, Any] = {}
    for feature in spec.features.columns:
        values = x_train[feature.name].to_numpy()
        if feature.type == "boolean":
            values = np.array([None if v != v else ("true" if v else "false") for v in values],
                              dtype=object)
        columns[feature.name] = values
    types = {f.name: f.type for f in spec.features.columns}
    save_profile(build_profile(columns, types, meta={"spec": spec.name}), out / PROFILE_FILE)


def _plot(spec: Spec, y_test: Any, predictions: scoring.Predictions,
          metrics: dict[str, float]) -> str | None:
    from mlops_spec.train import plot

    if spec.model.task == "binary_classification" and predictions.scores is not None:
        assert predictions.classes is not None
        return plot.roc(y_test, predictions.scores, predictions.classes[-1],
                        metrics.get("roc_auc"))
    if spec.model.task == "regression":
        return plot.residuals(y_test, predictions.labels)
    return None


def write_evidence(spec: Spec, spec_file: Path, out: Path, prepared: Prepared, data: Split,
                   fitted: Fitted, evaluated: Evaluation, predictions: scoring.Predictions,
                   started: datetime, runner: str) -> None:
    """Everything beside the artifact and evaluation.json: card, datasheets, lineage,
    profile, serving files."""
    artifact.save_serving(fitted.model, out, spec)
    _profile(spec, data.x_train, out)
    for part in prepared.dataset.sources:
        outputs.write_json(out / "datasheets" / f"{part.source.name}.json",
                           datasheet.build(spec, part))
    git = lineage.git_state(spec_file.parent)
    development = {
        "selection": spec.model.selection.model_dump() if spec.model.selection else None,
        "encoded_features": fitted.encoded, "selected_features": fitted.selected,
        "search": fitted.search, "input_features": [f.name for f in spec.features.columns],
        "dropped_missing_target": prepared.dataset.dropped_missing_target}
    built = card.build(spec, evaluated, development=development,
                       factors=_factors(spec, fitted.model, data),
                       plot=_plot(spec, data.y_test, predictions, evaluated.metrics),
                       version=git["commit"] if git else None)
    outputs.write_json(out / "model-card.json", built)
    (out / "model-card.md").write_text(card.markdown(built), encoding="utf-8", newline="\n")
    artifact_file = out / artifact.file_name(spec.model.artifact.format)
    artifact_info = {"file": artifact_file.name, "format": spec.model.artifact.format,
                     "sha256": evaluated.artifact.sha256,
                     "untrusted_types": artifact.untrusted_types(artifact_file)
                     if spec.model.artifact.format == "skops" else None}
    outputs.write_json(out / "lineage.json", lineage.record(
        spec_path=evaluated.spec.path, spec_digest=evaluated.spec.digest,
        data=[d.model_dump() for d in evaluated.data], seed=spec.model.split.seed,
        started=started, spec_dir=spec_file.parent, artifact=artifact_info, runner=runner))


def train(spec: Spec, spec_file: Path, out: Path, champion_dir: ChampionDir | None,
          progress: Progress) -> Evaluation:
    started = datetime.now(UTC)
    if spec.training.runner == "command":
        from mlops_spec.train.command import train_with_command

        return train_with_command(spec, spec_file, out, champion_dir, progress, started)
    prepared = prepare(spec, spec_file, progress)
    data = split(spec, prepared.x, prepared.y, str(spec_file))
    fitted = fit(spec, data, str(spec_file), progress)
    progress.step(f"evaluating on {len(data.y_test):,} held-out rows")
    predictions = scoring.predict(fitted.model, data.x_test, spec.model.task)
    metrics = scoring.compute(list(spec.model.metrics), data.y_test, predictions)
    champion = (champion_of(spec, champion_dir, data.x_test, data.y_test)
                if champion_dir else None)
    with outputs.staged(out) as tmp:
        progress.step("writing the artifact and evidence")
        artifact_path = artifact.save(fitted.model, tmp, spec.model.artifact.format)
        evaluated = build_evaluation(spec, spec_file, prepared, metrics,
                                     Rows(train=len(data.y_train), test=len(data.y_test)),
                                     champion, artifact_path)
        evaluation.write(evaluated, tmp)
        write_evidence(spec, spec_file, tmp, prepared, data, fitted, evaluated, predictions,
                       started, "builtin")
        if spec.deployment.mode == "embedded":
            from mlops_spec.train.embedded import export

            export(spec, fitted.model, data.x_test, tmp, progress)
    return evaluated


def evaluate(spec: Spec, spec_file: Path, model_dir: Path, data_file: Path | str | None,
             champion_dir: ChampionDir | None, out: Path, progress: Progress) -> Evaluation:
    """Re-evaluate ``model_dir``'s artifact: on ``data_file`` whole, or on the spec's
    held-out split; writes ``evaluation.json`` into ``out``."""
    model = artifact.load(model_dir, spec.model.artifact.format)
    prepared = prepare(spec, spec_file, progress, data_file)
    if data_file is None:
        data = split(spec, prepared.x, prepared.y, str(spec_file))
        x_test, y_test, rows = data.x_test, data.y_test, Rows(train=len(data.y_train),
                                                               test=len(data.y_test))
    else:
        x_test, y_test, rows = prepared.x, prepared.y, Rows(train=0, test=len(prepared.y))
    progress.step(f"evaluating on {len(y_test):,} rows")
    try:
        predictions = scoring.predict(model, x_test, spec.model.task)
    except (ValueError, KeyError) as exc:
        raise TrainError.single("T011", f"the model cannot score this data: {exc}",
                                str(model_dir)) from None
    metrics = scoring.compute(list(spec.model.metrics), y_test, predictions)
    champion = champion_of(spec, champion_dir, x_test, y_test) if champion_dir else None
    artifact_path = model_dir / artifact.file_name(spec.model.artifact.format)
    evaluated = build_evaluation(spec, spec_file, prepared, metrics, rows, champion,
                                 artifact_path)
    out.mkdir(parents=True, exist_ok=True)
    evaluation.write(evaluated, out)
    return evaluated
