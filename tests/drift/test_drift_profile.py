"""The reference profile: what it keeps, the file format, atomic and deterministic writes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mlops_spec.diagnostics import InputError
from mlops_spec.drift.columns import ColumnError
from mlops_spec.drift.profile import build_profile, load_profile, save_profile


def _columns(rows: int = 1000) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    income = rng.normal(50.0, 10.0, rows)
    income[:7] = np.nan
    income[7:9] = np.inf
    income[9] = -np.inf
    region = rng.choice(np.array(["n", "s", "e"], dtype=object), rows)
    region[:5] = None
    return {"income": income, "age": rng.integers(18, 90, rows),
            "region": region, "owns_car": rng.random(rows) < 0.4}


TYPES = {"income": "numeric", "age": "numeric", "region": "categorical",
         "owns_car": "boolean"}


def test_profile_keeps_sorted_finite_values_and_counts(tmp_path: Path) -> None:
    data = _columns()
    path = save_profile(build_profile(data, TYPES, meta={"spec": "m"}), tmp_path / "p.npz")
    profile = load_profile(path)
    income = profile.columns["income"]
    assert income.counts.as_dict() == {"rows": 1000, "valid": 990, "missing": 7,
                                       "pos_inf": 2, "neg_inf": 1}
    finite = data["income"][np.isfinite(data["income"])]
    assert np.array_equal(profile.values("income"), np.sort(finite))
    assert income.summary is not None
    assert income.summary.mean == pytest.approx(finite.mean())
    assert profile.columns["region"].categories == dict(
        zip(*np.unique(data["region"][5:].astype(str), return_counts=True), strict=True))
    assert profile.columns["region"].counts.missing == 5
    assert set(profile.columns["owns_car"].categories or {}) == {"false", "true"}
    assert profile.meta == {"spec": "m"} and profile.rows == 1000


def test_file_is_a_zip_with_a_readable_header(tmp_path: Path) -> None:
    path = save_profile(build_profile(_columns(), TYPES), tmp_path / "p.npz")
    with zipfile.ZipFile(path) as archive:
        header = json.loads(archive.read("header.json"))
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    assert header["format"] == "mlops-spec/drift-profile" and header["version"] == 1
    assert [c["name"] for c in header["columns"]] == list(TYPES)


def test_writes_are_deterministic_and_atomic(tmp_path: Path) -> None:
    first = save_profile(build_profile(_columns(), TYPES), tmp_path / "a.npz")
    second = save_profile(build_profile(_columns(), TYPES), tmp_path / "b.npz")
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npz", "b.npz"]  # no temp left
    # A failed write leaves the previous profile in place and no temporary file.
    broken = build_profile(_columns(), TYPES)
    del broken._arrays["age"]  # fails after the header and the first array are written
    with pytest.raises(ValueError, match="no values for 'age'"):
        save_profile(broken, first)
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npz", "b.npz"]


def test_build_errors_name_the_column() -> None:
    data = _columns()
    with pytest.raises(ColumnError, match="'missing' is missing"):
        build_profile(data, {**TYPES, "missing": "numeric"})
    with pytest.raises(ColumnError, match="'region' is numeric but holds text"):
        build_profile(data, {"region": "numeric"})
    with pytest.raises(ColumnError, match="'empty' has no finite value"):
        build_profile({"empty": np.array([np.nan, np.inf])}, {"empty": "numeric"})
    with pytest.raises(ColumnError, match="'age' has 3 rows"):
        build_profile({"income": np.ones(4), "age": np.ones(3)},
                      {"income": "numeric", "age": "numeric"})


def test_unreadable_profiles_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        load_profile(tmp_path / "none.npz")
    assert missing.value.diagnostics[0].code == "D010"
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(InputError, match="not a drift reference profile"):
        load_profile(tmp_path / "text.npz")
    path = save_profile(build_profile(_columns(), TYPES), tmp_path / "p.npz")
    with zipfile.ZipFile(path) as archive:
        header = json.loads(archive.read("header.json"))
    header["version"] = 99
    with zipfile.ZipFile(tmp_path / "v99.npz", "w") as archive:
        archive.writestr("header.json", json.dumps(header))
    with pytest.raises(InputError, match="format version 99"):
        load_profile(tmp_path / "v99.npz")


def test_tampered_values_are_detected(tmp_path: Path) -> None:
    path = save_profile(build_profile(_columns(), TYPES), tmp_path / "p.npz")
    profile = load_profile(path)
    member = profile.columns["income"].member
    assert member is not None
    forged = tmp_path / "forged.npz"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(forged, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                import io

                buffer = io.BytesIO()
                np.save(buffer, profile.values("income")[::-1])  # unsorted
                data = buffer.getvalue()
            target.writestr(info, data)
    with pytest.raises(InputError, match="not 990 sorted float64 numbers"):
        load_profile(forged).values("income")
