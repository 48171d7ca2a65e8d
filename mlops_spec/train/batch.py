"""``mlops-spec score``: batch inference that streams, so memory stays flat as input grows.

Input is read in chunks of ``CHUNK_ROWS`` (CSV with pandas' C parser, Parquet by record
batches), each chunk gets the training run's PII handling of its feature columns and is
scored, and the rows are appended to a temporary output file that is renamed into place at
the end. Output columns: the input's columns except PII columns whose handling is not
``keep``, then ``prediction`` and, for classifiers with probabilities, ``probability`` (of
the positive class; of the predicted class for multiclass).

``--shard i/N`` scores rows ``[i*R//N, (i+1)*R//N)`` of the ``R`` input rows (0-based
``i``): contiguous, so the N outputs concatenated in shard order are exactly the rows of an
unsharded run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_spec.data.readers import MISSING_TOKENS, data_format
from mlops_spec.diagnostics import Diagnostic, InputError
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.suggest import did_you_mean
from mlops_spec.train import TrainError, artifact, pii
from mlops_spec.train.dataset import boolean_values
from mlops_spec.train.progress import Progress

CHUNK_ROWS = 250_000
"""Rows per chunk: large enough that per-call overheads of the estimator (one OpenMP
parallel region per tree for gradient boosting) stay small against the work, small enough
that memory stays a few tens of MiB whatever the input size."""


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    def bounds(self, rows: int) -> tuple[int, int]:
        return self.index * rows // self.count, (self.index + 1) * rows // self.count


def parse_shard(text: str) -> Shard:
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit()) or not 0 <= int(index) < int(count):
        raise TrainError.single("T012", f"--shard {text!r} is not i/N with 0 <= i < N",
                                "<command line>", hint="e.g. --shard 0/4 (shards count from 0)")
    return Shard(int(index), int(count))


def _format(path: Path) -> str:
    try:
        return data_format(path)
    except InputError:
        raise TrainError.single("T012", "unknown data format", str(path),
                                hint="use a .csv or .parquet file") from None


def _csv_chunks(path: Path, spec: Spec, chunk_rows: int) -> Iterator[Any]:
    import pandas as pd

    dtypes = {f.name: "float64" if f.type == "numeric" else "object"
              for f in spec.features.columns}
    try:
        header = pd.read_csv(path, nrows=0).columns
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise TrainError.single("T001", f"cannot read the input: {exc}", str(path)) from None
    keep = {name: "object" for name in header if name not in dtypes}
    try:
        yield from pd.read_csv(path, chunksize=chunk_rows, dtype={**keep, **dtypes},
                               keep_default_na=False, na_values=list(MISSING_TOKENS))
    except ValueError:  # a value that does not parse as its declared type
        raise _locate_bad_value(path, [n for n, t in dtypes.items() if t == "float64"],
                                chunk_rows) from None


def _locate_bad_value(path: Path, numeric: list[str], chunk_rows: int) -> TrainError:
    """Re-read the numeric columns as text to name the first value that is not a number
    (only on the error path)."""
    import pandas as pd

    missing = set(MISSING_TOKENS)
    done = 0
    for chunk in pd.read_csv(path, chunksize=chunk_rows, dtype=object, usecols=numeric,
                             keep_default_na=False):
        for name in numeric:
            for offset, value in enumerate(chunk[name].tolist()):
                if value in missing:
                    continue
                try:
                    float(value)
                except ValueError:
                    return TrainError([Diagnostic(
                        code="T004", file=str(path),
                        message=f"column {name!r} is numeric in the spec but row "
                                f"{done + offset + 1} holds {value!r}",
                        hint="fix the data, or change the feature's type in the spec")])
        done += len(chunk)
    return TrainError([Diagnostic(code="T004", file=str(path),
                                  message="a value does not fit its declared type")])


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[Any]:
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
        yield batch.to_pandas()


def count_rows(path: Path) -> int:
    if _format(path) == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    import pandas as pd

    return sum(len(chunk) for chunk in pd.read_csv(path, usecols=[0], dtype=object,
                                                    chunksize=1_000_000))


def chunks(path: Path, spec: Spec, shard: Shard | None, chunk_rows: int = CHUNK_ROWS
           ) -> Iterator[Any]:
    """The input's rows (of the shard) as DataFrames of at most ``chunk_rows`` rows."""
    if not path.is_file():
        raise TrainError.single("T001", "input file not found", str(path),
                                hint="check --input")
    reader = (_parquet_chunks(path, chunk_rows) if _format(path) == "parquet"
              else _csv_chunks(path, spec, chunk_rows))
    start, stop = shard.bounds(count_rows(path)) if shard else (0, None)
    seen = 0
    for chunk in reader:
        begin, seen = seen, seen + len(chunk)
        if stop is not None and begin >= stop:
            break
        if seen <= start:
            continue
        low = max(start - begin, 0)
        high = len(chunk) if stop is None else min(stop - begin, len(chunk))
        yield chunk.iloc[low:high]


