"""The loopback GitHub's state: what tests arrange and read back, and the request log."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import github_shapes as shapes

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Fault:
    """Applied to the next ``times`` requests matching ``method`` and the ``route`` regex.

    kind: ``502-after`` (handle the request, then answer 502), ``timeout-after`` (handle it,
    then stall past the client's read timeout), ``secondary-rate-limit`` (403 with
    Retry-After, not handled), ``rate-limit-reset`` (403 with x-ratelimit-reset),
    ``401``, ``403``, ``404``, ``405``, ``409``, ``500``, ``garbage`` (200 with a body that
    is not JSON), ``graphql-error`` (200 with GraphQL ``errors``),
    ``oversized`` (200 with a huge JSON body).
    """

    method: str
    route: str
    kind: str
    times: int = 1
    stall: float = 2.0
    retry_after: int = 1


@dataclass
class Pull:
    number: int
    title: str
    user: str
    head_ref: str
    head_sha: str
    base_ref: str
    body: str = ""
    state: str = "open"
    head_repo: str | None = None  # a fork's full name
    merged: bool = False
    merge_state: str = "blocked"
    """GitHub's mergeStateStatus, lowercase: ``blocked`` (a required check or review is
    missing), ``clean``, ``unstable``, ``dirty`` (a conflict), ... (github_merges)."""
    auto_merge: dict[str, Any] | None = None


@dataclass
class Repo:
    full_name: str
    default_branch: str = "main"
    pulls: dict[int, Pull] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    statuses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    check_runs: list[dict[str, Any]] = field(default_factory=list)
    reviews: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)  # branch -> commit sha
    trees: dict[str, dict[str, bytes]] = field(default_factory=dict)  # commit -> files
    rulesets: dict[int, dict[str, Any]] = field(default_factory=dict)
    protection: dict[str, dict[str, Any]] = field(default_factory=dict)
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    branch_policies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    parents: dict[str, str | None] = field(default_factory=dict)  # commit -> its parent
    allow_auto_merge: bool = True  # Settings > General > Pull Requests > Allow auto-merge


class GitHubState:
    """Everything the fake GitHub knows; tests arrange it and read it back."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.base = ""
        self.users: dict[str, int] = {}
        self.tokens: dict[str, tuple[str, frozenset[str]]] = {}
        self.repos: dict[str, Repo] = {}
        self.teams: dict[tuple[str, str], set[str]] = {}
        self.team_ids: dict[tuple[str, str], int] = {}
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self._ids = 100

    # --- arranging ---------------------------------------------------------------------
    def add_token(self, token: str, login: str, permissions: set[str] | None = None) -> None:
        """``permissions``: GitHub permission names the token holds (``pull-requests``,
        ``statuses``, ``checks``, ``contents``, ``administration``, ``members``), all by
        default. Reading is always allowed except where ``members`` is needed."""
        everything = {"pull-requests", "statuses", "checks", "contents", "administration",
                      "members", "environments"}
        self.tokens[token] = (login, frozenset(everything if permissions is None
                                               else permissions))
        self.user(login)

    def user(self, login: str) -> dict[str, Any]:
        if login not in self.users:
            self.users[login] = len(self.users) + 1
        return shapes.simple_user(self.base, login, self.users[login])

    def repo(self, full_name: str) -> Repo:
        return self.repos.setdefault(full_name, Repo(full_name))

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def add_comment(self, full_name: str, number: int, login: str, body: str) -> int:
        comment_id = self.next_id()
        self.repo(full_name).comments.setdefault(number, []).append(shapes.issue_comment(
            self.base, full_name, number, comment_id, body, self.user(login),
            shapes.STAMP, shapes.STAMP))
        return comment_id

    def add_review(self, full_name: str, number: int, login: str, state: str,
                   commit_id: str) -> None:
        self.repo(full_name).reviews.setdefault(number, []).append(
            {"id": self.next_id(), "login": login, "state": state, "commit_id": commit_id})

    def commit(self, full_name: str, parent: str | None, files: dict[str, bytes], *,
               removed: frozenset[str] | set[str] = frozenset()) -> str:
        repo = self.repo(full_name)
        tree = dict(repo.trees.get(parent, {})) if parent else {}
        tree.update(files)
        for path in removed:
            tree.pop(path, None)
        sha = hashlib.sha1(json.dumps([parent, sorted((k, v.hex()) for k, v in tree.items())])
                           .encode()).hexdigest()
        repo.trees[sha] = tree
        repo.parents.setdefault(sha, parent)
        return sha

    # --- reading back ------------------------------------------------------------------
    def comments(self, full_name: str, number: int) -> list[dict[str, Any]]:
        return list(self.repo(full_name).comments.get(number, []))

    def latest_status(self, full_name: str, sha: str, context: str) -> dict[str, Any] | None:
        found = [s for s in self.repo(full_name).statuses.get(sha, []) if s["context"] == context]
        return found[-1] if found else None

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in WRITE_METHODS]

    def clear_requests(self) -> None:
        with self.lock:
            self.requests.clear()


class _Reply(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _page(state: GitHubState, path: str, query: dict[str, list[str]],
          items: list[Any]) -> tuple[int, Any, dict[str, str]]:
    per_page = min(int((query.get("per_page") or ["30"])[0]), 100)
    page = int((query.get("page") or ["1"])[0])
    last = max(1, -(-len(items) // per_page))
    chunk = items[(page - 1) * per_page: page * per_page]
    links = []

    def link(number: int, rel: str) -> str:
        params = {k: v[0] for k, v in query.items()} | {"per_page": per_page, "page": number}
        return f'<{state.base}{path}?{urlencode(params)}>; rel="{rel}"'

    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links += [link(1, "first"), link(page - 1, "prev")]
    return 200, chunk, ({"Link": ", ".join(links)} if links else {})
