"""Where a spec's model versions live: ``model.artifact.store`` resolved to a backend.

A local store is a directory: relative to the spec, absolute, or ``file://``; the spec
naming none gets ``.mlops-spec/store`` beside it. Any other URI picks an fsspec backend
by its scheme in ``BACKENDS``, the one table of what can be written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlops_spec.spec.sections import Spec

DEFAULT_STORE = ".mlops-spec/store"
"""The store of a spec that names none, relative to the spec's directory."""


@dataclass(frozen=True)
class Backend:
    """An fsspec filesystem: the package that provides it and the extra that installs it."""

    protocol: str
    module: str
    extra: str


BACKENDS: dict[str, Backend | None] = {
    "file": None,  # a local directory: the standard library only
    "s3": Backend("s3", "s3fs", "s3"),
    "gs": Backend("gcs", "gcsfs", "gcs"),
    "gcs": Backend("gcs", "gcsfs", "gcs"),
    "az": Backend("az", "adlfs", "azure"),
    "abfs": Backend("abfs", "adlfs", "azure"),
    "abfss": Backend("abfs", "adlfs", "azure"),
}
"""URI scheme -> how mlops-spec writes and reads it. ``hdfs`` and ``https`` stores can be
served by KServe but are not written by ``upload`` (no scheme entry: a clear error)."""


@dataclass(frozen=True)
class Location:
    scheme: str
    """``file`` for a local directory, else the URI scheme."""
    root: str
    """The local directory (absolute), or ``bucket/prefix`` for an object store."""
    uri: str
    """The store as users write it, for messages (no credentials: the spec cannot hold
    any, its URI type has no ``@``)."""

    def version_uri(self, version: str) -> str:
        return f"{self.uri.rstrip('/')}/{version}"


def store_location(spec: Spec, spec_file: Path) -> Location:
    store = spec.model.artifact.store or DEFAULT_STORE
    if "://" in store and not store.startswith("file://"):
        scheme, rest = store.split("://", 1)
        return Location(scheme=scheme, root=rest.rstrip("/"), uri=store.rstrip("/"))
    path = Path(store.removeprefix("file://"))
    if not path.is_absolute():
        path = spec_file.resolve().parent / path
    return Location(scheme="file", root=str(path), uri=str(path))
