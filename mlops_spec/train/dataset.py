"""Read the spec's sources into one table: columns checked, PII handled, sources joined.

Each source is read with ``mlops_spec.data.readers`` (only the columns the run needs: the
features, the target, the PII columns and the join keys), its bytes digested for the
evidence, and its PII handling applied straight away (``mlops_spec.train.pii``), so a
dropped column never reaches the joined table. Problems are ``TrainError``s: T001
unreadable, T002 missing column (did-you-mean), T004 a value that does not fit its type,
T005 a file over ``MAX_DATA_BYTES``, T006 a remote URI where only local files work
(``score``), T013 a join without rows. A remote source (``s3://``, ``gs://``, ``az://``)
is read through ``mlops_spec.data.remote``, digested and bounded as it streams.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_spec.diagnostics import Diagnostic, InputError
from mlops_spec.evaluation import DataRecord
from mlops_spec.spec.sections import DataSource, Spec
from mlops_spec.train import TrainError

if TYPE_CHECKING:
    import pandas as pd

MAX_DATA_BYTES = 2 * 1024**3
"""Largest data file (or Parquet directory) train reads: 2 GiB, since training holds the
table in memory. ``MLOPS_SPEC_MAX_DATA_BYTES`` overrides it (bytes)."""

_READER_CODES = {"D001": "T002", "D002": "T004", "D003": "T001"}
TRUE_LABELS = frozenset({"true", "t", "yes", "y", "1", "1.0"})
FALSE_LABELS = frozenset({"false", "f", "no", "n", "0", "0.0"})


@dataclass
class SourceData:
    """One source as read: its evidence record and its (PII-handled) columns."""

    source: DataSource
    record: DataRecord
    path: Path | None
    columns: dict[str, Any]
    missing_before_handling: dict[str, float] = field(default_factory=dict)


@dataclass
class Dataset:
    frame: pd.DataFrame
    sources: list[SourceData]
    dropped_missing_target: int


def max_data_bytes() -> int:
    raw = os.environ.get("MLOPS_SPEC_MAX_DATA_BYTES")
    return int(raw) if raw and raw.isdigit() else MAX_DATA_BYTES


def refuse_remote(uri: str, what: str, file: str) -> None:
    """``score`` streams its input and output through local files: a remote URI there is
    refused (train and evaluate read remote data through ``mlops_spec.data.remote``)."""
    if "://" in uri:
        raise TrainError.single(
            "T006", f"{what} is remote ({uri}); score reads and writes local CSV and "
                    "Parquet files", file,
            hint="copy the data to a local path first (train and evaluate read s3://, "
                 "gs:// and az:// themselves)")


def is_remote(uri: str | Path) -> bool:
    from mlops_spec.data import remote

    return remote.is_remote(uri)


def local_path(spec_file: Path, source: DataSource) -> Path:
    """Where a local source is read from (relative paths are relative to the spec)."""
    path = Path(source.uri.removeprefix("file://"))
    return path if path.is_absolute() else spec_file.parent / path


def _in(source: DataSource, name: str, merged: bool) -> bool:
    return merged or name == source.name


def needed_columns(spec: Spec, source: DataSource, merged: bool = False) -> dict[str, str]:
    """Column -> reader type for one source (features, target, PII, join keys); with
    ``merged`` the source is one file holding every source's columns."""
    first = spec.data.sources[0].name
    wanted: dict[str, str] = {}
    for key in spec.data.join_on or []:
        wanted[key] = "categorical"
    if _in(source, spec.features.target_source or first, merged):
        task = spec.model.task
        wanted[spec.features.target] = "numeric" if task == "regression" else "categorical"
    for feature in spec.features.columns:
        if _in(source, feature.source, merged):
            wanted[feature.name] = feature.type
    for pii in source.pii:
        wanted.setdefault(pii.column, "categorical")
    return wanted


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        with file.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _read_remote(uri: str, wanted: dict[str, str]) -> tuple[Any, str]:
    """A remote source's table and the sha256 of its bytes (objects in name order, as a
    local Parquet directory is digested), refused as soon as it passes the size bound."""
    from mlops_spec.data.readers import read_columns
    from mlops_spec.data.remote import read_remote

    digest, limit, seen = hashlib.sha256(), max_data_bytes(), [0]

    def count(chunk: bytes) -> None:
        digest.update(chunk)
        seen[0] += len(chunk)
        if seen[0] > limit:
            raise TrainError.single(
                "T005", f"data is over the {limit:,}-byte bound of train", uri,
                hint="sample or aggregate the data, or raise MLOPS_SPEC_MAX_DATA_BYTES "
                     "when the machine has the memory")

    table = read_remote(uri, wanted, {}, read_columns, on_chunk=count)  # type: ignore[arg-type]
    return table, digest.hexdigest()


def read_source(spec: Spec, spec_file: Path, source: DataSource,
                path: Path | str | None = None, merged: bool = False) -> SourceData:
    """Read, check and digest one source (a local file, or a remote URI), then apply its
    PII handling."""
    from mlops_spec.data.readers import read_columns

    location = path if path is not None else source.uri
    if is_remote(location):
        try:
            table, sha256 = _read_remote(str(location), needed_columns(spec, source, merged))
        except InputError as exc:
            if isinstance(exc, TrainError):
                raise
            raise TrainError([d._replace(code=_READER_CODES.get(d.code, d.code))
                              for d in exc.diagnostics]) from None
        return _handled(spec, source, table, str(location), sha256, None, merged)
    path = Path(location) if path is not None else local_path(spec_file, source)
    if not path.exists():
        raise TrainError.single("T001", f"data file of source {source.name!r} not found",
                                str(path), hint=f"check data.sources uri ({source.uri})")
    limit = max_data_bytes()
    if (size := _size(path)) > limit:
        raise TrainError.single(
            "T005", f"data file is {size:,} bytes, over the {limit:,}-byte bound of train",
            str(path), hint="sample or aggregate the data, or raise MLOPS_SPEC_MAX_DATA_BYTES "
                            "when the machine has the memory")
    wanted = needed_columns(spec, source, merged)
    try:
        table = read_columns(path, wanted)  # type: ignore[arg-type]
    except InputError as exc:
        raise TrainError([d._replace(code=_READER_CODES.get(d.code, d.code))
                          for d in exc.diagnostics]) from None
    return _handled(spec, source, table, str(path), _digest(path), path, merged)


