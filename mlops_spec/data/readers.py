"""Read the columns drift needs from a CSV or Parquet file, checking the schema.

Every problem is an ``InputError`` whose diagnostic names the file and the column: a
missing feature (D001), a value or column type that does not fit the feature's type (D002),
an unreadable or malformed file (D003).

Result arrays: ``float64`` for numeric columns (missing values are NaN), ``object`` arrays
of ``str`` for categorical and boolean columns (missing values are ``None``).

CSV is read with the standard library in chunks: the ``csv`` module splits rows, and each
chunk's columns are converted by numpy in one call. Missing-value spellings are
``MISSING_TOKENS`` (compared exactly). Parquet needs ``pyarrow`` (the ``drift`` extra),
imported only here and only for Parquet; columns are read one at a time.
"""

from __future__ import annotations

import csv
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from mlops_spec.diagnostics import Diagnostic, InputError, require
from mlops_spec.drift.columns import ColumnType
from mlops_spec.spec.suggest import did_you_mean

MISSING_TOKENS = ("", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "<NA>",
                  "#N/A")
CHUNK_ROWS = 65_536
CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet", ".pq")

Column = npt.NDArray[Any]


@dataclass(frozen=True)
class Table:
    """Columns read from one file, all of length ``rows``."""

    file: str
    rows: int
    columns: dict[str, Column]


def data_format(path: Path) -> str:
    """``csv`` or ``parquet`` from the file name; a directory is a Parquet dataset."""
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES) or path.is_dir():
        return "parquet"
    raise InputError([Diagnostic(
        code="D003", message="unknown data format", file=str(path),
        hint="use a .csv or .parquet file (or a directory of Parquet files)")])


def read_columns(path: Path | str, wanted: Mapping[str, ColumnType],
                 optional: Mapping[str, ColumnType] | None = None) -> Table:
    """Read the ``wanted`` columns (all required) and those of ``optional`` present, from
    a local file or an object-store URI (``s3://...``, a prefix ending in ``/``)."""
    from mlops_spec.data import remote

    optional = {k: v for k, v in (optional or {}).items() if k not in wanted}
    if remote.is_remote(path):
        return remote.read_remote(str(path), wanted, optional, read_columns)
    path = Path(str(path).removeprefix("file://"))
    if not path.exists():
        raise InputError([Diagnostic(code="D003", message="data file not found",
                                     file=str(path), hint="check the path")])
    if data_format(path) == "csv":
        return _read_csv(path, wanted, optional)
    return _read_parquet(path, wanted, optional)


def _missing_column(path: Path, name: str, available: Sequence[str]) -> InputError:
    shown = ", ".join(available[:20]) + (", ..." if len(available) > 20 else "")
    hint = did_you_mean(name, available) or f"columns in the file: {shown or '(none)'}"
    return InputError([Diagnostic(
        code="D001", message=f"column {name!r} is missing (a feature of the spec)",
        file=str(path), hint=hint)])


def _type_change(path: Path, name: str, kind: ColumnType, found: str,
                 feature: bool) -> InputError:
    if not feature:  # the label or the prediction column: its type follows model.task
        return InputError([Diagnostic(
            code="D002", message=f"column {name!r} must be {kind} for model.task but {found}",
            file=str(path), hint="fix the data, or name the column that holds it (drift "
                                 "--prediction-column NAME for the model's output)")])
    return InputError([Diagnostic(
        code="D002", message=f"column {name!r} is {kind} in the spec but {found}",
        file=str(path), hint="fix the data, or change the feature's type in the spec and "
                             "rebuild the reference profile")])


REMOTE_DATA_CODE = "D003"


def local_data_path(location: str, given_in: str) -> Path:
    """The local path of a data location given on the command line or in the spec.

    The one place that refuses remote data (``s3://...``) until the store reads it: a
    ``Path`` would fold ``s3://bucket`` into ``s3:/bucket``, so the URI is checked first and
    reported exactly as given. ``given_in`` names where it came from (an option, a spec).
    """
    if "://" in location:
        raise InputError([Diagnostic(
            code=REMOTE_DATA_CODE, message=f"remote data is not supported yet: {location}",
            file=given_in, hint="copy the data to a local .csv or .parquet file and pass "
                                "that path")])
    return Path(location)


# --- CSV ------------------------------------------------------------------------------------


