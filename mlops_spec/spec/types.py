"""Constrained value types of mlops.yaml: real types, not free strings.

Every type here carries a JSON Schema pattern and description so editors flag a bad value
before the CLI does. The patterns also keep untrusted PR values out of shell, YAML and
Groovy: names, handles, URIs and identifiers cannot hold quotes, ``$``, spaces or newlines.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
IDENTIFIER = r"^[a-z][a-z0-9_]*$"
COLUMN = r"^[A-Za-z_][A-Za-z0-9_.-]*$"
HANDLE = r"^@([A-Za-z0-9](?:-?[A-Za-z0-9]){0,38})(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$"
SECRET_NAME = r"^[A-Z][A-Z0-9_]*$"
DURATION = r"^[1-9][0-9]*(s|m|h)$"
QUANTITY = r"^([0-9]+(\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$"
# Remote URIs: a known scheme and a conservative character set (no quotes, $, spaces).
REMOTE_URI = r"^(s3|gs|gcs|az|abfs|abfss|hdfs|https)://[A-Za-z0-9._~-]+(/[A-Za-z0-9._~%=+/-]*)?$"
# Repository-relative paths: each segment starts with a letter, digit or _, so no `..`,
# no hidden directories and no absolute paths.
RELATIVE_PATH = r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*/?$"
URI_OR_PATH = f"({REMOTE_URI})|({RELATIVE_PATH})"
# The artifact store may also be a local directory: a path relative to the spec (hidden
# directories allowed, so the default `.mlops-spec/store` can be written out), an absolute
# path, or a file:// URI. Segments are never `.` or `..`. Only model.artifact.store takes
# it: a local store is where mlops-spec itself reads and writes (upload, fetch), never a
# path handed to the cluster (the meaning rule M025 says so).
_LOCAL_SEGMENT = r"\.?[A-Za-z0-9_][A-Za-z0-9._-]*"
LOCAL_DIR = rf"^((file://)?/)?{_LOCAL_SEGMENT}(/{_LOCAL_SEGMENT})*/?$"
STORE_URI = f"({REMOTE_URI})|({LOCAL_DIR})"


def is_remote_store(store: str) -> bool:
    """True for an object-store URI (s3://, gs://, ...), False for a local directory."""
    return "://" in store and not store.startswith("file://")
HTTPS_URL = r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%=+/#?&@:-]*)?$"
# A git repository over https (what Argo CD clones): host and path, no credentials or query.
GIT_HTTPS_URL = r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9_][A-Za-z0-9._~-]*)+/?$"
# A branch name git accepts and workflows can hold: no `..`, spaces, `~^:?*[\\` or `@{`.
_BRANCH_PART = r"[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*"
BRANCH = f"^{_BRANCH_PART}(/{_BRANCH_PART})*$"
API_SERVER_URL = r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9_][A-Za-z0-9._~-]*)*/?$"
AWS_ROLE_ARN = r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$"
ESTIMATOR = r"^sklearn(\.[a-z_][a-z0-9_]*)+\.[A-Z][A-Za-z0-9]*$"
SINGLE_LINE_TEXT = r"^[^\x00-\x1f\x7f]*$"
# A model version is a directory under the artifact store and a Kubernetes label value.
MODEL_VERSION = r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$"

DnsLabel = Annotated[str, Field(pattern=DNS_LABEL, max_length=63)]
Identifier = Annotated[str, Field(pattern=IDENTIFIER, max_length=63)]
ColumnName = Annotated[str, Field(pattern=COLUMN, max_length=128)]
Handle = Annotated[str, Field(pattern=HANDLE, max_length=100)]
SecretName = Annotated[str, Field(pattern=SECRET_NAME, max_length=100)]
UriOrPath = Annotated[str, Field(pattern=URI_OR_PATH, max_length=1024)]
RemoteUri = Annotated[str, Field(pattern=REMOTE_URI, max_length=1024)]
StoreUri = Annotated[str, Field(pattern=STORE_URI, max_length=1024)]
HttpsUrlOrPath = Annotated[str, Field(
    pattern=f"({HTTPS_URL})|({RELATIVE_PATH})", max_length=2048)]
