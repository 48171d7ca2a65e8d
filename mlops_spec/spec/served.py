"""The version production serves, as the repository records it: the production
environment's ``model_version`` pin, else ``MODEL_VERSION`` in
``deploy/<production>/model-version.env`` beside the spec (the overlay render writes with
``<unset>``; Argo CD delivery pins by promotion pull request, a deploy job may write the
file). Pure: the callers read the file, ``store.champion`` from the working tree (train's
champion, the monitor's reference) and ``gate_inputs`` from the base commit (the champion
the gate expects).
"""

from __future__ import annotations

import posixpath
import re

from mlops_spec.conventions import UNSET_VERSION, VERSION_FILE, VERSION_KEY
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.types import MODEL_VERSION


class BadVersionFile(ValueError):
    """``model-version.env`` names something that is not a model version."""

    def __init__(self, value: str, line: int) -> None:
        super().__init__(f"{value!r} is not a model version")
        self.value = value
        self.line = line


def version_file(spec: Spec, spec_dir: str = "") -> str:
    """Production's ``model-version.env``, relative to the spec's directory (``spec_dir``,
    a POSIX path, prefixed when given)."""
    return posixpath.join(spec_dir, "deploy", spec.production.name, VERSION_FILE)


def served_version(spec: Spec, version_env: str | None) -> str | None:
    """Production's pin, else the version ``version_env`` (the file's text, ``None`` when
    there is none) records; ``None`` when production serves none yet. Raises
    ``BadVersionFile`` for a value that is not a version."""
    if spec.production.model_version:
        return spec.production.model_version
    if version_env is None:
        return None
    for number, line in enumerate(version_env.splitlines(), start=1):
        key, sep, value = line.strip().partition("=")
        if not sep or key.strip() != VERSION_KEY:
            continue
        value = value.strip()
        if value == UNSET_VERSION or not value:
            return None
        if not re.match(MODEL_VERSION, value) or len(value) > 63:
            raise BadVersionFile(value, number)
        return value
    return None