def _read_csv(path: Path, wanted: Mapping[str, ColumnType],
              optional: Mapping[str, ColumnType]) -> Table:
    file = str(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            if not header:
                raise InputError([Diagnostic(code="D003", message="the file is empty",
                                             file=file, hint="expected a header row")])
            index = {name: i for i, name in reversed(list(enumerate(header)))}
            for name in wanted:
                if name not in index:
                    raise _missing_column(path, name, header)
            types = {**wanted, **{k: v for k, v in optional.items() if k in index}}
            names = list(types)
            picker = operator.itemgetter(*(index[name] for name in names))
            parts: dict[str, list[Column]] = {name: [] for name in names}
            done = 0
            while rows := list(islice(reader, CHUNK_ROWS)):
                rows = _check_widths(rows, len(header), done, file)
                picked = map(picker, rows)
                transposed = list(zip(*picked, strict=True)) if len(names) > 1 else [tuple(picked)]
                for name, values in zip(names, transposed, strict=True):
                    parts[name].append(_convert(values, name, types[name], done, path,
                                                feature=name not in optional))
                done += len(rows)
    except UnicodeDecodeError as exc:
        raise InputError([Diagnostic(code="D003", message=f"not UTF-8 text ({exc.reason})",
                                     file=file, hint="save the CSV as UTF-8")]) from None
    except csv.Error as exc:
        raise InputError([Diagnostic(code="D003", message=f"malformed CSV: {exc}",
                                     file=file)]) from None
    except OSError as exc:
        raise InputError([Diagnostic(code="D003",
                                     message=f"cannot read file: {exc.strerror or exc}",
                                     file=file)]) from None
    columns: dict[str, Column] = {}
    for name, chunks in parts.items():
        empty: Column = np.empty(0, dtype=np.float64 if types[name] == "numeric" else object)
        columns[name] = np.concatenate(chunks) if chunks else empty
    return Table(file=file, rows=done, columns=columns)


def _check_widths(rows: list[list[str]], width: int, done: int, file: str) -> list[list[str]]:
    widths = set(map(len, rows))
    if widths == {width}:
        return rows
    if 0 in widths:  # blank lines
        rows = [row for row in rows if row]
        widths = set(map(len, rows))
        if not rows or widths == {width}:
            return rows
    for number, row in enumerate(rows, start=done + 1):
        if len(row) != width:
            raise InputError([Diagnostic(
                code="D003", message=f"row {number} has {len(row)} fields, the header has "
                                     f"{width}", file=file,
                hint="quote values that contain the delimiter")])
    return rows  # pragma: no cover - widths differ, so some row was reported


def _convert(values: tuple[str, ...], name: str, kind: ColumnType, done: int,
             path: Path, feature: bool) -> Column:
    if kind != "numeric":
        labels = np.array(values, dtype=object)
        labels[np.isin(labels, MISSING_TOKENS)] = None
        return labels
    try:
        return np.array(values, dtype=np.float64)  # numpy parses every string in C
    except ValueError:
        pass
    text = np.array(values, dtype=object)
    text[np.isin(text, MISSING_TOKENS)] = "nan"
    try:
        return text.astype(np.float64)
    except ValueError:
        for offset, value in enumerate(text):  # only to name the offending row
            try:
                float(value)
            except ValueError:
                raise _type_change(path, name, kind, f"row {done + offset + 1} holds "
                                                     f"{value!r}", feature) from None
        raise  # pragma: no cover - astype failed, so some value does not parse


# --- Parquet --------------------------------------------------------------------------------


def _read_parquet(path: Path, wanted: Mapping[str, ColumnType],
                  optional: Mapping[str, ColumnType]) -> Table:
    file = str(path)
    require("pyarrow", "drift", "reading Parquet files")
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        dataset = pq.ParquetDataset(path)
        schema = dataset.schema
    except (OSError, pa.ArrowException) as exc:
        raise InputError([Diagnostic(code="D003", message=f"cannot read Parquet: {exc}",
                                     file=file)]) from None
    available = list(schema.names)
    for name in wanted:
        if name not in available:
            raise _missing_column(path, name, available)
    types = {**wanted, **{k: v for k, v in optional.items() if k in available}}
    columns: dict[str, Column] = {}
    rows = -1
    for name, kind in types.items():
        arrow_type = schema.field(name).type
        target = _arrow_target(pa, arrow_type, kind)
        if target is None:
            raise _type_change(path, name, kind, f"the file stores it as {arrow_type}",
                               feature=name not in optional)
        try:  # one column at a time keeps memory to one Arrow copy
            chunked = dataset.read(columns=[name]).column(0)
            column = chunked.cast(target).to_numpy(zero_copy_only=False)
        except (OSError, pa.ArrowException) as exc:
            raise InputError([Diagnostic(
                code="D003", message=f"cannot read column {name!r}: {exc}",
                file=file)]) from None
        if kind == "numeric":
            column = np.array(column, dtype=np.float64)  # own the memory, free Arrow's
        del chunked
        rows = len(column) if rows < 0 else rows
        columns[name] = column
        pa.default_memory_pool().release_unused()  # the pool keeps freed pages otherwise
    return Table(file=file, rows=max(rows, 0), columns=columns)


def _arrow_target(pa: Any, arrow_type: Any, kind: ColumnType) -> Any:
    """The Arrow type to cast to, or None when the stored type does not fit ``kind``."""
    types = pa.types
    if types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if kind == "numeric":
        numeric = (types.is_integer(arrow_type) or types.is_floating(arrow_type)
                   or types.is_decimal(arrow_type))
        return pa.float64() if numeric else None
    text = (types.is_string(arrow_type) or types.is_large_string(arrow_type)
            or types.is_string_view(arrow_type))
    if text or types.is_integer(arrow_type) or types.is_boolean(arrow_type):
        return pa.string()
    return None
