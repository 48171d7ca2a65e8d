"""Byte storage under one root: a local directory or an fsspec filesystem.

The store logic (manifests, immutability, verification) is written once over this small
interface; backends only move bytes. Keys are POSIX paths relative to the store root.
Downloads stream in ``CHUNK`` pieces, so memory stays bounded whatever the file size.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from mlops_spec.diagnostics import require
from mlops_spec.store.errors import StoreError, redact
from mlops_spec.store.location import BACKENDS, Location

CHUNK = 1024 * 1024


class Blobs(Protocol):
    where: str

    def put(self, key: str, source: Path) -> None: ...
    def put_bytes(self, key: str, data: bytes) -> None: ...
    def get_bytes(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""
    def download(self, key: str, target: Path) -> tuple[str, int]:
        """Copy the object to ``target``; returns its (sha256 hex, size)."""
    def keys(self, prefix: str) -> list[str]:
        """Every object key under ``prefix/`` (recursive)."""
    def children(self) -> list[str]:
        """Names directly under the root."""
    def delete(self, key: str) -> None: ...


def _copy_hashing(read: Any, target: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        while chunk := read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


class LocalBlobs:
    """A directory; each object is written to a temporary name and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.where = str(root)

    def _path(self, key: str) -> Path:
        return self.root / key

    def put(self, key: str, source: Path) -> None:
        with self._atomic(key) as handle, source.open("rb") as src:
            shutil.copyfileobj(src, handle, CHUNK)

    def put_bytes(self, key: str, data: bytes) -> None:
        with self._atomic(key) as handle:
            handle.write(data)

    @contextlib.contextmanager
    def _atomic(self, key: str) -> Iterator[Any]:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def download(self, key: str, target: Path) -> tuple[str, int]:
        with self._path(key).open("rb") as src:
            return _copy_hashing(src.read, target)

    def keys(self, prefix: str) -> list[str]:
        base = self._path(prefix)
        if not base.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in base.rglob("*")
                      if p.is_file() or p.is_symlink())

    def children(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class FsspecBlobs:
    """An object store through fsspec (s3fs, gcsfs, adlfs): one object per key."""

    def __init__(self, fs: Any, root: str, where: str) -> None:
        self.fs = fs
        self.root = root
        self.where = where

    def _path(self, key: str) -> str:
        return f"{self.root}/{key}"

    def put(self, key: str, source: Path) -> None:
        self.fs.put_file(str(source), self._path(key))

    def put_bytes(self, key: str, data: bytes) -> None:
        self.fs.pipe_file(self._path(key), data)

    def get_bytes(self, key: str) -> bytes | None:
        try:
            data: bytes = self.fs.cat_file(self._path(key))
        except FileNotFoundError:
            return None
        return data

    def download(self, key: str, target: Path) -> tuple[str, int]:
        with self.fs.open(self._path(key), "rb", block_size=CHUNK) as src:
            return _copy_hashing(src.read, target)

    def keys(self, prefix: str) -> list[str]:
        base = self._path(prefix)
        try:
            found = self.fs.find(base)
        except FileNotFoundError:
            return []
        strip = len(self.root.rstrip("/")) + 1
        return sorted(path[strip:] for path in found)

    def children(self) -> list[str]:
        try:
            entries = self.fs.ls(self.root, detail=True)
        except FileNotFoundError:
            return []
        return sorted(entry["name"].rstrip("/").rsplit("/", 1)[-1] for entry in entries
                      if entry.get("type") == "directory")

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self._path(key))


def filesystem(scheme: str, needed_for: str) -> Any:
    """The fsspec filesystem for ``scheme``, its package required first (a clear exit 2
    naming the extra when it is missing). Credentials come from the backend's usual
    environment (AWS_*, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_*), never the spec."""
    backend = BACKENDS.get(scheme)
    if backend is None:
        raise StoreError.single(
            "A001", f"mlops-spec cannot read or write {scheme}:// locations",
            hint="use s3://, gs:// or az:// (with the s3, gcs or azure extra) or a local "
                 "directory")
    require("fsspec", backend.extra, needed_for)
    require(backend.module, backend.extra, needed_for)
    import fsspec

    options: dict[str, Any] = {"skip_instance_cache": True}
    if backend.protocol == "s3":
        options["use_listings_cache"] = False
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:  # MinIO, R2, Ceph, moto: any S3-compatible endpoint
            options["endpoint_url"] = endpoint
    return fsspec.filesystem(backend.protocol, **options)


def open_blobs(location: Location, needed_for: str) -> Blobs:
    if location.scheme == "file":
        return LocalBlobs(Path(location.root))
    return FsspecBlobs(filesystem(location.scheme, needed_for), location.root, location.uri)


def backend_errors(scheme: str) -> tuple[type[BaseException], ...]:
    """Exceptions a backend raises for unreachable endpoints, missing buckets or refused
    credentials: turned into StoreError A010, never a traceback."""
    errors: list[type[BaseException]] = [OSError]
    if scheme == "s3":
        with contextlib.suppress(ImportError):
            from botocore.exceptions import BotoCoreError, ClientError

            errors += [BotoCoreError, ClientError]
    return tuple(errors)


@contextlib.contextmanager
def translated(location: Location, action: str) -> Iterator[None]:
    try:
        yield
    except StoreError:
        raise
    except backend_errors(location.scheme) as exc:
        detail = redact(f"{type(exc).__name__}: {exc}")[:500]
        raise StoreError.single(
            "A010", f"cannot {action} {location.uri}: {detail}",
            hint="check the store URI, that the bucket exists, and the credentials in the "
                 "environment (AWS_*, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_*)"
        ) from None
