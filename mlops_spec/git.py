"""Git at the edge: the gate's only way to see the base branch (never the working tree).

Every call runs ``git`` with an argument list (no shell) and ``--`` before paths, so a ref or
path from a pull request is never interpreted as an option or a command. Failures become a
``GitError`` (exit 2) naming the ref or path and what to do.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from mlops_spec.diagnostics import UserError
from mlops_spec.spec.validate import SPEC_FILENAMES


class GitError(UserError):
    """git is missing, this is not a repository, or a ref or file cannot be read."""


def _git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], input=stdin,
                              capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError.single("G001", "git is not installed (the gate reads the base "
                              "branch with git)", hint="install git, or run without --base"
                              ) from None


class Repo:
    """One git work tree, found from a directory inside it."""

    def __init__(self, start: Path) -> None:
        probe = _git(start, "rev-parse", "--show-toplevel")
        if probe.returncode != 0:
            raise GitError.single(
                "G001", "not inside a git repository", str(start),
                hint="run the gate in a clone of the repository (CI: check out with full "
                     "history, fetch-depth: 0), or leave out --base")
        self.root = Path(probe.stdout.decode().strip())

    def resolve(self, ref: str) -> str:
        """The commit ``ref`` names, or a ``GitError`` naming the ref."""
        if ref.startswith("-") or not ref.strip():
            raise GitError.single("G002", f"{ref!r} is not a git ref", hint="pass a branch, "
                                  "tag or commit, e.g. --base origin/main")
        done = _git(self.root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                    f"{ref}^{{commit}}")
        if done.returncode != 0:
            raise GitError.single(
                "G002", f"unknown git ref {ref!r}",
                hint="fetch it first (git fetch origin main; in CI check out with "
                     "fetch-depth: 0) or pass a commit this clone has")
        return done.stdout.decode().strip()

    def head(self) -> str | None:
        done = _git(self.root, "rev-parse", "--verify", "--quiet", "HEAD")
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def relative(self, path: Path) -> str:
        """``path`` as a repository path (POSIX, from the root), for ``git show``."""
        try:
            rel = path.resolve().relative_to(self.root.resolve())
        except ValueError:
            raise GitError.single("G003", "the spec is outside the git repository", str(path),
                                  hint=f"pass a spec under {self.root}") from None
        return PurePosixPath(rel).as_posix()

    def spec_paths(self, commit: str) -> list[str]:
        """Repository paths of every spec file in ``commit``."""
        done = _git(self.root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit)
        if done.returncode != 0:
            raise GitError.single("G002", f"cannot list the files of {commit}",
                                  hint=done.stderr.decode(errors="replace").strip() or None)
        names = done.stdout.decode(errors="surrogateescape").split("\0")
        return sorted(n for n in names if n and PurePosixPath(n).name in SPEC_FILENAMES)

    def changed_specs(self, commit: str) -> list[str]:
        """Spec files whose working-tree content differs from ``commit`` (untracked too)."""
        diff = _git(self.root, "diff", "--no-renames", "--name-only", "-z", commit, "--")
        untracked = _git(self.root, "ls-files", "-z", "--others", "--exclude-standard")
        if diff.returncode != 0:
            raise GitError.single("G002", f"cannot compare the working tree with {commit}",
                                  hint=diff.stderr.decode(errors="replace").strip() or None)
        names = (diff.stdout + b"\0" + untracked.stdout).decode(
            errors="surrogateescape").split("\0")
        return sorted({n for n in names if n and PurePosixPath(n).name in SPEC_FILENAMES})

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether ``older`` is in the history of ``newer`` (both resolved commits)."""
        return _git(self.root, "merge-base", "--is-ancestor", older, newer).returncode == 0

    def changed_files(self, base: str, head: str, globs: list[str]) -> list[str]:
        """Repository paths matching ``globs`` (``**``-style, from the root) that differ
        between two commits."""
        if not globs:
            return []
        done = _git(self.root, "diff", "--no-renames", "--name-only", "-z", base, head, "--",
                    *(f":(glob){g}" for g in globs))
        if done.returncode != 0:
            raise GitError.single("G211", f"cannot compare {base[:12]} with {head[:12]}",
                                  hint=done.stderr.decode(errors="replace").strip() or None)
        return sorted(n for n in done.stdout.decode(errors="surrogateescape").split("\0") if n)

    def read(self, commit: str, paths: list[str]) -> dict[str, bytes | None]:
        """Each path's bytes at ``commit`` (``None`` where it does not exist), in one call."""
        if not paths:
            return {}
        if any("\n" in p for p in paths):
            raise GitError.single("G003", "a spec path contains a line break")
        request = "".join(f"{commit}:{p}\n" for p in paths).encode(errors="surrogateescape")
        done = _git(self.root, "cat-file", "--batch", stdin=request)
        if done.returncode != 0:
            raise GitError.single("G003", f"cannot read spec files at {commit}",
                                  hint=done.stderr.decode(errors="replace").strip() or None)
        out: dict[str, bytes | None] = {}
        data, at = done.stdout, 0
        for path in paths:
            end = data.index(b"\n", at)
            header = data[at:end].split()
            at = end + 1
            if len(header) != 3:  # "<request> missing"
                out[path] = None
                continue
            size = int(header[2])
            # A directory under a spec's name is no spec: its listing is skipped.
            out[path] = data[at:at + size] if header[1] == b"blob" else None
            at += size + 1
        return out


def show(ref: str, path: Path) -> str | None:
    """The text of one file at ``ref`` (``git show REF:PATH`` for callers outside the
    gate, e.g. the bot reading the base spec's owners); None where it does not exist."""
    repo = Repo(path.parent if path.parent != Path() else Path.cwd())
    blob = repo.read(repo.resolve(ref), [repo.relative(path)])[repo.relative(path)]
    return None if blob is None else blob.decode("utf-8", "replace")
