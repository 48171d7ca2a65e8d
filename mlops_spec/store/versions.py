"""A store of model versions: ``<store>/<version>/`` plus its manifest, written last.

Upload writes every file, then ``manifest.json``; a directory without a manifest is not a
version, whatever it holds (an upload that died half-way), and is cleaned up by the next
upload of that version. A version is immutable: the same bytes again are a no-op,
different bytes are refused. Fetch verifies every size and digest against the manifest
and renames a complete temporary directory into place, so the target is never half-written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mlops_spec.diagnostics import UserError
from mlops_spec.evaluation import spec_digest
from mlops_spec.spec.types import MODEL_VERSION
from mlops_spec.store import manifest as mf
from mlops_spec.store.artifacts import check_artifact_set
from mlops_spec.store.blobs import Blobs, translated
from mlops_spec.store.errors import StoreError
from mlops_spec.store.location import Location

if TYPE_CHECKING:
    from collections.abc import Collection

    from mlops_spec.evaluation import Evaluation
    from mlops_spec.spec.sections import Spec

_VERSION = re.compile(MODEL_VERSION)
RUNS_PREFIX = "_runs"
"""Where a training Job in the cluster hands its outputs back (``<store>/_runs/<run>/``,
same layout and manifest as a version): never a version itself (a version name starts with
a letter or digit), never registered, removed once ``submit-training`` fetched it."""


def check_version(version: str, given_as: str = "--version") -> str:
    if not _VERSION.match(version) or len(version) > 63:
        raise StoreError.single(
            "A002", f"{version!r} is not a model version ({given_as})", "<command line>",
            hint="a version is a commit SHA or a name of letters, digits, '.', '_' and '-' "
                 "(at most 63, starting and ending with a letter or digit)")
    return version


@dataclass(frozen=True)
class Uploaded:
    version: str
    uri: str
    status: Literal["stored", "unchanged"]
    manifest: mf.Manifest
    evaluation: Evaluation
    registered: str | None = None
    """``models:/<name>/<n>`` when ``model.registry`` is set."""


class Store:
    """The versions of one model (contract 5 of the project brief)."""

    def __init__(self, spec: Spec, spec_file: Path, location: Location, blobs: Blobs,
                 register: bool = True) -> None:
        self.spec = spec
        self.spec_file = spec_file
        self.location = location
        self.blobs = blobs
        self.register = register and spec.model.registry is not None

    def runs(self) -> Store:
        """The training runs of this model (``RUNS_PREFIX``): a store of the same backend
        whose "versions" are run ids, never registered."""
        from mlops_spec.store.blobs import open_blobs

        location = Location(self.location.scheme, f"{self.location.root}/{RUNS_PREFIX}",
                            f"{self.location.uri}/{RUNS_PREFIX}")
        return Store(self.spec, self.spec_file, location,
                     open_blobs(location, "training runs"), register=False)

    def remove(self, version: str) -> None:
        """Delete ``version``: its manifest first (so it stops being one), then its files.
        For training runs only: a model version is immutable."""
        check_version(version)
        with translated(self.location, "delete from"):
            self.blobs.delete(f"{version}/{mf.FILENAME}")
            for key in self.blobs.keys(version):
                self.blobs.delete(key)

    @property
    def uri(self) -> str:
        return self.location.uri

    def version_uri(self, version: str) -> str:
        return self.location.version_uri(version)

    def manifest(self, version: str) -> mf.Manifest | None:
        check_version(version)
        key = f"{version}/{mf.FILENAME}"
        with translated(self.location, "read"):
            raw = self.blobs.get_bytes(key)
        return None if raw is None else mf.parse(raw, f"{self.version_uri(version)}/"
                                                      f"{mf.FILENAME}")

    def exists(self, version: str) -> bool:
        return self.manifest(version) is not None

    def versions(self) -> list[str]:
        """Complete versions (those with a manifest), sorted by name."""
        with translated(self.location, "list"):
            names = self.blobs.children()
            return [name for name in names if _VERSION.match(name)
                    and self.blobs.get_bytes(f"{name}/{mf.FILENAME}") is not None]

    def upload(self, version: str, from_dir: Path) -> Uploaded:
        """Store ``from_dir`` as ``version`` (then register it, with ``model.registry``)."""
        check_version(version)
        record = check_artifact_set(self.spec, from_dir)
        if self.register:
            from mlops_spec.store import registry

            registry.check_usable(self.spec, self.location)
        uploaded = self._store(version, from_dir, record)
        if not self.register:
            return uploaded
        registered = registry.register(self.spec, self.spec_file, self.location, version,
                                       record)
        return dataclasses.replace(uploaded, registered=registered)

    def _store(self, version: str, from_dir: Path, record: Evaluation) -> Uploaded:
        built = mf.build(self.spec.name, version, spec_digest(self.spec), from_dir)
        existing = self.manifest(version)
        uri = self.version_uri(version)
        if existing is not None:
            if existing.same_files(built):
                return Uploaded(version, uri, "unchanged", existing, record)
            before = {entry.path: entry for entry in existing.files}
            after = {entry.path: entry for entry in built.files}
            differ = sorted(p for p in before.keys() | after.keys()
                            if before.get(p) != after.get(p))
            shown = ", ".join(differ[:5]) + (", ..." if len(differ) > 5 else "")
            raise StoreError.single(
                "A005", f"version {version} is already stored with other files ({shown}); "
                        "a version never changes", uri,
                hint="upload under a new version (MODEL_VERSION is the commit the model "
                     "was trained at: commit the change, then train and upload again)")
        wanted = {entry.path for entry in built.files}
        with translated(self.location, "write to"):
            for stale in self.blobs.keys(version):  # left by an upload that did not finish
                if stale.split("/", 1)[1] not in wanted:
                    self.blobs.delete(stale)
            for entry in built.files:
                self.blobs.put(f"{version}/{entry.path}", from_dir / entry.path)
            self.blobs.put_bytes(f"{version}/{mf.FILENAME}", mf.dumps(built))
        return Uploaded(version, uri, "stored", built, record)

    def fetch(self, version: str, to_dir: Path,
              only: Collection[str] | None = None) -> mf.Manifest:
        """Restore ``version`` into ``to_dir``, every file verified; with ``only``, just
        those paths of its manifest (each one must be listed: A230)."""
        found = self.manifest(version)
        uri = self.version_uri(version)
        if found is None:
            raise StoreError.single(
                "A006", f"version {version} is not in the store (no {mf.FILENAME}; an "
                        "upload that did not finish leaves none)", uri,
                hint=self.stored_hint())
        if found.model != self.spec.name or found.version != version:
            raise StoreError.single(
                "A007", f"the manifest describes {found.model} version {found.version}, "
                        f"not {self.spec.name} version {version}", uri,
                hint="the store URI is shared with another model; give each model its own "
                     "prefix")
        if to_dir.exists() and (not to_dir.is_dir() or any(to_dir.iterdir())):
            raise StoreError.single("A008", "the target exists and is not an empty "
                                    "directory", str(to_dir),
                                    hint="fetch into a new directory")
        entries = found.files if only is None else _selected(found, only, uri)
        to_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{to_dir.name}.fetch-", dir=to_dir.parent))
        try:
            with translated(self.location, "read"):
                for entry in entries:
                    target = staging / entry.path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        sha, size = self.blobs.download(f"{version}/{entry.path}", target)
                    except FileNotFoundError:
                        raise _damaged(uri, entry.path, "is missing") from None
                    if size != entry.size or sha != entry.sha256:
                        raise _damaged(uri, entry.path, "does not match its sha256 in the "
                                       "manifest")
            staging.replace(to_dir)  # rename(2) also replaces an empty directory
        except BaseException:
            with contextlib.suppress(OSError):
                shutil.rmtree(staging)
            raise
        return found

    def stored_hint(self) -> str:
        stored = self.versions()
        if not stored:
            return "the store holds no version yet: `mlops-spec upload` one first"
        shown = ", ".join(stored[:10]) + (f" and {len(stored) - 10} more"
                                          if len(stored) > 10 else "")
        return f"stored versions: {shown}"


def _selected(found: mf.Manifest, only: Collection[str], uri: str) -> list[mf.FileEntry]:
    listed = {entry.path: entry for entry in found.files}
    absent = sorted(set(only) - listed.keys())
    if absent:
        raise StoreError.single(
            "A230", f"version {found.version} holds no {', '.join(absent)}", uri,
            hint="the version was uploaded without it (upload warns when `train --out` "
                 "lacks it): train and upload a new version")
    return [listed[path] for path in sorted(set(only))]


def _damaged(uri: str, path: str, problem: str) -> UserError:
    return StoreError.single("A007", f"{path} of this version {problem}", uri,
                             hint="the stored version is damaged or was altered; do not "
                                  "serve it: upload the model again under a new version")
