"""The PII handling of ``data.sources[].pii``, applied as each source is read.

Rules (docs/training.md, "PII handling"):

* ``drop``: the column is removed from the table; nothing downstream (model, datasheet,
  profile) ever sees it.
* ``hash``: each value becomes the hex HMAC-SHA256 of its UTF-8 text under the key in the
  ``MLOPS_SPEC_PII_KEY`` environment variable (64 hex characters): equal values stay equal,
  so the column can still join or count, but without the key nobody can test a guess.
* ``pseudonymize``: the same keyed HMAC, shortened to a readable token ``p_`` + 16 hex
  characters, for columns people read (reports, review queues).
* ``generalize``: coarsened by a fixed rule: an ISO date (``YYYY-MM-DD...``) becomes its
  year; a ``location`` value its first three characters (a zip prefix); a ``contact`` e-mail
  its domain; a number a bin (``demographic``: width 10, e.g. age 37 -> 30; otherwise its
  leading digit at its magnitude, e.g. 48,300 -> 40,000); any other text its first three
  characters.
* ``keep``: unchanged.

``hash`` and ``pseudonymize`` refuse to run without the key (T007): an unkeyed hash of an
e-mail address is reversed by hashing a list of addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
from typing import Any

from mlops_spec.spec.sections import DataSource, Spec
from mlops_spec.train import TrainError

KEY_ENV = "MLOPS_SPEC_PII_KEY"
_DATE = re.compile(r"^(\d{4})-\d{2}-\d{2}")


def key(file: str) -> bytes:
    value = os.environ.get(KEY_ENV, "")
    if not value:
        raise TrainError.single(
            "T007", f"hash and pseudonymize need a secret key in ${KEY_ENV}", file,
            hint=f"set {KEY_ENV} from a CI secret (the same key for training and scoring, "
                 "so values match); an unkeyed hash of personal data is reversible")
    return value.encode()


def keyed_digest(secret: bytes, value: Any) -> str:
    return hmac.new(secret, str(value).encode(), hashlib.sha256).hexdigest()


def generalize(value: Any, category: str, numeric: bool) -> Any:
    """One value coarsened by the rule of its category (see the module docstring)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return value
    if numeric:
        number = float(value)
        if category == "demographic":
            return math.floor(number / 10) * 10
        if number == 0:
            return 0.0
        scale = 10 ** math.floor(math.log10(abs(number)))
        return math.floor(number / scale) * scale
    text = str(value)
    if match := _DATE.match(text):
        return match.group(1)
    if category == "contact" and "@" in text:
        return text.rsplit("@", 1)[1].lower()
    return text[:3]


def apply(source: DataSource, columns: dict[str, Any], spec: Spec, file: str) -> dict[str, Any]:
    """The columns with each PII rule of ``source`` applied (dropped ones removed)."""
    import numpy as np

    numeric = {f.name for f in spec.features.columns if f.type == "numeric"}
    out = dict(columns)
    for rule in source.pii:
        if rule.column not in out:
            continue
        values = out[rule.column]
        if rule.handling == "drop":
            del out[rule.column]
        elif rule.handling in ("hash", "pseudonymize"):
            secret = key(file)
            digests = [None if v is None else keyed_digest(secret, v) for v in values]
            if rule.handling == "pseudonymize":
                digests = [None if d is None else "p_" + d[:16] for d in digests]
            out[rule.column] = np.array(digests, dtype=object)
        elif rule.handling == "generalize":
            is_number = rule.column in numeric
            coarse = [generalize(v, rule.category, is_number) for v in values]
            out[rule.column] = np.array(coarse, dtype=np.float64 if is_number else object)
    return out
