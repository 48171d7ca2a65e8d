"""PII handling: hashed values never reach the artifact; generalization rules; the key."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import cli
from train_fixtures import write_project

from mlops_spec.train import artifact, pii

HASHED = ("- {column: email, category: contact, handling: drop}",
          "- {column: email, category: contact, handling: hash}")
EMAIL_FEATURE = ("    - {name: home_ownership, source: applications, type: categorical, "
                 "transform: one_hot}",
                 "    - {name: home_ownership, source: applications, type: categorical, "
                 "transform: one_hot}\n"
                 "    - {name: email, source: applications, type: categorical, "
                 "transform: ordinal}")


def test_hashed_column_raw_values_appear_nowhere_in_the_artifact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pii.KEY_ENV, "test-key-not-secret")
    spec = write_project(tmp_path / "p", HASHED, EMAIL_FEATURE, rows=600)
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 0, run.err
    model = artifact.load(tmp_path / "out")
    assert "email" in list(model.feature_names_in_)  # used, but only as keyed digests
    raw_values = [f"applicant{n:07d}@".encode() for n in (1, 2, 99, 600)] + [b"applicant0"]
    blobs = [(tmp_path / "out" / "model.skops").read_bytes(),
             (tmp_path / "out" / "serving" / "model.joblib").read_bytes()]
    with zipfile.ZipFile(tmp_path / "out" / "model.skops") as archive:
        blobs += [archive.read(name) for name in archive.namelist()]
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            blobs.append(path.read_bytes())
    for blob in blobs:
        for value in raw_values:
            assert value not in blob
    digest = pii.keyed_digest(b"test-key-not-secret", "applicant0000001@mail.example")
    encoder = model.named_steps["preprocess"].named_transformers_["categorical_ordinal"]
    assert digest in set(encoder.named_steps["encode"].categories_[0])


def test_hash_without_a_key_is_refused_and_nothing_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pii.KEY_ENV, raising=False)
    spec = write_project(tmp_path / "p", HASHED, rows=300)
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 2
    assert "T007" in run.err and pii.KEY_ENV in run.err
    assert not (tmp_path / "out").exists()


def test_keyed_digests_depend_on_the_key() -> None:
    assert pii.keyed_digest(b"a", "x") != pii.keyed_digest(b"b", "x")
    assert pii.keyed_digest(b"a", "x") == pii.keyed_digest(b"a", "x")
    assert len(pii.keyed_digest(b"a", "x")) == 64


@pytest.mark.parametrize(("value", "category", "numeric", "expected"), [
    ("02139", "location", False, "021"),
    ("1984-07-21", "demographic", False, "1984"),
    ("2023-01-05T10:00:00", "other", False, "2023"),
    ("Someone@Example.COM", "contact", False, "example.com"),
    ("ABCDEF", "identifier", False, "ABC"),
    (37.0, "demographic", True, 30),
    (48_300.0, "financial", True, 40_000),
    (-0.0123, "other", True, -0.02),
    (None, "location", False, None),
])
def test_generalize_rules(value: object, category: str, numeric: bool,
                          expected: object) -> None:
    assert pii.generalize(value, category, numeric) == pytest.approx(expected) if isinstance(
        expected, float) else pii.generalize(value, category, numeric) == expected


def test_pseudonymize_gives_short_keyed_tokens(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pii.KEY_ENV, "k")
    spec = write_project(tmp_path / "p", ("- {column: email, category: contact, handling: drop}",
                                          "- {column: email, category: contact, "
                                          "handling: pseudonymize}"), rows=300)
    run = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 0, run.err
    sheet = (tmp_path / "out" / "datasheets" / "applications.json").read_text()
    assert "applicant0000001" not in sheet
    token = "p_" + pii.keyed_digest(b"k", "applicant0000001@mail.example")[:16]
    assert len(token) == 18
