"""Benchmark: ``mlops-spec score`` on 1,000,000 rows against one in-memory predict.

    .venv/bin/python bench/score_throughput.py [--rows N] [--format csv|parquet]

Setup (not timed): the example is trained into a temporary directory, and N rows of the
example's generator (``mlops_spec.tools.example_data``, another seed) are written as the
input file.

Printed:

* ``predict``: one ``pipeline.predict`` over the whole frame, already in memory, in this
  process (the baseline: no reading, no writing); best of three, interleaved with score;
* ``score``: ``mlops_spec.train.batch.score`` in this process on the file: read in chunks,
  PII handling, ``predict_proba``, write ``prediction`` and ``probability`` (loading the
  model included); best of three;
  ``ratio`` = score rows/s / predict rows/s (goal >= 0.8);
* ``memory``: the peak resident memory of the whole ``mlops-spec score`` command, each run
  in a fresh process, for N/10 and N rows; ``ratio`` = large / small (goal <= 2).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "example-repo" / "mlops.yaml"
REPEATS = 3


def write_input(path: Path, rows: int, fmt: str) -> None:
    from mlops_spec.tools import example_data

    text = example_data.to_csv(example_data.generate(rows, seed=99))
    if fmt == "csv":
        path.write_text(text, encoding="utf-8")
        return
    import io

    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.read_csv(io.StringIO(text), dtype={"home_ownership": object, "email": object,
                                                  "zip_code": object})
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def peak_rss_mib(args: list[str]) -> float:
    """Peak RSS of a fresh process running ``args`` (its own, from wait4)."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    args = parser.parse_args()

    import pandas as pd

    from mlops_spec.main import main as cli
    from mlops_spec.spec.validate import validate_file
    from mlops_spec.train import artifact
    from mlops_spec.train.batch import score
    from mlops_spec.train.progress import Progress

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        model_dir = root / "model"
        assert cli(["train", str(SPEC), "--out", str(model_dir), "--quiet"]) == 0
        spec = validate_file(SPEC).spec
        assert spec is not None
        suffix = "." + args.format
        large, small = root / f"large{suffix}", root / f"small{suffix}"
        write_input(large, args.rows, args.format)
        write_input(small, args.rows // 10, args.format)

        model = artifact.load(model_dir)
        names = list(model.feature_names_in_)
        frame = (pd.read_csv(large, dtype={"home_ownership": object})
                 if args.format == "csv" else pd.read_parquet(large))[names]
        predict_seconds = score_seconds = float("inf")
        for _ in range(REPEATS):  # interleaved, best of each: the machine's load varies
            start = time.perf_counter()
            model.predict(frame)
            predict_seconds = min(predict_seconds, time.perf_counter() - start)
            start = time.perf_counter()
            rows = score(spec, model_dir, large, root / f"out{suffix}", None, Progress(True))
            score_seconds = min(score_seconds, time.perf_counter() - start)
            assert rows == args.rows
        del frame

        command = [sys.executable, "-m", "mlops_spec", "score", str(SPEC), "--model",
                   str(model_dir), "--output", str(root / f"o{suffix}"), "--quiet", "--input"]
        small_mib = peak_rss_mib([*command, str(small)])
        large_mib = peak_rss_mib([*command, str(large)])

    predict_rate, score_rate = args.rows / predict_seconds, args.rows / score_seconds
    print(f"rows {args.rows:,} ({args.format})")
    print(f"predict (in memory): {predict_seconds:.2f}s, {predict_rate:,.0f} rows/s")
    print(f"score (streamed):    {score_seconds:.2f}s, {score_rate:,.0f} rows/s, "
          f"ratio {score_rate / predict_rate:.2f} (goal >= 0.8)")
    print(f"memory: {args.rows // 10:,} rows {small_mib:.0f} MiB, {args.rows:,} rows "
          f"{large_mib:.0f} MiB, ratio {large_mib / small_mib:.2f} (goal <= 2)")


if __name__ == "__main__":
    main()
