"""The reference profile: what drift detection needs from the training data, stored once.

A trainer builds it from the training columns and saves it next to the model artifact, so
monitoring never reloads the training data::

    from mlops_spec.drift.profile import build_profile, save_profile

    profile = build_profile({"income": income, "home_ownership": ownership},
                            {"income": "numeric", "home_ownership": "categorical"},
                            meta={"spec": "credit-risk", "data": "applications.csv"})
    save_profile(profile, "model.profile.npz")

Per feature it keeps exactly what the methods read:

* numeric: every finite value, sorted, so KS and Wasserstein are exact and PSI bins are
  reference quantiles; counts of rows, NaN, +inf and -inf; mean, std, min and max;
* categorical and boolean: the count of each label and of missing values.

On disk a profile is one ZIP file of uncompressed members: ``header.json`` (human-readable:
``unzip -p model.profile.npz header.json``) and one ``.npy`` array per numeric feature. The
bytes depend only on the input (fixed member order and timestamps), and the file is written
to a temporary name and renamed, so a reader never sees half a profile. Numeric arrays are
read lazily, one feature at a time, which keeps monitoring memory at one reference column
per worker instead of the whole training set.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from mlops_spec.diagnostics import Diagnostic, InputError
from mlops_spec.drift.columns import (
    COLUMN_TYPES,
    ColumnError,
    ColumnType,
    Counts,
    FloatArray,
    categories,
    numeric,
)

PROFILE_FORMAT = "mlops-spec/drift-profile"
PROFILE_VERSION = 1
HEADER_MEMBER = "header.json"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # earliest ZIP timestamp: no clock in the bytes


@dataclass(frozen=True, slots=True)
class Summary:
    """Summary of the finite values of a numeric feature (for people and for normalising)."""

    mean: float
    std: float
    min: float
    max: float


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    """One feature of the reference."""

    name: str
    type: ColumnType
    counts: Counts
    summary: Summary | None = None
    categories: Mapping[str, int] | None = None
    member: str | None = None
    """Name of the ``.npy`` member holding the sorted finite values (numeric only)."""


@dataclass
class Profile:
    """A reference profile; numeric values come from memory or, lazily, from its file."""

    columns: dict[str, ColumnProfile]
    rows: int
    meta: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    _arrays: dict[str, FloatArray] = field(default_factory=dict, repr=False)

    def values(self, name: str) -> FloatArray:
        """The sorted finite reference values of numeric feature ``name``.

        Read from the file on each call (thread-safe: every call opens its own handle), so
        callers decide how long a column stays in memory.
        """
        column = self.columns[name]
        if column.type != "numeric" or column.member is None:
            raise ValueError(f"feature {name!r} is {column.type}, it has no numeric values")
        if name in self._arrays:
            return self._arrays[name]
        if self.path is None:
            raise ValueError(f"profile has no values for {name!r}")
        return _read_values(self.path, column)


def build_profile(columns: Mapping[str, npt.ArrayLike], types: Mapping[str, str], *,
                  meta: Mapping[str, str] | None = None) -> Profile:
    """Profile the training data: one entry per name in ``types``.

    ``columns`` maps feature names to 1-D arrays of equal length; ``types`` maps the same
    names to ``numeric``, ``categorical`` or ``boolean`` (the spec's feature types). Numeric
    columns must be integer or float arrays (NaN and infinities are counted, not kept);
    categorical and boolean ones may be string, object (``None``/NaN missing), integer or
    bool arrays. ``meta`` is free text stored in the header (spec name, data file, commit).

    Raises ``ColumnError`` (a ``ValueError`` naming the column) for a missing column, a
    value of the wrong type or a numeric column without any finite value.
    """
    built: dict[str, ColumnProfile] = {}
    arrays: dict[str, FloatArray] = {}
    rows: int | None = None
    for index, (name, kind) in enumerate(types.items()):
        if kind not in COLUMN_TYPES:
            raise ColumnError(name, f"has unknown type {kind!r}; use one of "
                                    f"{', '.join(COLUMN_TYPES)}")
        if name not in columns:
            raise ColumnError(name, "is missing from the training data")
        if kind == "numeric":
            values, counts = numeric(columns[name], name)
            if counts.valid == 0:
                raise ColumnError(name, "has no finite value in the training data")
            arrays[name] = values
            built[name] = ColumnProfile(
                name=name, type="numeric", counts=counts, summary=_summary(values),
                member=f"values/{index:05d}.npy")
        else:
            typed: ColumnType = "boolean" if kind == "boolean" else "categorical"
            found, counts = categories(columns[name], name, typed)
            if counts.valid == 0:
                raise ColumnError(name, "has no value in the training data")
            built[name] = ColumnProfile(name=name, type=typed, counts=counts,
                                        categories=found)
        if rows is not None and counts.rows != rows:
            raise ColumnError(name, f"has {counts.rows} rows, other columns have {rows}")
        rows = counts.rows
    return Profile(columns=built, rows=rows or 0, meta=dict(meta or {}), _arrays=arrays)


def _summary(sorted_values: FloatArray) -> Summary:
    return Summary(mean=float(sorted_values.mean()), std=float(sorted_values.std()),
                   min=float(sorted_values[0]), max=float(sorted_values[-1]))


# --- file format ----------------------------------------------------------------------------


def header(profile: Profile) -> dict[str, Any]:
    """The JSON header: everything but the numeric arrays."""
    columns: list[dict[str, Any]] = []
    for column in profile.columns.values():
        entry: dict[str, Any] = {"name": column.name, "type": column.type,
                                 "counts": column.counts.as_dict()}
        if column.summary is not None:
            entry["summary"] = {"mean": column.summary.mean, "std": column.summary.std,
                                "min": column.summary.min, "max": column.summary.max}
        if column.member is not None:
            entry["values"] = column.member
        if column.categories is not None:
            entry["categories"] = dict(column.categories)
        columns.append(entry)
    return {"format": PROFILE_FORMAT, "version": PROFILE_VERSION, "rows": profile.rows,
            "meta": dict(sorted(profile.meta.items())), "columns": columns}


def save_profile(profile: Profile, path: str | os.PathLike[str]) -> Path:
    """Write the profile to ``path`` atomically (temporary file, fsync, rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(header(profile), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as raw:
            with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(_member(HEADER_MEMBER), text.encode("utf-8"))
                for column in profile.columns.values():
                    if column.member is None:
                        continue
                    values = np.ascontiguousarray(profile.values(column.name),
                                                  dtype=np.float64)
                    with archive.open(_member(column.member), "w", force_zip64=True) as out:
                        np.lib.format.write_array(out, values, version=(1, 0),
                                                  allow_pickle=False)
            raw.flush()
            os.fsync(raw.fileno())
        temp.chmod(0o644)
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # Unix, on every platform, for identical bytes
    info.external_attr = 0o644 << 16
    return info


def load_profile(path: str | os.PathLike[str]) -> Profile:
    """Read a profile's header; numeric values are read on demand by ``Profile.values``.

    Raises ``InputError`` naming the file when it is missing, not a profile, of another
    format version, or inconsistent.
    """
    source = Path(path)
    try:
        with zipfile.ZipFile(source) as archive:
            raw = archive.read(HEADER_MEMBER)
            members = set(archive.namelist())
    except FileNotFoundError:
        raise _error(source, "D010", "reference profile not found",
                     "build one with `mlops-spec drift SPEC --reference PATH --training "
                     "DATA`, or point --reference at the file the trainer wrote") from None
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise _error(source, "D011", f"not a drift reference profile ({exc})",
                     "a profile is the .npz file written by `mlops-spec drift --training` "
                     "or by the trainer") from None
    try:
        data = json.loads(raw.decode("utf-8"))
        return _from_header(data, source, members)
    except (ValueError, KeyError, TypeError) as exc:
        raise _error(source, "D011", f"invalid reference profile: {exc}",
                     "rebuild the profile from the training data") from None


def _from_header(data: Any, source: Path, members: set[str]) -> Profile:
    if not isinstance(data, dict) or data.get("format") != PROFILE_FORMAT:
        raise ValueError(f"header format is not {PROFILE_FORMAT}")
    if data.get("version") != PROFILE_VERSION:
        raise ValueError(f"format version {data.get('version')!r}; this mlops-spec reads "
                         f"version {PROFILE_VERSION}")
    columns: dict[str, ColumnProfile] = {}
    for entry in data["columns"]:
        kind = entry["type"]
        if kind not in COLUMN_TYPES:
            raise ValueError(f"column {entry['name']!r} has unknown type {kind!r}")
        counts = Counts(**{k: int(v) for k, v in entry["counts"].items()})
        summary = Summary(**{k: float(v) for k, v in entry["summary"].items()}) if (
            kind == "numeric") else None
        member = str(entry["values"]) if kind == "numeric" else None
        if member is not None and member not in members:
            raise ValueError(f"member {member} of column {entry['name']!r} is missing")
        found = {str(k): int(v) for k, v in entry["categories"].items()} if (
            kind != "numeric") else None
        columns[str(entry["name"])] = ColumnProfile(
            name=str(entry["name"]), type=kind, counts=counts, summary=summary,
            categories=found, member=member)
    meta = {str(k): str(v) for k, v in data.get("meta", {}).items()}
    return Profile(columns=columns, rows=int(data["rows"]), meta=meta, path=source)


def _read_values(source: Path, column: ColumnProfile) -> FloatArray:
    assert column.member is not None
    try:
        with zipfile.ZipFile(source) as archive, archive.open(column.member) as handle:
            values = np.lib.format.read_array(handle, allow_pickle=False)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _error(source, "D011", f"cannot read the values of {column.name!r}: {exc}",
                     "rebuild the profile from the training data") from None
    # The ZIP CRC catches damage; these catch a profile written by something else.
    if (values.dtype != np.float64 or values.ndim != 1
            or values.size != column.counts.valid
            or (values.size > 1 and not bool((values[1:] >= values[:-1]).all()))):
        raise _error(source, "D011", f"the values of {column.name!r} are not "
                     f"{column.counts.valid} sorted float64 numbers",
                     "rebuild the profile from the training data")
    result: FloatArray = values
    return result


def _error(source: Path, code: str, message: str, hint: str) -> InputError:
    return InputError([Diagnostic(code=code, message=message, file=str(source), hint=hint)])
