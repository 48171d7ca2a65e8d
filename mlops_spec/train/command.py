"""``training.runner: command``: run the team's own training program, then check its work.

The program (``training.command``, a list: run without a shell, in the spec's directory)
gets its output directory in ``MLOPS_SPEC_OUT``, the spec in ``MLOPS_SPEC_SPEC`` and the
seed in ``MLOPS_SPEC_SEED``. It must write there:

* the artifact, ``model.skops`` (or ``model.joblib`` when the spec says joblib), a fitted
  scikit-learn pipeline taking the spec's feature columns;
* ``metrics.json``: ``{"metrics": {name: value}, "rows": {"train": N, "test": M}}`` with
  every metric of ``model.metrics``.

mlops-spec then loads the artifact safely, writes ``evaluation.json`` from those metrics
and the rest of the layout (card, datasheets, lineage, profile, serving files) from the
spec's data and the loaded model, exactly as the builtin runner does. A program that fails,
times out (``training.timeout_minutes``) or leaves out a file is a T010.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from mlops_spec import evaluation
from mlops_spec.diagnostics import UserError
from mlops_spec.evaluation import Evaluation, Rows
from mlops_spec.spec.sections import Spec
from mlops_spec.train import TrainError, artifact, outputs, scoring
from mlops_spec.train.production import ChampionDir
from mlops_spec.train.progress import Progress

METRICS_FILE = "metrics.json"


def _fail(spec_file: Path, message: str, hint: str | None = None) -> UserError:
    return TrainError.single("T010", message, str(spec_file), hint=hint)


def _run_program(spec: Spec, spec_file: Path, out: Path, progress: Progress) -> None:
    argv = list(spec.training.command or [])
    if not argv:
        raise _fail(spec_file, "training.runner is command but training.command is empty")
    env = {**os.environ, "MLOPS_SPEC_OUT": str(out.resolve()),
           "MLOPS_SPEC_SPEC": str(spec_file.resolve()),
           "MLOPS_SPEC_SEED": str(spec.model.split.seed)}
    progress.step(f"running {argv[0]}")
    try:
        done = subprocess.run(argv, cwd=spec_file.parent, env=env, check=False,
                              timeout=spec.training.timeout_minutes * 60)
    except FileNotFoundError:
        raise _fail(spec_file, f"training.command program {argv[0]!r} not found",
                    "install it, or give its path relative to the spec's directory"
                    ) from None
    except subprocess.TimeoutExpired:
        raise _fail(spec_file, f"training.command ran longer than "
                    f"{spec.training.timeout_minutes} minutes (training.timeout_minutes)"
                    ) from None
    if done.returncode != 0:
        raise _fail(spec_file, f"training.command exited with {done.returncode}",
                    "its own output above says why")


def _read_metrics(spec: Spec, spec_file: Path, out: Path) -> tuple[dict[str, float], Rows]:
    path = out / METRICS_FILE
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        metrics = {str(k): round(float(v), scoring.DECIMALS)
                   for k, v in data["metrics"].items()}
        rows = Rows(train=int(data["rows"]["train"]), test=int(data["rows"]["test"]))
    except FileNotFoundError:
        raise _fail(spec_file, f"training.command wrote no {METRICS_FILE}",
                    'write {"metrics": {...}, "rows": {"train": N, "test": M}} to '
                    f"$MLOPS_SPEC_OUT/{METRICS_FILE}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _fail(spec_file, f"{METRICS_FILE} is malformed ({exc})",
                    'expected {"metrics": {name: number}, "rows": {"train": N, "test": M}}'
                    ) from None
    missing = [m for m in spec.model.metrics if m not in metrics]
    if missing:
        raise _fail(spec_file, f"{METRICS_FILE} lacks the metric {missing[0]!r} of "
                    "model.metrics", "compute every metric the spec lists")
    return {m: metrics[m] for m in spec.model.metrics}, rows


def train_with_command(spec: Spec, spec_file: Path, out: Path, champion_dir: ChampionDir | None,
                       progress: Progress, started: datetime) -> Evaluation:
    from mlops_spec.train.fit import Fitted, split
    from mlops_spec.train.run import build_evaluation, champion_of, prepare, write_evidence

    fmt = spec.model.artifact.format
    with outputs.staged(out) as tmp:
        _run_program(spec, spec_file, tmp, progress)
        if not (tmp / artifact.file_name(fmt)).is_file():
            raise _fail(spec_file, f"training.command wrote no {artifact.file_name(fmt)}",
                        f"save the fitted pipeline to $MLOPS_SPEC_OUT/{artifact.file_name(fmt)}")
        metrics, rows = _read_metrics(spec, spec_file, tmp)
        model = artifact.load(tmp, fmt)
        prepared = prepare(spec, spec_file, progress)
        data = split(spec, prepared.x, prepared.y, str(spec_file))
        predictions = scoring.predict(model, data.x_test, spec.model.task)
        champion = (champion_of(spec, champion_dir, data.x_test, data.y_test)
                    if champion_dir else None)
        evaluated = build_evaluation(spec, spec_file, prepared, metrics, rows, champion,
                                     tmp / artifact.file_name(fmt))
        evaluation.write(evaluated, tmp)
        (tmp / METRICS_FILE).unlink()
        write_evidence(spec, spec_file, tmp, prepared, data, Fitted(model=model), evaluated,
                       predictions, started, "command")
    return evaluated
