"""A loopback GitHub REST API for the bot's tests: a real ThreadingHTTPServer on
127.0.0.1:0 speaking every call the bot makes, with GitHub's body shapes (github_shapes),
``Link`` pagination, per-token permissions, a record of every request, and faults injected
per route (502 after storing, read timeouts, secondary rate limits, 401, garbage).

It serves the same routes under ``/api/v3`` too, as GitHub Enterprise Server does.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import github_shapes as shapes
from github_merges import MERGE_ROUTES
from github_routes import ROUTES
from github_state import WRITE_METHODS, Fault, GitHubState, Pull, Recorded, Repo, _Reply

__all__ = ["Fault", "GitHubState", "Pull", "Recorded", "Repo", "serve"]


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
        path = "/graphql" if path == "/api/graphql" else path  # GHES: /api/graphql
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
        for route_method, pattern, needs, handler in [*ROUTES, *MERGE_ROUTES]:
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
    if fault.kind == "graphql-error":  # GraphQL's own failures: HTTP 200 with errors
        raise _Reply(200, {"data": None, "errors": [{
            "type": "INTERNAL", "message": "Something went wrong while executing your query. "
            "Please include `0400:3E7A:1C2B` when reporting this issue."}]})
    if fault.kind == "oversized":
        raise _Reply(200, json.dumps([{"pad": "x" * 1024}] * 4096).encode())
    messages = {401: "Bad credentials", 403: "Resource not accessible by integration",
                404: "Not Found", 405: "Pull Request is not mergeable",
                409: "Head branch was modified. Review and try the merge again.",
                500: "Server Error", 502: "Server Error"}
    code = int(fault.kind)
    raise _Reply(code, shapes.error(messages[code], code))


def _as_reply(result: Any) -> tuple[int, Any, dict[str, str]]:
    if isinstance(result, tuple) and len(result) == 3:
        return result
    if isinstance(result, tuple):
        return result[0], result[1], {}
    return 200, result, {}


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
