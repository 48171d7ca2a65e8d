"""The champion: the model version production serves, for the champion-challenger check.

Production's version is its ``model_version`` pin in the spec, else the one the deploy
pipeline wrote to ``deploy/<production>/model-version.env`` beside the spec (``<unset>``
until the first deploy). ``train`` calls ``fetch_champion`` when ``--champion`` is not
given; None means production serves nothing yet, and the check is not applicable.
"""

from __future__ import annotations

import re
from pathlib import Path

from mlops_spec.render.kubernetes.common import UNSET_VERSION, VERSION_KEY
from mlops_spec.render.kubernetes.kustomize import VERSION_FILE
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.types import MODEL_VERSION
from mlops_spec.store.errors import StoreError


def version_file(spec: Spec, spec_file: Path) -> Path:
    return spec_file.parent / "deploy" / spec.production.name / VERSION_FILE


def resolve(spec: Spec, spec_file: Path) -> str | None:
    """The version production serves, or None when it serves none yet."""
    if spec.production.model_version:
        return spec.production.model_version
    path = version_file(spec, spec_file)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError.single("A011", f"cannot read the deployed version: {exc}",
                                str(path)) from None
    for number, line in enumerate(text.splitlines(), start=1):
        key, sep, value = line.strip().partition("=")
        if not sep or key.strip() != VERSION_KEY:
            continue
        value = value.strip()
        if value == UNSET_VERSION or not value:
            return None
        if not re.match(MODEL_VERSION, value) or len(value) > 63:
            raise StoreError.single(
                "A011", f"{value!r} is not a model version", str(path), line=number,
                hint=f"the deploy pipeline writes {VERSION_KEY}=<commit>; restore it with "
                     "`mlops-spec render`")
        return value
    return None


def fetch_champion(spec: Spec, spec_file: Path, to_dir: Path) -> str | None:
    """Fetch production's version into ``to_dir`` (a new or empty directory); returns the
    version, or None (nothing fetched) when production serves none yet."""
    from mlops_spec.store import open_store

    version = resolve(spec, spec_file)
    if version is None:
        return None
    store = open_store(spec, spec_file, "fetching the champion")
    if not store.exists(version):
        raise StoreError.single(
            "A011", f"production serves version {version}, which is not in the store",
            store.version_uri(version),
            hint="check model.artifact.store and the store credentials, or pass "
                 "`train --champion DIR`")
    store.fetch(version, to_dir)
    return version
