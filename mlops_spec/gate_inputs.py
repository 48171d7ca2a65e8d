"""The gate's edge: which specs a run gates, their text on the base and in the working tree,
and which review commits carry the head's spec (asked of git, handed to the pure core)."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import NamedTuple

from mlops_spec.diagnostics import InputError, UserError
from mlops_spec.git import GitError, Repo
from mlops_spec.govern.approvals import Approvals
from mlops_spec.govern.gate import SpecInput
from mlops_spec.spec.served import BadVersionFile, served_version, version_file
from mlops_spec.spec.validate import SPEC_FILENAMES, discover, validate_text


class GateUsageError(UserError):
    """The specs named cannot be found on either side (exit 2)."""


class Inputs(NamedTuple):
    items: list[SpecInput]
    base_sha: str | None
    head_sha: str | None


def _decode(raw: bytes, path: str, ref: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError.single("G003", f"the spec at {ref} is not UTF-8 text", path,
                                hint="the base's spec must be readable for its policy to "
                                     "apply; fix it on the base branch first") from None


def _local_specs(args: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in args:
        path = Path(raw)
        if path.is_dir():
            found += discover(path)
        elif path.exists():
            found.append(path)
    return found


def _read_head(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError.single("L001", f"cannot read the spec: {exc.strerror}", str(path)
                                ) from None


def _fresh(repo: Repo | None, approvals: Approvals | None, paths: list[str],
           heads: dict[str, bytes | None]) -> dict[str, frozenset[str]]:
    """Per spec path, the review commits whose copy of it equals the working tree's."""
    out: dict[str, set[str]] = {p: set() for p in paths}
    if repo is None or approvals is None:
        return {p: frozenset() for p in paths}
    for commit in dict.fromkeys(r.commit_id for r in approvals.reviews):
        if commit == approvals.head_sha or commit.startswith("-"):
            continue
        try:
            sha = repo.resolve(commit)
        except GitError:
            continue  # a commit this clone does not have cannot be shown equal
        for path, blob in repo.read(sha, paths).items():
            if blob == heads[path]:
                out[path].add(commit)
    return {p: frozenset(c) for p, c in out.items()}


def _served(repo: Repo, base_sha: str, path: str, base_text: str) -> str | None:
    """The version production serves by the base commit: the base spec's production pin,
    else the base's ``deploy/<production>/model-version.env`` beside it (``None``: none
    yet, or a base spec that does not validate, which the gate treats as new)."""
    spec = validate_text(path, base_text).spec
    if spec is None:
        return None
    if spec.production.model_version:
        return spec.production.model_version
    overlay = version_file(spec, posixpath.dirname(path))
    blob = repo.read(base_sha, [overlay]).get(overlay)
    try:
        return served_version(spec, blob.decode("utf-8") if blob is not None else None)
    except (BadVersionFile, UnicodeDecodeError) as exc:
        line = exc.line if isinstance(exc, BadVersionFile) else None
        raise InputError.single("G006", f"the base's {overlay} does not say which version "
                                f"production serves: {exc}", overlay, line=line,
                                hint="the gate compares the evaluation's champion with it; "
                                     "restore the file on the base branch (`mlops-spec "
                                     "render` writes MODEL_VERSION=<unset>)") from None


def collect(specs: list[str], base: str | None, approvals: Approvals | None,
            cwd: Path) -> Inputs:
    """The specs to gate: those named (files or directories), or every spec that differs
    between ``base`` and the working tree."""
    repo: Repo | None
    if base is None:
        try:
            repo = Repo(cwd)
        except GitError:
            repo = None
    else:
        repo = Repo(cwd)
    head_sha = repo.head() if repo else None
    base_sha = repo.resolve(base) if repo and base is not None else None

    local = _local_specs(specs or ["."]) if specs or base is None else []
    if repo is None:
        paths = [str(p) for p in local]
        where = {str(p): p for p in local}
    else:
        where = {repo.relative(p): p for p in local}
        paths = list(where)
        if base_sha is not None:
            if specs:  # named specs: also those the PR deleted under the names given
                on_base = repo.spec_paths(base_sha)
                for raw in specs:
                    rel = repo.relative(Path(raw))
                    prefix = "" if rel == "." else rel.rstrip("/") + "/"
                    paths += [p for p in on_base if p not in where
                              and (p == rel or p.startswith(prefix))]
            else:
                paths = repo.changed_specs(base_sha)
                where = {p: repo.root / p for p in paths}
    paths = list(dict.fromkeys(paths))
    if not paths and (specs or base is None):
        raise GateUsageError.single(
            "G005", "no spec found: " + (", ".join(specs) or "the current directory"),
            hint=f"pass spec files ({' or '.join(SPEC_FILENAMES)}) or directories holding them")
    base_blobs = repo.read(base_sha, paths) if repo and base_sha else {}
    items = []
    heads: dict[str, bytes | None] = {}
    texts: dict[str, str | None] = {}
    for path in paths:
        text = _read_head(where.get(path) or (repo.root / path if repo else Path(path)))
        texts[path] = text
        heads[path] = text.encode() if text is not None else None
    fresh = _fresh(repo, approvals, paths, heads)
    for path in paths:
        blob = base_blobs.get(path)
        base_text = _decode(blob, path, base or "") if blob is not None else None
        if texts[path] is None and base_text is None:
            raise GateUsageError.single("G005", "the spec exists neither in the working tree "
                                        f"nor on {base}", path,
                                        hint="check the path (relative to the current "
                                             "directory)")
        served = (_served(repo, base_sha, path, base_text)
                  if repo and base_sha and base_text is not None else None)
        items.append(SpecInput(path, texts[path], base_text, fresh[path], base is not None,
                               served))
    return Inputs(items, base_sha, head_sha)
