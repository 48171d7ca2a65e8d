"""A loopback GitHub REST API for the bot's tests: a real ThreadingHTTPServer on
127.0.0.1:0 speaking every call the bot makes, with GitHub's body shapes (github_shapes),
``Link`` pagination, per-token permissions, a record of every request, and faults injected
per route (502 after storing, read timeouts, secondary rate limits, 401, garbage).

It serves the same routes under ``/api/v3`` too, as GitHub Enterprise Server does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

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
    ``401``, ``403``, ``404``, ``500``, ``garbage`` (200 with a body that is not JSON),
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
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    branch_policies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class GitHubState:
    """Everything the fake GitHub knows; tests arrange it and read it back."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.base = ""
        self.users: dict[str, int] = {}
        self.tokens: dict[str, tuple[str, frozenset[str]]] = {}
        self.repos: dict[str, Repo] = {}
        self.teams: dict[tuple[str, str], set[str]] = {}
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

    def commit(self, full_name: str, parent: str | None, files: dict[str, bytes]) -> str:
        repo = self.repo(full_name)
        tree = dict(repo.trees.get(parent, {})) if parent else {}
        tree.update(files)
        sha = hashlib.sha1(json.dumps([parent, sorted((k, v.hex()) for k, v in tree.items())])
                           .encode()).hexdigest()
        repo.trees[sha] = tree
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


