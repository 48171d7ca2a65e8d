"""The loopback GitHub's merges: ``PUT /repos/{o}/{r}/pulls/{n}/merge`` (the base branch gets
a merge commit with the pull request's changes) and ``POST /graphql`` answering
``enablePullRequestAutoMerge`` as GitHub does, errors included (HTTP 200 with ``errors``:
auto-merge not allowed, a pull request mergeable already, a conflict, no permission).

``checks_pass`` is what GitHub does when the required checks of a pull request succeed:
it becomes ``clean`` and, with auto-merge enabled, is merged.
"""

from __future__ import annotations

import re
from typing import Any

import github_shapes as shapes
from github_state import GitHubState, Pull, Repo, _Reply

MERGEABLE = frozenset({"clean", "unstable", "has_hooks"})


def _ancestry(repo: Repo, sha: str | None) -> list[str]:
    chain: list[str] = []
    while sha is not None and sha not in chain:
        chain.append(sha)
        sha = repo.parents.get(sha)
    return chain


def merge_pull(state: GitHubState, full: str, pull: Pull) -> str:
    """Merge ``pull`` into its base: the files its branch changed since it forked from the
    base's history land on the base (no conflict detection: the tests' branches never
    overlap). Returns the merge commit."""
    repo = state.repo(full)
    base_sha = repo.branches[pull.base_ref]
    on_base = set(_ancestry(repo, base_sha))
    # The branch's commit here (a walk-through may point head_sha at its local git commit
    # of the same files).
    head = pull.head_sha if pull.head_sha in repo.trees else repo.branches[pull.head_ref]
    fork = next((c for c in _ancestry(repo, head) if c in on_base), None)
    before, after = repo.trees.get(fork, {}) if fork else {}, repo.trees[head]
    changed = {p: after[p] for p in after if before.get(p) != after[p]}
    removed = {p for p in before if p not in after}
    sha = state.commit(full, base_sha, changed, removed=removed)
    repo.branches[pull.base_ref] = sha
    pull.state, pull.merged, pull.merge_state = "closed", True, "unknown"
    return sha


def _merge(state: GitHubState, login: str, query: Any, body: Any, owner: str, name: str,
           number: str) -> Any:
    full = f"{owner}/{name}"
    pull = state.repo(full).pulls.get(int(number))
    if pull is None:
        raise _Reply(404, shapes.error("Not Found", 404))
    if (body or {}).get("merge_method", "merge") not in ("merge", "squash", "rebase"):
        raise _Reply(422, shapes.error("Validation Failed", 422))
    if pull.state != "open" or pull.merge_state not in MERGEABLE:
        raise _Reply(405, shapes.error("Pull Request is not mergeable", 405))
    if (body or {}).get("sha") not in (None, pull.head_sha):
        raise _Reply(409, shapes.error("Head branch was modified. Review and try the merge "
                                       "again.", 409))
    sha = merge_pull(state, full, pull)
    return {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"data": {"enablePullRequestAutoMerge": None}, "errors": [{
        "type": kind, "path": ["enablePullRequestAutoMerge"],
        "locations": [{"line": 2, "column": 3}], "message": message}]}


def _graphql(state: GitHubState, login: str, query: Any, body: Any) -> Any:
    text = str((body or {}).get("query", ""))
    variables = (body or {}).get("variables") or {}
    if not re.search(r"\benablePullRequestAutoMerge\s*\(", text):
        return {"errors": [{"message": "the loopback GitHub answers enablePullRequestAutoMerge "
                                       "only", "locations": [{"line": 1, "column": 1}]}]}
    if "mergeMethod: MERGE" not in text:
        return _error("UNPROCESSABLE", "the loopback GitHub expects mergeMethod: MERGE")
    node = str(variables.get("pullRequestId", ""))
    found = [(full, pull) for full, repo in state.repos.items() for pull in repo.pulls.values()
             if f"PR_{pull.number}" == node]
    if not found:
        return _error("NOT_FOUND", f"Could not resolve to a node with the global id of "
                                   f"'{node}'.")
    full, pull = found[0]
    permissions = next((p for who, p in state.tokens.values() if who == login), frozenset())
    if not {"pull-requests", "contents"} <= permissions:
        return _error("FORBIDDEN", "Resource not accessible by integration")
    if not state.repo(full).allow_auto_merge:
        return _error("UNPROCESSABLE", "Pull request Auto merge is not allowed for this "
                                       "repository")
    if pull.state != "open":
        return _error("UNPROCESSABLE", "Pull request Pull request is closed")
    if pull.merge_state != "blocked":
        return _error("UNPROCESSABLE", f"Pull request Pull request is in {pull.merge_state} "
                                       "status")
    pull.auto_merge = {"enabled_by": state.user(login), "merge_method": "merge",
                       "commit_title": None, "commit_message": None}
    return {"data": {"enablePullRequestAutoMerge": {"pullRequest": {
        "number": pull.number,
        "autoMergeRequest": {"enabledAt": shapes.STAMP, "mergeMethod": "MERGE"}}}}}


def checks_pass(state: GitHubState, full: str, number: int) -> bool:
    """The pull request's required checks succeeded: it is ``clean``, and GitHub merges it
    when auto-merge is enabled. Whether it was merged."""
    with state.lock:
        pull = state.repo(full).pulls[number]
        pull.merge_state = "clean"
        if pull.auto_merge is None or pull.state != "open":
            return False
        merge_pull(state, full, pull)
        return True


_R = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
MERGE_ROUTES = [
    ("PUT", re.compile(_R + r"/pulls/(?P<number>\d+)/merge"), "contents", _merge),
    # GraphQL answers 200 with errors, permission errors included: checked in the handler.
    ("POST", re.compile(r"/graphql"), "", _graphql),
]