def _features(spec: Spec, chunk: Any, file: str, first_row: int) -> Any:
    import numpy as np
    import pandas as pd

    names = [f.name for f in spec.features.columns]
    missing = [n for n in names if n not in chunk.columns]
    if missing:
        hint = did_you_mean(missing[0], list(chunk.columns)) or "the input needs every feature"
        raise TrainError.single("T002", f"column {missing[0]!r} is missing (a feature of "
                                "the spec)", file, hint=hint)
    columns: dict[str, Any] = {}
    for feature in spec.features.columns:
        values = chunk[feature.name].to_numpy()
        if feature.type == "boolean":
            values = boolean_values(values, feature.name, file, first_row)
        elif feature.type == "numeric":
            values = values.astype(np.float64)
        else:
            values = np.array([None if v != v else str(v) for v in values], dtype=object)
        columns[feature.name] = values
    for source in spec.data.sources:
        columns = pii.apply(source, columns, spec, file)
    frame = {name: pd.Series(columns[name], dtype="float64" if columns[name].dtype.kind == "f"
                             else object) for name in names}
    out = pd.DataFrame(frame)
    return out.where(out.notna(), np.nan)


def _predict(model: Any, x: Any, task: str) -> tuple[Any, Any | None]:
    import numpy as np

    if task != "regression" and hasattr(model, "predict_proba"):
        probabilities = model.predict_proba(x)
        best = probabilities.argmax(axis=1)
        labels = model.classes_[best]
        if task == "binary_classification":
            return labels, probabilities[:, 1]
        return labels, probabilities[np.arange(len(best)), best]
    return model.predict(x), None


def hidden_columns(spec: Spec) -> set[str]:
    return {rule.column for source in spec.data.sources for rule in source.pii
            if rule.handling != "keep"}


class _Writer:
    """Appends chunks to a temporary file through Arrow (CSV or Parquet), renamed into place
    by ``close``. Arrow's CSV writer is several times faster than pandas' ``to_csv``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.partial")
        self.kind = _format(path)
        self._handle: Any = None
        self._schema: Any = None

    def _open(self, table: Any) -> None:
        import pyarrow as pa

        # A label column that is empty in the first chunk would be typed null: text.
        fields = [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f
                  for f in table.schema]
        self._schema = pa.schema(fields)
        if self.kind == "csv":
            import pyarrow.csv as pc

            self._handle = pc.CSVWriter(self.tmp, self._schema,
                                        write_options=pc.WriteOptions(quoting_style="needed"))
        else:
            import pyarrow.parquet as pq

            self._handle = pq.ParquetWriter(self.tmp, self._schema)

    def write(self, frame: Any) -> None:
        import pyarrow as pa

        if self._handle is None:
            self._open(pa.Table.from_pandas(frame, preserve_index=False))
        self._handle.write_table(pa.Table.from_pandas(frame, schema=self._schema,
                                                      preserve_index=False))

    def close(self, columns: list[str]) -> None:
        if self._handle is None:  # no rows: still write the header / an empty file
            import pandas as pd

            self.write(pd.DataFrame({c: pd.Series([], dtype=object) for c in columns}))
        self._handle.close()
        self.tmp.replace(self.path)

    def abort(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self.tmp.unlink(missing_ok=True)


_END = object()


def _prefetched(items: Iterator[Any], pool: Any) -> Iterator[Any]:
    """``items``, each produced in ``pool``'s thread while the caller works on the previous
    one (pandas' parser and Arrow's writer release the GIL): at most two chunks in memory."""
    future = pool.submit(next, items, _END)
    while (item := future.result()) is not _END:
        future = pool.submit(next, items, _END)
        yield item


def score(spec: Spec, model_dir: Path, input_path: Path, output: Path, shard: Shard | None,
          progress: Progress, chunk_rows: int = CHUNK_ROWS) -> int:
    """Score ``input_path`` into ``output``; returns the number of rows written.

    Reading the next chunk and writing the previous one run in two helper threads while
    the current chunk is scored."""
    from concurrent.futures import ThreadPoolExecutor

    model = artifact.load(model_dir, spec.model.artifact.format)
    hidden = hidden_columns(spec)
    output.parent.mkdir(parents=True, exist_ok=True)
    writer = _Writer(output)
    written = 0
    columns: list[str] = []
    with ThreadPoolExecutor(1) as reading, ThreadPoolExecutor(1) as writing:
        pending: Any = None
        try:
            for chunk in _prefetched(chunks(input_path, spec, shard, chunk_rows), reading):
                x = _features(spec, chunk, str(input_path), written + 1)
                labels, probability = _predict(model, x, spec.model.task)
                out = chunk[[c for c in chunk.columns if c not in hidden]].copy()
                out["prediction"] = labels
                if probability is not None:
                    out["probability"] = probability
                columns = list(out.columns)
                if pending is not None:
                    pending.result()  # in order, and its error surfaces here
                pending = writing.submit(writer.write, out)
                written += len(out)
                progress.step(f"scored {written:,} rows")
            if pending is not None:
                pending.result()
            writer.close(columns or ["prediction"])
        except BaseException:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(BaseException):
                    pending.result()
            writer.abort()
            raise
    return written
