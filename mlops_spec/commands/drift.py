"""``mlops-spec drift``: compare current data with the training reference; exit 1 to retrain.

    mlops-spec drift [SPEC] --reference PROFILE --current DATA [--format text|json]
    mlops-spec drift [SPEC] --champion --current DATA   # the profile production's version has
    mlops-spec drift [SPEC] --reference PROFILE --training DATA     # write the profile

``--champion`` reads the reference profile stored with the version production serves
(``store.champion``), verified against its manifest; when production serves none yet the
check is skipped with a notice (exit 0): there is nothing to compare against.

Exit codes: 0 no retrain trigger fired, 1 a trigger fired (drift or decay listed in
``retrain.on``), 2 usage or input error (invalid spec, unreadable file, schema mismatch).
Heavy modules (numpy, scipy, pyarrow) are imported inside ``run``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_spec.conventions import is_remote
from mlops_spec.diagnostics import Diagnostic, InputError, require
from mlops_spec.spec.sections import Drift, Performance, Spec

if TYPE_CHECKING:
    import numpy.typing as npt

    from mlops_spec.drift.decide import PerformanceDecision


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", nargs="?", default=".", metavar="SPEC",
                        help="mlops.yaml, or a directory holding one (default: .)")
    reference = parser.add_mutually_exclusive_group()
    reference.add_argument("--reference", metavar="PROFILE",
                           help="the reference profile (.npz) written at training time")
    reference.add_argument("--champion", action="store_true",
                           help="compare with the reference profile stored with the version "
                                "production serves (fetched from model.artifact.store, "
                                "verified); skipped, exit 0, when it serves none yet")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--current", metavar="DATA",
                        help="current data: .csv or .parquet, or s3://, gs://, az:// (a "
                             "prefix ending in / reads every such object under it; default: "
                             "monitoring.current_data)")
    source.add_argument("--training", metavar="DATA",
                        help="instead of comparing, build the reference profile from this "
                             "training data (.csv or .parquet) and write it to --reference")
    parser.add_argument("--prediction-column", default="prediction", metavar="NAME",
                        help="column of the model's output in current data, used with the "
                             "label column for performance decay (default: prediction)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="report format (default: text)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker threads (default: available CPUs, at most 4)")


def run(args: argparse.Namespace) -> int:
    # Before the first heavy import: a missing extra exits 2 naming it (not a traceback).
    for module in ("numpy", "scipy"):
        require(module, "drift", "mlops-spec drift")
    from mlops_spec.data.readers import local_data_path

    spec_file, spec = _load_spec(Path(args.spec))
    if args.training:
        if args.reference is None:
            raise _usage("--training writes the profile to --reference PROFILE: pass it")
        out = local_data_path(args.reference, "--reference")
        return _build(spec_file, spec, args.training, out)
    if args.champion:
        return _compare_with_champion(spec_file, spec, args)
    if args.reference is None:
        raise _usage("nothing to compare with: pass --reference PROFILE, or --champion for "
                     "the profile of the version production serves")
    return _compare(spec_file, spec, args, local_data_path(args.reference, "--reference"),
                    str(args.reference))


def _usage(message: str) -> InputError:
    return InputError([Diagnostic(code="D007", message=message, file="<command line>")])


def _compare_with_champion(spec_file: Path, spec: Spec, args: argparse.Namespace) -> int:
    """Compare with the profile stored with production's version, fetched into a temporary
    directory (only that file, its digest verified) that is removed afterwards."""
    import tempfile

    from mlops_spec.conventions import PROFILE_FILE
    from mlops_spec.store.champion import not_served, stored_champion

    found = stored_champion(spec, spec_file, "mlops-spec drift --champion")
    if found is None:
        print(f"notice: {not_served(spec, spec_file)}; nothing to compare with, so the "
              "drift check is skipped", file=sys.stderr)
        return 0
    store, version = found
    with tempfile.TemporaryDirectory(prefix="mlops-spec-champion-") as temp:
        target = Path(temp) / version
        store.fetch(version, target, only=[PROFILE_FILE])
        print(f"reference: the profile of version {version}, which production serves",
              file=sys.stderr)
        return _compare(spec_file, spec, args, target / PROFILE_FILE,
                        f"{store.version_uri(version)}/{PROFILE_FILE}")


def _load_spec(target: Path) -> tuple[Path, Spec]:
    from mlops_spec.commands._spec import load_valid_spec

    return load_valid_spec(target, "monitoring", code="D006")


def _build(spec_file: Path, spec: Spec, data: str, out: Path) -> int:
    from mlops_spec.data.readers import local_data_path, read_columns
    from mlops_spec.drift.columns import ColumnError, ColumnType
    from mlops_spec.drift.profile import build_profile, save_profile

    if not out.parent.is_dir():
        # A typo in --reference would otherwise create a directory tree silently.
        raise InputError([Diagnostic(
            code="D012", message=f"the directory of --reference does not exist: {out.parent}",
            file=str(out), hint="create the directory first, or fix the path")])
    types: dict[str, ColumnType] = {f.name: f.type for f in spec.features.columns}
    table = read_columns(local_data_path(data, "--training"), types)
    try:
        profile = build_profile(table.columns, types,
                                meta={"spec": spec.name, "data": Path(data).name})
    except ColumnError as exc:
        raise InputError([Diagnostic(code="D002", message=str(exc), file=data)]) from None
    save_profile(profile, out)
    print(f"wrote {out}: {len(types)} features from {table.rows:,} rows of {data}")
    return 0


def _current_path(spec_file: Path, spec: Spec, given: str | None) -> Path | str:
    """--current, else monitoring.current_data; a URI (s3://...) stays a string."""
    configured = spec.monitoring.current_data if spec.monitoring else None
    if given:
        return given if is_remote(given) else Path(given)
    if configured is None:
        raise InputError([Diagnostic(
            code="D003", message="no current data", file=str(spec_file),
            hint="pass --current DATA, or set monitoring.current_data")])
    return configured if is_remote(configured) else spec_file.parent / configured


def _compare(spec_file: Path, spec: Spec, args: argparse.Namespace, reference: Path,
             reference_label: str) -> int:
    from mlops_spec.data.readers import read_columns
    from mlops_spec.drift import performance as perf
    from mlops_spec.drift.columns import ColumnError, ColumnType
    from mlops_spec.drift.compare import measure
    from mlops_spec.drift.decide import decide_drift, retrain_trigger
    from mlops_spec.drift.plan import plan_features
    from mlops_spec.drift.profile import load_profile
    from mlops_spec.drift.report import Report, to_json, to_text

    if args.jobs is not None and args.jobs < 1:
        raise _usage("--jobs must be at least 1")
    current_path = _current_path(spec_file, spec, args.current)
    profile = load_profile(reference)
    warnings: list[str] = []
    drift = spec.monitoring.drift if spec.monitoring else None
    if drift is None:
        drift = Drift()
        warnings.append("monitoring.drift is not configured: using method auto, share 0.5")
    elif drift.method == "auto" and drift.threshold is not None:
        warnings.append("monitoring.drift.threshold has no effect with method auto: each "
                        "feature uses its chosen method's default")
    planned = plan_features(spec.features.columns, drift, profile)

    performance = spec.monitoring.performance if spec.monitoring else None
    optional: dict[str, ColumnType] = {}
    if performance is not None:
        label_type, prediction_type = perf.column_types(spec.model.task)
        optional = {spec.features.target: label_type, args.prediction_column: prediction_type}
    table = read_columns(current_path, {f.name: f.type for f in planned}, optional)
    if table.rows == 0:
        raise InputError([Diagnostic(code="D004", message="the current data has no rows",
                                     file=table.file, hint="nothing to compare")])
    try:
        measurements = measure(profile, table.columns, planned, jobs=args.jobs)
        decision = decide_drift(measurements, planned, drift.share)
        performance_decision = None
        if performance is not None:
            performance_decision = _performance(spec, performance, table.columns,
                                                args.prediction_column)
    except ColumnError as exc:
        raise InputError([Diagnostic(code="D002", message=str(exc), file=table.file)]) from None
    report = Report(
        spec=str(spec_file), model=spec.name, reference_file=reference_label,
        reference_rows=profile.rows, current_file=table.file, current_rows=table.rows,
        method=drift.method, drift=decision, performance=performance_decision,
        trigger=retrain_trigger(spec.retrain, decision, performance_decision),
        warnings=tuple(warnings))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    sys.stdout.write(to_json(report) if args.format == "json" else to_text(report))
    return report.exit_code


def _performance(spec: Spec, config: Performance, columns: Mapping[str, npt.NDArray[Any]],
                 prediction_column: str) -> PerformanceDecision:
    from mlops_spec.drift import performance as perf
    from mlops_spec.drift.decide import PerformanceDecision, performance_status

    require("sklearn", "drift", "performance monitoring (mlops-spec drift)")
    target = spec.features.target
    absent = [name for name in (target, prediction_column) if name not in columns]
    if absent:
        return PerformanceDecision(
            metric=config.metric, value=None, min=config.min, max=config.max, rows=0,
            status="skipped", reason=f"the current data has no {absent[0]!r} column")
    value, rows, reason = perf.compute(
        config.metric, spec.model.task, columns[target], columns[prediction_column],
        label_column=target, prediction_column=prediction_column)
    if value is None:
        return PerformanceDecision(metric=config.metric, value=None, min=config.min,
                                   max=config.max, rows=rows, status="undefined",
                                   reason=reason)
    return PerformanceDecision(metric=config.metric, value=value, min=config.min,
                               max=config.max, rows=rows,
                               status=performance_status(value, config.min, config.max))
