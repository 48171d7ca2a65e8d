"""Constrained value types: cron, durations, quantities, handles, URIs and images."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from mlops_spec.spec import types as t
from mlops_spec.spec.sections import Image


def accepts(annotation: Any, value: Any) -> Any:
    return TypeAdapter(annotation).validate_python(value)


def rejects(annotation: Any, value: Any) -> str:
    with pytest.raises(ValidationError) as info:
        TypeAdapter(annotation).validate_python(value)
    return str(info.value)


# --- cron ------------------------------------------------------------------------------------

VALID_CRON = ["0 6 * * *", "*/15 0-23/2 1,15 jan-mar mon-fri", "0 0 * * 7", "0 0 * * 0",
              "59 23 31 12 6", "0 3 * * 1", "0 0 1 JAN *", "5,10,15 * * * SUN",
              "0-30/10 * * * *"]


@pytest.mark.parametrize("value", VALID_CRON)
def test_valid_cron(value: str) -> None:
    assert t.check_cron(value) == value
    assert accepts(t.Cron, value) == value


def test_cron_whitespace_is_normalised() -> None:
    assert accepts(t.Cron, "0  6 *\t* *") == "0 6 * * *"


INVALID_CRON = [
    ("0 6 * *", "5 fields"),
    ("0 6 * * * *", "5 fields"),
    ("60 * * * *", "minute 60 is outside 0-59"),
    ("@daily", "macros"),
    ("* * 0 * *", "day of month 0 is outside 1-31"),
    ("5-1 * * * *", "runs backwards"),
    ("*/0 * * * *", "step 0"),
    ("H * * * *", "not a valid minute"),
    ("0 24 * * *", "hour 24"),
    ("0 0 * 13 *", "month 13"),
    ("0 0 * * 8", "day of week 8"),
    ("0 0 * foo *", "not a valid month"),
    ("0 0 * * monday", "not a valid day of week"),
    ("0 0 ? * *", "not a valid day of month"),
    ("1-2-3 * * * *", "not a valid minute"),
    ("", "5 fields"),
]


@pytest.mark.parametrize(("value", "reason"), INVALID_CRON, ids=[v or "empty" for v, _ in
                                                                 INVALID_CRON])
def test_invalid_cron(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        t.check_cron(value)
    assert reason in rejects(t.Cron, value)


def test_cron_must_be_text() -> None:
    rejects(t.Cron, 5)


# --- durations and quantities -------------------------------------------------------------


@pytest.mark.parametrize(("value", "seconds"), [("30s", 30), ("15m", 900), ("2h", 7200),
                                                ("1s", 1)])
def test_durations(value: str, seconds: int) -> None:
    assert accepts(t.Duration, value) == value
    assert t.duration_seconds(value) == seconds


@pytest.mark.parametrize("value", ["0s", "15", "15min", "1d", "-5m", "1.5h", "15 m", "m", 15])
def test_invalid_durations(value: Any) -> None:
    rejects(t.Duration, value)


@pytest.mark.parametrize(("value", "text", "number"), [
    ("500m", "500m", 0.5), ("2", "2", 2.0), (2, "2", 2.0), (0.5, "0.5", 0.5),
    (2.0, "2", 2.0), ("1Gi", "1Gi", 2.0**30), ("512Mi", "512Mi", 512 * 2.0**20),
    ("1.5", "1.5", 1.5), (".5", ".5", 0.5), ("4k", "4k", 4000.0),
])
def test_quantities(value: Any, text: str, number: float) -> None:
    assert accepts(t.Quantity, value) == text
    assert t.quantity_value(text) == pytest.approx(number)


@pytest.mark.parametrize("value", ["1GB", "1gi", "-1", "1 Gi", "1e3", "lots", "", True,
                                   "1.2.3", "Gi"])
def test_invalid_quantities(value: Any) -> None:
    rejects(t.Quantity, value)


# --- handles, identifiers, secrets -------------------------------------------------------------


@pytest.mark.parametrize("value", ["@user", "@org/team", "@a-b", "@Org/team_x.y",
                                   "@" + "a" * 39])
def test_valid_handles(value: str) -> None:
    assert accepts(t.Handle, value) == value


@pytest.mark.parametrize("value", ["user", "@-x", "@x-", "@a--b", "@", "@org/", "@org/-t",
                                   "@" + "a" * 40, "@user name", "@user;rm", "@org/team/x"])
def test_invalid_handles(value: str) -> None:
    rejects(t.Handle, value)


@pytest.mark.parametrize(("annotation", "good", "bad"), [
    (t.DnsLabel, ["credit-risk", "a", "x1"], ["Credit", "-a", "a-", "a_b", "a" * 64]),
    (t.Identifier, ["applications", "a_1"], ["Apps", "1a", "a-b", "_a"]),
    (t.ColumnName, ["income", "_x", "a.b-c", "Loan_Amount"], ["1x", "a b", "a$b", ""]),
    (t.SecretName, ["KUBECONFIG", "A_1"], ["kubeconfig", "1A", "A-B", "A B"]),
    (t.EstimatorPath, ["sklearn.linear_model.LogisticRegression"],
     ["sklearn.LogisticRegression", "numpy.linalg.Norm", "sklearn.linear_model.logistic",
      "sklearn.linear_model.LogisticRegression()"]),
    (t.Line, ["python", "train.py --fast"], ["", "a\nb", "a\x00b", "x" * 201]),
    (t.Text, ["one line", "two\nlines"], ["", "bell\x07", "x" * 4001]),
])
def test_identifier_like_types(annotation: Any, good: list[str], bad: list[str]) -> None:
    for value in good:
        assert accepts(annotation, value) == value
    for value in bad:
        rejects(annotation, value)


# --- URIs and paths -------------------------------------------------------------------------

GOOD_URIS = ["s3://acme-models/credit-risk", "s3://b", "gs://bucket/a/b.parquet",
             "az://c/d", "abfss://x/y", "hdfs://nn/data", "https://example.com/data.csv",
             "data/applications.csv", "data/", "a", "models/v1.2/x_y-z.csv"]
BAD_URIS = ["../x", "data/../secret", "/etc/passwd", ".hidden/x", "data/.git/config",
            "s3://b/$(id)", 'https://x/"', "s3://b/a b", "http://insecure/x", "ftp://x/y",
            "file:///etc/passwd", "s3://b/`id`", "s3://b/;rm", "~/x", "C:\\data\\x.csv",
            "data\\x.csv", "", "s3://", "data//x"]


@pytest.mark.parametrize("value", GOOD_URIS)
def test_valid_uris(value: str) -> None:
    assert accepts(t.UriOrPath, value) == value


@pytest.mark.parametrize("value", BAD_URIS)
def test_rejected_uris(value: str) -> None:
    rejects(t.UriOrPath, value)


def test_remote_uri_needs_a_scheme() -> None:
    assert accepts(t.RemoteUri, "s3://acme/x") == "s3://acme/x"
    rejects(t.RemoteUri, "data/x.csv")


@pytest.mark.parametrize(("value", "ok"), [
    ("https://wiki.example/datasets/a?x=1#top", True), ("docs/datasheet.md", True),
    ("http://wiki.example/a", False), ("https://x/a b", False), ("../datasheet.md", False),
])
def test_https_url_or_path(value: str, ok: bool) -> None:
    if ok:
        assert accepts(t.HttpsUrlOrPath, value) == value
    else:
        rejects(t.HttpsUrlOrPath, value)


# --- images -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "ghcr.io/acme/model:1.2.0", "python:3.11-slim", "registry:5000/team/img:v1",
    "ghcr.io/acme/model@sha256:" + "a" * 64,
])
def test_valid_images(value: str) -> None:
    assert accepts(Image, value) == value


@pytest.mark.parametrize(("value", "reason"), [
    ("ghcr.io/acme/model:latest", "latest"),
    ("ghcr.io/acme/model", "string_pattern_mismatch"),
    ("GHCR.io/acme/model:1", "string_pattern_mismatch"),
    ("ghcr.io/acme/model:1 ;rm", "string_pattern_mismatch"),
    ("ghcr.io/acme/model@sha256:abc", "string_pattern_mismatch"),
])
def test_rejected_images(value: str, reason: str) -> None:
    assert reason in rejects(Image, value)


# --- percent and positive ints are strict ----------------------------------------------------


@pytest.mark.parametrize(("annotation", "good", "bad"), [
    (t.Percent, [1, 50, 100], [0, 101, "50", 50.0, True]),
    (t.PositiveInt, [1, 730], [0, -1, "3", 2.5, True]),
])
def test_strict_integers(annotation: Any, good: list[Any], bad: list[Any]) -> None:
    for value in good:
        assert accepts(annotation, value) == value
    for value in bad:
        rejects(annotation, value)
