"""Benchmark: drift of 1,000,000 current rows x 20 numeric columns against a stored
reference of 1,000,000 rows, on this machine. A script, not a test.

    .venv/bin/python bench/drift_speed.py [--rows N] [--columns K] [--jobs J]

Setup (not timed): a reference profile is built from generated training data and saved;
the current batch (10 columns unchanged, 10 shifted by 0.05-0.5 sd or rescaled) is written
as Parquet, with a spec watching all columns.

Each measurement runs in a fresh Python process, so its peak memory (``ru_maxrss``) is its
own. Printed per method:

* ``core``: the timed section = load the stored profile (header, then each feature's
  sorted reference values from disk) + normalise and sort the current columns + the
  statistic + p-values + per-feature and dataset decisions. Imports and reading the
  current Parquet file are reported separately (``imports``, ``read``);
* ``numpy.sort``: sorting the 20 current columns one after another with ``np.sort`` in
  the same process, the floor for any exact method; ``ratio`` = core / numpy.sort;
* ``peak``: the process's peak resident memory (imports, current data and all).

Then ``cli``: the whole ``mlops-spec drift`` command in a fresh process (imports, reading
Parquet, the core, the report), wall time and peak memory. And, when ``evidently`` is
importable, Evidently's data-drift report on the same data in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def setup(root: Path, rows: int, columns: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    import yaml

    from mlops_spec.drift.profile import build_profile, save_profile
    from mlops_spec.spec.loader import load_file

    rng = np.random.default_rng(20240601)
    names = [f"x{i:02d}" for i in range(columns)]
    reference = {name: rng.normal(i, 1 + i / 10, rows) for i, name in enumerate(names)}
    save_profile(build_profile(reference, dict.fromkeys(names, "numeric")),
                 root / "reference.npz")
    del reference
    current = {}
    for i, name in enumerate(names):
        scale = 1 + i / 10
        if i % 2 == 0:
            values = rng.normal(i, scale, rows)  # unchanged
        elif i % 10 == 9:
            values = rng.normal(i, scale * 1.2, rows)  # scale change
        else:
            shift = [0.05, 0.1, 0.2, 0.5][(i // 2) % 4]
            values = rng.normal(i + shift * scale, scale, rows)
        current[name] = values
    pq.write_table(pa.table(current), root / "current.parquet")
    del current

    spec = load_file(REPO / "example-repo" / "mlops.yaml").data
    spec["features"]["columns"] = [{"name": n, "source": "applications", "type": "numeric"}
                                   for n in names]
    spec["monitoring"]["drift"] = {"method": "ks", "features": "all", "share": 0.5}
    spec["monitoring"].pop("performance", None)
    spec["retrain"]["on"] = ["drift"]
    spec["model"]["promotion"].pop("vs_production", None)
    (root / "mlops.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))


def child(root: Path, method: str, jobs: int | None) -> dict[str, Any]:
    """One measurement in this (fresh) process."""
    start = time.perf_counter()
    import numpy as np
    import scipy.stats  # noqa: F401  (imported by the p-values; counted under imports)

    from mlops_spec.data.readers import read_columns
    from mlops_spec.drift.compare import measure
    from mlops_spec.drift.decide import decide_drift
    from mlops_spec.drift.plan import plan_features
    from mlops_spec.drift.profile import load_profile
    from mlops_spec.spec.sections import Drift
    from mlops_spec.spec.validate import validate_file

    spec = validate_file(root / "mlops.yaml").spec
    assert spec is not None
    imports = time.perf_counter() - start

    start = time.perf_counter()
    table = read_columns(root / "current.parquet",
                         {f.name: f.type for f in spec.features.columns})
    read = time.perf_counter() - start

    start = time.perf_counter()
    profile = load_profile(root / "reference.npz")
    drift = Drift(method=method)
    planned = plan_features(spec.features.columns, drift, profile)
    measurements = measure(profile, table.columns, planned, jobs=jobs)
    decision = decide_drift(measurements, planned, drift.share)
    core = time.perf_counter() - start

    start = time.perf_counter()
    for values in table.columns.values():
        np.sort(values)
    sort = time.perf_counter() - start
    return {"imports": imports, "read": read, "core": core, "sort": sort,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "drifted": decision.drifted, "watched": decision.watched,
            "detected": decision.detected}


def evidently_child(root: Path) -> dict[str, Any]:
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    from mlops_spec.drift.profile import load_profile

    profile = load_profile(root / "reference.npz")
    reference = pd.DataFrame({name: profile.values(name) for name in profile.columns})
    current = pq.read_table(root / "current.parquet").to_pandas()
    start = time.perf_counter()
    try:  # Evidently >= 0.7
        from evidently import Report
        from evidently.presets import DataDriftPreset

        Report([DataDriftPreset()]).run(current_data=current, reference_data=reference)
    except ImportError:  # older API
        from evidently.metric_preset import DataDriftPreset
        from evidently.report import Report

        Report(metrics=[DataDriftPreset()]).run(reference_data=reference,
                                                current_data=current)
    elapsed = time.perf_counter() - start
    del np
    return {"core": elapsed,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_fresh(args: list[str]) -> tuple[float, float, str]:
    """Run a command in a fresh process: (wall seconds, its own peak MB, stdout)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(args, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed ({process.returncode}):\n{err.read()}")
        return wall, usage.ru_maxrss / 1024, out.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--child", nargs=2, metavar=("DIR", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        root, method = Path(args.child[0]), args.child[1]
        result = evidently_child(root) if method == "evidently" else (
            child(root, method, args.jobs))
        print(json.dumps(result))
        return 0

    from mlops_spec.drift.compare import default_jobs

    jobs = args.jobs or default_jobs()
    with tempfile.TemporaryDirectory(prefix="drift-bench-") as temp:
        root = Path(temp)
        setup(root, args.rows, args.columns)
        print(f"drift_speed: {args.rows:,} current rows x {args.columns} numeric columns vs "
              f"a stored reference of {args.rows:,} rows; {jobs} worker threads, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        for method in ("ks", "wasserstein", "psi"):
            command = [sys.executable, __file__, "--child", temp, method, "--jobs", str(jobs)]
            _, _, out = run_fresh(command)
            r = json.loads(out)
            print(f"{method:<11} core {r['core']:.2f} s  numpy.sort {r['sort']:.2f} s  "
                  f"ratio {r['core'] / r['sort']:.1f}x  peak {r['peak_mb']:.0f} MB  "
                  f"[{r['drifted']}/{r['watched']} drifted; read parquet {r['read']:.2f} s, "
                  f"imports {r['imports']:.2f} s, not in core]")
        cli = [str(Path(sys.executable).with_name("mlops-spec")), "drift",
               str(root / "mlops.yaml"), "--reference", str(root / "reference.npz"),
               "--current", str(root / "current.parquet"), "--format", "json",
               "--jobs", str(jobs)]
        wall, peak, out = run_fresh(cli)
        print(f"cli         mlops-spec drift (ks, whole process: imports, read parquet, core, "
              f"report) {wall:.2f} s wall, peak {peak:.0f} MB, "
              f"exit code {json.loads(out)['exit_code']}")
        try:
            import evidently  # noqa: F401
        except ImportError:
            print("evidently   not installed: skipped (pip install evidently to compare)")
        else:
            _, _, out = run_fresh([sys.executable, __file__, "--child", temp, "evidently"])
            r = json.loads(out)
            print(f"evidently   DataDriftPreset {r['core']:.1f} s, peak {r['peak_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