Route = tuple[str, re.Pattern[str], str, Callable[..., Any]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        path = parts.path.removeprefix("/api/v3")
        query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with state.lock:
            state.requests.append(Recorded(method, path, query, dict(self.headers.items()), body))
            fault = self._take_fault(method, path)
        try:
            if fault is not None and fault.kind not in ("502-after", "timeout-after"):
                _raise_fault(fault)
            status, payload, headers = self._dispatch(method, path, query, body)
            if fault is not None and fault.kind == "502-after":
                raise _Reply(502, {"message": "Server Error"})
            if fault is not None and fault.kind == "timeout-after":
                time.sleep(fault.stall)
        except _Reply as reply:
            status, payload, headers = reply.status, reply.body, reply.headers
        self._send(status, payload, headers)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.server.state.faults:
            if fault.times > 0 and fault.method == method and re.search(fault.route, path):
                fault.times -= 1
                return fault
        return None

    def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        if isinstance(payload, bytes):
            data = payload
        else:
            data = b"" if payload is None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-GitHub-Media-Type", "github.v3; param=full; format=json")
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
            pass

    def _dispatch(self, method: str, path: str, query: dict[str, list[str]],
                  body: Any) -> tuple[int, Any, dict[str, str]]:
        state = self.server.state
        login, permissions = self._authenticate()
        for route_method, pattern, needs, handler in ROUTES:
            match = pattern.fullmatch(path)
            if route_method == method and match:
                if needs and needs not in permissions and (method in WRITE_METHODS
                                                           or needs == "members"):
                    raise _Reply(403, shapes.error("Resource not accessible by integration",
                                                   403))
                with state.lock:
                    return _as_reply(handler(state, login, query, body, **match.groupdict()))
        raise _Reply(404, shapes.error("Not Found", 404))

    def _authenticate(self) -> tuple[str, frozenset[str]]:
        header = self.headers.get("Authorization", "")
        token = header.split(" ", 1)[1] if " " in header else ""
        known = self.server.state.tokens.get(token)
        if known is None:
            raise _Reply(401, shapes.error("Bad credentials", 401))
        return known


def _raise_fault(fault: Fault) -> None:
    if fault.kind == "secondary-rate-limit":
        raise _Reply(403, shapes.error("You have exceeded a secondary rate limit. Please wait "
                                       "a few minutes before you try again.", 403),
                     {"Retry-After": str(fault.retry_after)})
    if fault.kind == "rate-limit-reset":
        raise _Reply(403, shapes.error("API rate limit exceeded", 403),
                     {"x-ratelimit-remaining": "0",
                      "x-ratelimit-reset": str(int(time.time()) + 2)})
    if fault.kind == "garbage":
        raise _Reply(200, b"<html>upstream proxy error</html>")
    if fault.kind == "oversized":
        raise _Reply(200, json.dumps([{"pad": "x" * 1024}] * 4096).encode())
    messages = {401: "Bad credentials", 403: "Resource not accessible by integration",
                404: "Not Found", 500: "Server Error", 502: "Server Error"}
    code = int(fault.kind)
    raise _Reply(code, shapes.error(messages[code], code))


def _as_reply(result: Any) -> tuple[int, Any, dict[str, str]]:
    if isinstance(result, tuple) and len(result) == 3:
        return result
    if isinstance(result, tuple):
        return result[0], result[1], {}
    return 200, result, {}


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


# --- routes --------------------------------------------------------------------------------

def _user(state: GitHubState, login: str, query: Any, body: Any) -> Any:
    if login.endswith("[bot]"):  # installation tokens cannot read /user
        raise _Reply(403, shapes.error("Resource not accessible by integration", 403))
    return state.user(login)


def _list_comments(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                   name: str, number: str) -> Any:
    repo = state.repo(f"{owner}/{name}")
    return _page(state, f"/repos/{owner}/{name}/issues/{number}/comments", query,
                 repo.comments.get(int(number), []))


def _create_comment(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                    name: str, number: str) -> Any:
    full = f"{owner}/{name}"
    if int(number) not in state.repo(full).pulls:
        raise _Reply(404, shapes.error("Not Found", 404))
    text = body["body"]
    if len(text) > 65536:
        raise _Reply(422, shapes.error("Validation Failed: body is too long (maximum is "
                                       "65536 characters)", 422))
    comment_id = state.add_comment(full, int(number), login, text)
    return 201, state.repo(full).comments[int(number)][-1] | {"id": comment_id}


def _find_comment(state: GitHubState, full: str, comment_id: str) -> tuple[list[Any], int]:
    for comments in state.repo(full).comments.values():
        for index, comment in enumerate(comments):
            if comment["id"] == int(comment_id):
                return comments, index
    raise _Reply(404, shapes.error("Not Found", 404))


def _edit_comment(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                  name: str, comment_id: str) -> Any:
    full = f"{owner}/{name}"
    comments, index = _find_comment(state, full, comment_id)
    old = comments[index]
    if old["user"]["login"] != login:
        raise _Reply(403, shapes.error("Resource not accessible by integration", 403))
    if len(body["body"]) > 65536:
        raise _Reply(422, shapes.error("Validation Failed", 422))
    number = int(old["issue_url"].rsplit("/", 1)[1])
    comments[index] = shapes.issue_comment(state.base, full, number, old["id"], body["body"],
                                           old["user"], old["created_at"], shapes.STAMP)
    return comments[index]


def _delete_comment(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                    name: str, comment_id: str) -> Any:
    comments, index = _find_comment(state, f"{owner}/{name}", comment_id)
    if comments[index]["user"]["login"] != login:
        raise _Reply(403, shapes.error("Resource not accessible by integration", 403))
    del comments[index]
    return 204, None


def _list_statuses(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                   name: str, sha: str) -> Any:
    statuses = state.repo(f"{owner}/{name}").statuses.get(sha, [])
    return _page(state, f"/repos/{owner}/{name}/commits/{sha}/statuses", query,
                 list(reversed(statuses)))  # newest first, as GitHub lists them


def _create_status(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                   name: str, sha: str) -> Any:
    if body.get("state") not in ("error", "failure", "pending", "success"):
        raise _Reply(422, shapes.error("Validation Failed", 422))
    if len(body.get("description") or "") > 140:
        raise _Reply(422, shapes.error("Validation Failed: description is too long "
                                       "(maximum is 140 characters)", 422))
    full = f"{owner}/{name}"
    made = shapes.status(state.base, full, sha, state.next_id(), body, state.user(login))
    state.repo(full).statuses.setdefault(sha, []).append(made)
    return 201, made


def _create_check_run(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                      name: str) -> Any:
    if len((body.get("output") or {}).get("annotations", [])) > 50:
        raise _Reply(422, shapes.error("Validation Failed: at most 50 annotations", 422))
    full = f"{owner}/{name}"
    made = shapes.check_run(state.base, full, state.next_id(), body)
    state.repo(full).check_runs.append(made | {"annotations": (body.get("output") or {})
                                               .get("annotations", [])})
    return 201, made


def _repo_body(state: GitHubState, full: str) -> dict[str, Any]:
    repo = state.repo(full)
    return shapes.repository(state.base, full, state.user(full.split("/")[0]),
                             repo.default_branch)


def _pull_body(state: GitHubState, full: str, pull: Pull) -> dict[str, Any]:
    body = _repo_body(state, full)
    fields = vars(pull) | {"user": state.user(pull.user)}
    if pull.head_repo:
        fields["head_repo"] = _repo_body(state, pull.head_repo) | {"fork": True}
    return shapes.pull_request(state.base, full, fields, body)


def _get_repo(state: GitHubState, login: str, query: Any, body: Any, owner: str,
              name: str) -> Any:
    if f"{owner}/{name}" not in state.repos:
        raise _Reply(404, shapes.error("Not Found", 404))
    return _repo_body(state, f"{owner}/{name}")


def _get_pull(state: GitHubState, login: str, query: Any, body: Any, owner: str, name: str,
              number: str) -> Any:
    full = f"{owner}/{name}"
    pull = state.repo(full).pulls.get(int(number))
    if pull is None:
        raise _Reply(404, shapes.error("Not Found", 404))
    return _pull_body(state, full, pull)


def _list_pulls(state: GitHubState, login: str, query: dict[str, list[str]], body: Any,
                owner: str, name: str) -> Any:
    full = f"{owner}/{name}"
    wanted = (query.get("state") or ["open"])[0]
    pulls = [p for p in state.repo(full).pulls.values() if wanted in ("all", p.state)]
    if "head" in query:
        pulls = [p for p in pulls if f"{owner}:{p.head_ref}" == query["head"][0]]
    return _page(state, f"/repos/{full}/pulls", query, [_pull_body(state, full, p)
                                                      for p in pulls])


def _create_pull(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                 name: str) -> Any:
    full = f"{owner}/{name}"
    repo = state.repo(full)
    if body["head"] not in repo.branches or body["base"] not in repo.branches:
        raise _Reply(422, shapes.error("Validation Failed", 422))
    if any(p.head_ref == body["head"] and p.state == "open" for p in repo.pulls.values()):
        raise _Reply(422, shapes.error("A pull request already exists", 422))
    number = max([0, *repo.pulls]) + 1
    repo.pulls[number] = Pull(number, body["title"], login, body["head"],
                              repo.branches[body["head"]], body["base"], body.get("body", ""))
    return 201, _pull_body(state, full, repo.pulls[number])


def _edit_pull(state: GitHubState, login: str, query: Any, body: Any, owner: str, name: str,
               number: str) -> Any:
    full = f"{owner}/{name}"
    pull = state.repo(full).pulls.get(int(number))
    if pull is None:
        raise _Reply(404, shapes.error("Not Found", 404))
    pull.title = body.get("title", pull.title)
    pull.body = body.get("body", pull.body)
    return _pull_body(state, full, pull)


def _list_reviews(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                  name: str, number: str) -> Any:
    full = f"{owner}/{name}"
    items = [shapes.review(state.base, full, int(number), r["id"],
                           r | {"user": state.user(r["login"])})
             for r in state.repo(full).reviews.get(int(number), [])]
    return _page(state, f"/repos/{full}/pulls/{number}/reviews", query, items)


def _team_membership(state: GitHubState, login: str, query: Any, body: Any, org: str,
                     slug: str, user: str) -> Any:
    members = state.teams.get((org.lower(), slug.lower()))
    if members is None or user.lower() not in {m.lower() for m in members}:
        raise _Reply(404, shapes.error("Not Found", 404))
    return shapes.team_membership(state.base, org, slug, user)


def _get_ref(state: GitHubState, login: str, query: Any, body: Any, owner: str, name: str,
             branch: str) -> Any:
    full = f"{owner}/{name}"
    sha = state.repo(full).branches.get(branch)
    if sha is None:
        raise _Reply(404, shapes.error("Not Found", 404))
    return shapes.git_ref(state.base, full, branch, sha)


def _create_ref(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                name: str) -> Any:
    full = f"{owner}/{name}"
    branch = body["ref"].removeprefix("refs/heads/")
    repo = state.repo(full)
    if branch in repo.branches:
        raise _Reply(422, shapes.error("Reference already exists", 422))
    if body["sha"] not in repo.trees:
        raise _Reply(422, shapes.error("Object does not exist", 422))
    repo.branches[branch] = body["sha"]
    return 201, shapes.git_ref(state.base, full, branch, body["sha"])


def _update_ref(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                name: str, branch: str) -> Any:
    full = f"{owner}/{name}"
    repo = state.repo(full)
    if branch not in repo.branches:
        raise _Reply(422, shapes.error("Reference does not exist", 422))
    repo.branches[branch] = body["sha"]
    for pull in repo.pulls.values():
        if pull.head_ref == branch:
            pull.head_sha = body["sha"]
    return shapes.git_ref(state.base, full, branch, body["sha"])


def _blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _get_contents(state: GitHubState, login: str, query: dict[str, list[str]], body: Any,
                  owner: str, name: str, path: str) -> Any:
    full = f"{owner}/{name}"
    repo = state.repo(full)
    ref = (query.get("ref") or [repo.default_branch])[0]
    data = repo.trees.get(repo.branches.get(ref, ref), {}).get(path)
    if data is None:
        raise _Reply(404, shapes.error("Not Found", 404))
    return {"type": "file", "encoding": "base64", "size": len(data), "name": path.rsplit("/")[-1],
            "path": path, "content": base64.b64encode(data).decode(), "sha": _blob_sha(data),
            "url": f"{state.base}/repos/{full}/contents/{path}"}


def _put_contents(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                  name: str, path: str) -> Any:
    full = f"{owner}/{name}"
    repo = state.repo(full)
    branch = body["branch"]
    head = repo.branches.get(branch)
    if head is None:
        raise _Reply(404, shapes.error("Branch not found", 404))
    current = repo.trees[head].get(path)
    if current is not None and body.get("sha") != _blob_sha(current):
        raise _Reply(409, shapes.error(f"{path} does not match {body.get('sha')}", 409))
    data = base64.b64decode(body["content"])
    sha = state.commit(full, head, {path: data})
    _update_ref(state, login, None, {"sha": sha}, owner, name, branch)
    return (201 if current is None else 200), {
        "content": {"path": path, "sha": _blob_sha(data)},
        "commit": {"sha": sha, "message": body["message"]}}


def _list_rulesets(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                   name: str) -> Any:
    rulesets = state.repo(f"{owner}/{name}").rulesets.values()
    return _page(state, f"/repos/{owner}/{name}/rulesets", query,
                 [{"id": r["id"], "name": r["name"], "target": r["target"],
                   "source_type": "Repository", "source": f"{owner}/{name}",
                   "enforcement": r["enforcement"]} for r in rulesets])


def _get_ruleset(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                 name: str, ruleset_id: str) -> Any:
    found = state.repo(f"{owner}/{name}").rulesets.get(int(ruleset_id))
    if found is None:
        raise _Reply(404, shapes.error("Not Found", 404))
    return found


def _put_ruleset(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                 name: str, ruleset_id: str | None = None) -> Any:
    repo = state.repo(f"{owner}/{name}")
    number = int(ruleset_id) if ruleset_id else state.next_id()
    if ruleset_id and number not in repo.rulesets:
        raise _Reply(404, shapes.error("Not Found", 404))
    repo.rulesets[number] = body | {"id": number, "source_type": "Repository",
                                    "source": f"{owner}/{name}"}
    return (200 if ruleset_id else 201), repo.rulesets[number]


def _get_environment(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                     name: str, env: str) -> Any:
    found = state.repo(f"{owner}/{name}").environments.get(env)
    if found is None:
        raise _Reply(404, shapes.error("Not Found", 404))
    return found


def _put_environment(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                     name: str, env: str) -> Any:
    repo = state.repo(f"{owner}/{name}")
    made = {"id": state.next_id(), "name": env,
            "url": f"{state.base}/repos/{owner}/{name}/environments/{env}",
            "protection_rules": [],
            "deployment_branch_policy": (body or {}).get("deployment_branch_policy")}
    repo.environments[env] = made
    return made


def _list_branch_policies(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                          name: str, env: str) -> Any:
    policies = state.repo(f"{owner}/{name}").branch_policies.get(env, [])
    return {"total_count": len(policies), "branch_policies": policies}


def _create_branch_policy(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                          name: str, env: str) -> Any:
    repo = state.repo(f"{owner}/{name}")
    if env not in repo.environments:
        raise _Reply(404, shapes.error("Not Found", 404))
    made = {"id": state.next_id(), "name": body["name"], "type": body.get("type", "branch")}
    repo.branch_policies.setdefault(env, []).append(made)
    return made


_R = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
ROUTES: list[Route] = [
    (method, re.compile(pattern), needs, handler) for method, pattern, needs, handler in [
        ("GET", "/user", "", _user),
        ("GET", _R + r"/issues/(?P<number>\d+)/comments", "", _list_comments),
        ("POST", _R + r"/issues/(?P<number>\d+)/comments", "pull-requests", _create_comment),
        ("PATCH", _R + r"/issues/comments/(?P<comment_id>\d+)", "pull-requests", _edit_comment),
        ("DELETE", _R + r"/issues/comments/(?P<comment_id>\d+)", "pull-requests",
         _delete_comment),
        ("GET", _R + r"/commits/(?P<sha>[0-9a-f]+)/statuses", "", _list_statuses),
        ("POST", _R + r"/statuses/(?P<sha>[0-9a-f]+)", "statuses", _create_status),
        ("POST", _R + r"/check-runs", "checks", _create_check_run),
        ("GET", _R, "", _get_repo),
        ("GET", _R + r"/pulls", "", _list_pulls),
        ("POST", _R + r"/pulls", "pull-requests", _create_pull),
        ("GET", _R + r"/pulls/(?P<number>\d+)", "", _get_pull),
        ("PATCH", _R + r"/pulls/(?P<number>\d+)", "pull-requests", _edit_pull),
        ("GET", _R + r"/pulls/(?P<number>\d+)/reviews", "", _list_reviews),
        ("GET", r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)/memberships/(?P<user>[^/]+)",
         "members", _team_membership),
        ("GET", _R + r"/git/ref/heads/(?P<branch>.+)", "", _get_ref),
        ("POST", _R + r"/git/refs", "contents", _create_ref),
        ("PATCH", _R + r"/git/refs/heads/(?P<branch>.+)", "contents", _update_ref),
        ("GET", _R + r"/contents/(?P<path>.+)", "", _get_contents),
        ("PUT", _R + r"/contents/(?P<path>.+)", "contents", _put_contents),
        ("GET", _R + r"/rulesets", "administration", _list_rulesets),
        ("POST", _R + r"/rulesets", "administration", _put_ruleset),
        ("GET", _R + r"/rulesets/(?P<ruleset_id>\d+)", "administration", _get_ruleset),
        ("PUT", _R + r"/rulesets/(?P<ruleset_id>\d+)", "administration", _put_ruleset),
        ("GET", _R + r"/environments/(?P<env>[^/]+)", "", _get_environment),
        ("PUT", _R + r"/environments/(?P<env>[^/]+)", "administration", _put_environment),
        ("GET", _R + r"/environments/(?P<env>[^/]+)/deployment-branch-policies", "",
         _list_branch_policies),
        ("POST", _R + r"/environments/(?P<env>[^/]+)/deployment-branch-policies",
         "administration", _create_branch_policy),
    ]
]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: GitHubState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def serve() -> Iterator[GitHubState]:
    """Start the server; yields its state, whose ``base`` is the API URL."""
    state = GitHubState()
    server = _Server(state)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
