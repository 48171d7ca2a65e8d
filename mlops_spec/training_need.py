"""Whether a push to main needs a training run: did the model's training inputs change?

A version is built once from its training inputs (``conventions.training_inputs``: the
spec, repository data, code, requirements). A promotion pull request edits only the spec's
``deployment.environments[].model_version`` (and re-rendered files), so its merge trains
nothing; every other change in the spec's meaning does (the semantic diff of
``govern.diff``, defaults applied, comments and layout ignored). Where the base commit
cannot be compared (a new branch, a force push, a shallow clone without it, a spec new
since), the answer is to train: building once more is safe, skipping a build is not.
Git is asked at the edge (``git.Repo``); the comparison itself is ``spec_changes``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mlops_spec.conventions import training_inputs
from mlops_spec.git import GitError, Repo

if TYPE_CHECKING:
    from mlops_spec.spec.sections import Spec

PINS = ("deployment", "environments", "*", "model_version")
"""The one spec field a promotion changes: which stored version an environment runs."""
NO_COMMIT = frozenset({"", "0" * 40, "0" * 64})
"""What CI passes for "no previous commit" (GitHub: all zeros on a new branch)."""
LISTED = 5
"""Changed fields or files named in a reason; the JSON output has them all."""


class Decision(NamedTuple):
    train: bool
    reason: str
    """One line, for the log and a ``key=value`` output."""
    base: str | None
    """The resolved base commit; ``None`` when it was unknown."""
    head: str
    changes: list[str]
    """Spec fields (dotted) that changed outside the pins."""
    files: list[str]
    """Other training-input files that changed."""


def spec_changes(path: str, base_text: str, head_text: str
                 ) -> tuple[list[str], Spec] | None:
    """The dotted spec fields that differ outside the pins, and the head's spec; ``None``
    when a side does not validate (and so cannot be compared)."""
    from mlops_spec.govern.diff import diff, matches
    from mlops_spec.spec.validate import validate_text

    base, head = validate_text(path, base_text), validate_text(path, head_text)
    if base.spec is None or head.spec is None or not base.ok or not head.ok:
        return None
    return [c.dotted for c in diff(base.spec, head.spec)
            if not (len(c.path) == len(PINS) and matches(PINS, c.path))], head.spec


def _listed(items: list[str]) -> str:
    more = len(items) - LISTED
    return ", ".join(items[:LISTED]) + (f" and {more} more" if more > 0 else "")


def _one_line(text: str) -> str:
    # Field and file names come from the repository: never a second output line.
    return " ".join(text.split())


def _text(repo: Repo, commit: str, path: str) -> str | None:
    blob = repo.read(commit, [path])[path]
    return None if blob is None else blob.decode("utf-8", errors="replace")


def decide(spec_file: Path, base: str | None, head: str = "HEAD") -> Decision:
    """Compare the training inputs of ``spec_file`` between ``base`` and ``head``."""
    repo = Repo(spec_file.parent if spec_file.parent != Path() else Path.cwd())
    head_sha = repo.resolve(head)
    path = repo.relative(spec_file)
    head_text = _text(repo, head_sha, path)
    if head_text is None:
        raise GitError.single("G210", f"the spec is not in {head} ({head_sha[:12]})", path,
                              hint="pass the spec of this commit (commit it first)")

    def train(reason: str, base_sha: str | None = None, changes: list[str] | None = None,
              files: list[str] | None = None) -> Decision:
        return Decision(True, _one_line(reason), base_sha, head_sha, changes or [], files or [])

    raw = (base or "").strip()
    if raw in NO_COMMIT:
        return train("no previous commit to compare with (a new branch or a first build)")
    try:
        base_sha = repo.resolve(raw)
    except GitError:
        return train(f"the previous commit {raw[:40]} is not in this clone (a force push, or "
                     "a shallow checkout: fetch the full history)")
    if not repo.is_ancestor(base_sha, head_sha):
        return train(f"{base_sha[:12]} is not an ancestor of {head_sha[:12]} (history was "
                     "rewritten)", base_sha)
    base_text = _text(repo, base_sha, path)
    if base_text is None:
        return train(f"the spec is new since {base_sha[:12]}", base_sha)
    compared = spec_changes(path, base_text, head_text)
    if compared is None:
        return train(f"the spec at {base_sha[:12]} or {head_sha[:12]} does not validate, so "
                     "they cannot be compared", base_sha)
    changes, spec = compared
    model_dir = Path(path).parent.as_posix()
    files = [f for f in repo.changed_files(base_sha, head_sha,
                                           training_inputs(spec, path, model_dir)) if f != path]
    if changes:
        return train(f"the spec changed: {_listed(changes)}", base_sha, changes, files)
    if files:
        return train(f"training inputs changed: {_listed(files)}", base_sha, [], files)
    return Decision(False, f"no training input changed since {base_sha[:12]} (the spec's "
                    "meaning is the same outside deployment.environments[].model_version)",
                    base_sha, head_sha, [], [])