GitHttpsUrl = Annotated[str, Field(pattern=GIT_HTTPS_URL, max_length=2048)]
ApiServerUrl = Annotated[str, Field(pattern=API_SERVER_URL, max_length=2048)]
Branch = Annotated[str, Field(pattern=BRANCH, max_length=255)]
EstimatorPath = Annotated[str, Field(pattern=ESTIMATOR, max_length=200)]
Text = Annotated[str, Field(min_length=1, max_length=4000,
                                        pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$")]
"""Free prose (description, purpose, limitations): newlines allowed, control bytes not."""
Line = Annotated[str, Field(min_length=1, max_length=200, pattern=SINGLE_LINE_TEXT)]
ModelVersion = Annotated[str, Field(pattern=MODEL_VERSION, max_length=63)]

# --- cron -----------------------------------------------------------------------------

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_CRON_FIELDS: tuple[tuple[str, int, int, list[str]], ...] = (
    ("minute", 0, 59, []),
    ("hour", 0, 23, []),
    ("day of month", 1, 31, []),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS),
)
_CRON_ITEM = re.compile(r"^(\*|[0-9a-z]+(-[0-9a-z]+)?)(/([0-9]+))?$")


def _cron_value(text: str, low: int, high: int, names: list[str], what: str) -> int:
    if text.isdigit():
        number = int(text)
    elif text in names:
        number = names.index(text) + (1 if what == "month" else 0)
    else:
        raise ValueError(f"{text!r} is not a valid {what}")
    if not low <= number <= high:
        raise ValueError(f"{what} {number} is outside {low}-{high}")
    return number


def check_cron(value: str) -> str:
    """A five-field POSIX cron expression as GitHub Actions and Jenkins both read it."""
    if value.startswith("@"):
        raise ValueError(f"{value!r}: cron macros are not portable to GitHub Actions; "
                         "write five fields, e.g. '0 6 * * *'")
    fields = value.split()
    if len(fields) != 5:
        raise ValueError(f"a cron expression has 5 fields (minute hour day month weekday), "
                         f"got {len(fields)}")
    for text, (what, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for item in text.lower().split(","):
            match = _CRON_ITEM.match(item)
            if not match:
                raise ValueError(f"{item!r} is not a valid {what} (use *, 5, 1-5, */15 "
                                 "or 1-30/2)")
            base, step = match.group(1), match.group(4)
            if step is not None and int(step) == 0:
                raise ValueError(f"step 0 in {what} {item!r}")
            if base == "*":
                continue
            first, _, last = base.partition("-")
            start = _cron_value(first, low, high, names, what)
            if last:
                end = _cron_value(last, low, high, names, what)
                if end < start:
                    raise ValueError(f"range {item!r} in {what} runs backwards")
    return " ".join(fields)


Cron = Annotated[
    str,
    Field(max_length=100),
    AfterValidator(check_cron),
    WithJsonSchema({
        "type": "string",
        "pattern": r"^\S+(\s+\S+){4}$",
        "description": "Five-field cron expression in UTC (minute hour day-of-month month "
                       "day-of-week), e.g. '0 6 * * *'. Ranges, lists, steps and month/day "
                       "names are allowed; macros such as @daily are not.",
    }),
]

# --- durations and quantities ------------------------------------------------------------

Duration = Annotated[str, Field(pattern=DURATION, max_length=10)]
"""A whole number of seconds, minutes or hours: 30s, 15m, 2h."""


def duration_seconds(value: str) -> int:
    return int(value[:-1]) * {"s": 1, "m": 60, "h": 3600}[value[-1]]


def _number_to_quantity(value: Any) -> Any:
    # `cpu: 2` and `cpu: 0.5` are natural to write unquoted; keep their text form.
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return value


Quantity = Annotated[
    str,
    Field(pattern=QUANTITY, max_length=32),
    BeforeValidator(_number_to_quantity),
    WithJsonSchema({
        "anyOf": [{"type": "string", "pattern": QUANTITY}, {"type": "number", "minimum": 0}],
        "description": "Kubernetes quantity: CPU as cores or millicores ('2', '500m'), "
                       "memory with a binary suffix ('512Mi', '4Gi').",
    }),
]

_QUANTITY_SUFFIX = {"m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
                    "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40}


def quantity_value(value: str) -> float:
    """The number a quantity stands for, to compare two quantities."""
    match = re.match(r"^([0-9.]+)([A-Za-z]*)$", value)
    assert match, value
    return float(match.group(1)) * _QUANTITY_SUFFIX[match.group(2)]


# Strict scalars: YAML already typed them, so "yes" is not a bool and "42" not an int.
# (Defined here rather than imported from pydantic.types, which costs startup time.)
StrictBool = Annotated[bool, Field(strict=True)]
StrictInt = Annotated[int, Field(strict=True)]
StrictFloat = Annotated[float, Field(strict=True)]

Percent = Annotated[int, Field(ge=1, le=100, strict=True)]
PositiveInt = Annotated[int, Field(ge=1, strict=True)]
