"""``manifest.json``: the list of a version's files with their sha256 and size.

``upload`` writes it after every file, so its presence is what makes a directory of the
store a version; ``fetch`` trusts nothing the manifest does not list and verifies each
digest. The text is deterministic (no clock), so uploading the same bytes twice writes the
same manifest: that is how a repeated upload is recognised as a no-op.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mlops_spec.store.errors import StoreError

FORMAT = "mlops-spec/manifest/v1"
FILENAME = "manifest.json"
_SEGMENT = r"[A-Za-z0-9_][A-Za-z0-9._-]*"
SAFE_PATH = rf"^{_SEGMENT}(/{_SEGMENT})*$"
"""File paths a version may hold: relative, no ``..``, no hidden files, no odd bytes."""
_SAFE = re.compile(SAFE_PATH)


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Annotated[str, Field(pattern=SAFE_PATH, max_length=512)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    size: Annotated[int, Field(ge=0)]


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["mlops-spec/manifest/v1"]
    model: str
    version: str
    spec_digest: str
    files: list[FileEntry]

    def same_files(self, other: Manifest) -> bool:
        return self.files == other.files


def file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def local_files(directory: Path) -> list[str]:
    """The regular files under ``directory`` as sorted POSIX paths; refuses what a
    version cannot hold (symlinks, hidden or oddly named files, a manifest of its own)."""
    found: list[str] = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).as_posix()
        if path.is_symlink():
            raise StoreError.single("A003", f"{relative} is a symbolic link",
                                    str(directory), hint="a version holds regular files only")
        if path.is_dir():
            continue
        if not _SAFE.match(relative):
            raise StoreError.single(
                "A003", f"{relative!r} cannot be stored (hidden or unusual file name)",
                str(directory), hint="remove it from the directory, or rename it with "
                "letters, digits, '.', '_' and '-'")
        if relative == FILENAME:
            raise StoreError.single(
                "A003", f"{FILENAME} is reserved for the store's own manifest",
                str(directory), hint="upload the directory `mlops-spec train --out` wrote")
        found.append(relative)
    return found


def build(model: str, version: str, spec_digest: str, directory: Path) -> Manifest:
    entries = []
    for relative in local_files(directory):
        sha, size = file_digest(directory / relative)
        entries.append(FileEntry(path=relative, sha256=sha, size=size))
    return Manifest(format=FORMAT, model=model, version=version, spec_digest=spec_digest,
                    files=entries)


def dumps(manifest: Manifest) -> bytes:
    return (json.dumps(manifest.model_dump(mode="json"), sort_keys=True, indent=2)
            + "\n").encode()


def parse(raw: bytes, where: str) -> Manifest:
    try:
        data: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError.single("A007", f"the manifest is not valid JSON: {exc}", where,
                                hint="the version is damaged; upload it again under a new "
                                     "version") from None
    if isinstance(data, dict) and data.get("format") != FORMAT:
        raise StoreError.single("A007", f"unknown manifest format {data.get('format')!r}",
                                where, hint=f"this mlops-spec reads {FORMAT!r}")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise StoreError.single("A007", f"malformed manifest: {place}: {first['msg']}",
                                where, hint="the version is damaged; upload it again under "
                                            "a new version") from None
