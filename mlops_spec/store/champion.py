"""The champion: the model version production serves, for the champion-challenger check.

Production's version is its ``model_version`` pin in the spec, else the one the deploy
pipeline wrote to ``deploy/<production>/model-version.env`` beside the spec (``<unset>``
until the first deploy). ``train`` calls ``fetch_champion`` when ``--champion`` is not
given; ``drift --champion`` (the reference profile stored with that version) and ``fetch
--champion`` use ``stored_champion``. None means production serves nothing yet: the
champion check is not applicable, the drift check skips.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_spec.conventions import UNSET_VERSION, VERSION_KEY
from mlops_spec.spec import served
from mlops_spec.spec.sections import Spec
from mlops_spec.store.errors import StoreError

if TYPE_CHECKING:
    from mlops_spec.store.versions import Store


def version_file(spec: Spec, spec_file: Path) -> Path:
    return spec_file.parent / served.version_file(spec)


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
    try:
        return served.served_version(spec, text)
    except served.BadVersionFile as exc:
        raise StoreError.single(
            "A011", str(exc), str(path), line=exc.line,
            hint=f"the deploy pipeline writes {VERSION_KEY}=<commit>; restore it with "
                 "`mlops-spec render`") from None


def not_served(spec: Spec, spec_file: Path) -> str:
    """Why ``resolve`` found no version: what an operator reads when a command that needs
    production's version skips."""
    env = spec.production.name
    path = version_file(spec, spec_file)
    recorded = (f"{path.relative_to(spec_file.parent).as_posix()} says {UNSET_VERSION}"
                if path.exists() else f"there is no {path.relative_to(spec_file.parent)}")
    return (f"production ({env}) serves no model version yet: it has no model_version pin "
            f"and {recorded}")


def stored_champion(spec: Spec, spec_file: Path, needed_for: str) -> tuple[Store, str] | None:
    """The store and production's version, checked to be stored (A011 when a version is
    pinned or deployed but the store, which answered, lacks it); None when production
    serves none yet."""
    from mlops_spec.store import open_store

    version = resolve(spec, spec_file)
    if version is None:
        return None
    store = open_store(spec, spec_file, needed_for)
    if not store.exists(version):
        raise StoreError.single(
            "A011", f"production serves version {version}, which is not in the store",
            store.version_uri(version),
            hint="check model.artifact.store and the store credentials, and that the "
                 "version was uploaded (`train` also accepts `--champion DIR`)")
    return store, version


def fetch_champion(spec: Spec, spec_file: Path, to_dir: Path,
                   only: Collection[str] | None = None) -> str | None:
    """Fetch production's version into ``to_dir`` (a new or empty directory; with ``only``,
    just those files of it), verified; returns the version, or None (nothing fetched)
    when production serves none yet."""
    found = stored_champion(spec, spec_file, "fetching the champion")
    if found is None:
        return None
    store, version = found
    store.fetch(version, to_dir, only)
    return version