def _handled(spec: Spec, source: DataSource, table: Any, file: str, sha256: str,
             path: Path | None, merged: bool) -> SourceData:
    """A table read: booleans converted, missing shares taken, PII handled, recorded."""
    from mlops_spec.train import pii

    columns = _convert_booleans(spec, source, table.columns, file, merged)
    missing = {name: _missing_share(values) for name, values in columns.items()}
    columns = pii.apply(source, columns, spec, file)
    record = DataRecord(source=source.name, uri=source.uri, sha256=sha256, rows=table.rows)
    return SourceData(source=source, record=record, path=path, columns=columns,
                      missing_before_handling=missing)


def _missing_share(values: Any) -> float:
    import numpy as np

    if len(values) == 0:
        return 0.0
    if values.dtype.kind == "f":
        return float(np.isnan(values).mean())
    return float(np.fromiter((v is None for v in values), bool, len(values)).mean())


def boolean_values(labels: Any, name: str, file: str, first_row: int = 1) -> Any:
    """Labels as 1.0 / 0.0 / NaN; any other spelling is a T004 naming the row."""
    import numpy as np

    values = np.full(len(labels), np.nan)
    for offset, label in enumerate(labels):
        if label is None or label != label:  # None or NaN: missing
            continue
        text = str(label).strip().lower()
        if text in TRUE_LABELS:
            values[offset] = 1.0
        elif text in FALSE_LABELS:
            values[offset] = 0.0
        else:
            raise TrainError.single(
                "T004", f"column {name!r} is boolean in the spec but row "
                        f"{first_row + offset} holds {label!r}", file,
                hint="use true/false, yes/no or 1/0, or declare the feature categorical")
    return values


def _convert_booleans(spec: Spec, source: DataSource, columns: dict[str, Any],
                      file: str, merged: bool) -> dict[str, Any]:
    out = dict(columns)
    for feature in spec.features.columns:
        if _in(source, feature.source, merged) and feature.type == "boolean":
            out[feature.name] = boolean_values(columns[feature.name], feature.name, file)
    return out


def _series(values: Any) -> Any:
    """A column for the frame: floats as they are, labels as objects with NaN missing
    (what scikit-learn's imputers and encoders treat as missing)."""
    import numpy as np
    import pandas as pd

    if values.dtype.kind == "f":
        return pd.Series(values, dtype="float64")
    labels = np.array(values, dtype=object)
    labels[[v is None for v in labels]] = np.nan
    return pd.Series(labels, dtype=object)


def load(spec: Spec, spec_file: Path, data: Path | str | None = None) -> Dataset:
    """All sources, joined on ``data.join_on``; ``data`` replaces the sources with one file
    holding every column (``evaluate --data``)."""
    import pandas as pd

    if data is not None:
        merged = _merged_source(spec)
        parts = [read_source(spec, spec_file, merged, data, merged=True)]
    else:
        parts = [read_source(spec, spec_file, source) for source in spec.data.sources]
    frames = [pd.DataFrame({name: _series(values) for name, values in part.columns.items()})
              for part in parts]
    frame = frames[0]
    keys = list(spec.data.join_on or [])
    for part, other in zip(parts[1:], frames[1:], strict=True):  # inner joins, in order
        frame = frame.merge(other, on=keys, how="inner", suffixes=("", f"__{part.source.name}"))
    if frame.empty and len(frames) > 1:
        raise TrainError.single("T013", f"joining the sources on {', '.join(keys)} leaves no "
                                "rows", str(spec_file),
                                hint="check that the key columns hold the same values in "
                                     "every source")
    target = spec.features.target
    before = len(frame)
    frame = frame[frame[target].notna()].reset_index(drop=True)
    frame = frame.drop(columns=[k for k in keys if k not in _feature_names(spec)])
    return Dataset(frame=frame, sources=parts, dropped_missing_target=before - len(frame))


def _merged_source(spec: Spec) -> DataSource:
    """One pseudo-source holding every PII rule of the spec's sources (``--data``)."""
    first = spec.data.sources[0]
    return first.model_copy(update={"pii": [r for s in spec.data.sources for r in s.pii]})


def _feature_names(spec: Spec) -> set[str]:
    return {f.name for f in spec.features.columns}


def label_values(target: Any, task: str) -> Any:
    """Classification labels as integers when every label is an integer, else text."""
    import numpy as np

    if task == "regression":
        return target.to_numpy(dtype=np.float64)
    labels = target.astype(str).to_numpy(dtype=object)
    try:
        numbers = labels.astype(np.float64)
    except ValueError:
        return labels
    if np.all(numbers == np.round(numbers)):
        return numbers.astype(np.int64)
    return labels


def single_class_error(spec_file: Path, target: str, label: Any) -> TrainError:
    return TrainError([Diagnostic(
        code="T003", file=str(spec_file),
        message=f"the target {target!r} has one class only ({label!r}): nothing to learn",
        hint="check the data (a filter upstream?) or the target column")])
