"""A loopback stand-in for the token endpoints of OIDC federation (tests only).

One HTTP server on 127.0.0.1 answers, on separate paths:

* ``GET /actions/token`` like GitHub's ``ACTIONS_ID_TOKEN_REQUEST_URL``: a bearer request
  token and an ``audience`` query parameter in, ``{"value": <JWT>}`` out;
* ``POST /aws/`` like AWS STS ``AssumeRoleWithWebIdentity`` (the unsigned query form
  botocore sends), answering temporary credentials;
* ``POST /gcp/sts`` like Google's STS token exchange and ``POST /gcp/iam/...`` like
  ``generateAccessToken`` of the IAM credentials API.

Every request is recorded, so a test checks what the client sent, not only that it ran.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

REQUEST_TOKEN = "actions-request-token-1234"
"""What the runner puts in ACTIONS_ID_TOKEN_REQUEST_TOKEN."""


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def fake_jwt(audience: str) -> str:
    """A JWT shaped like GitHub's (unsigned: nothing here verifies signatures)."""
    claims = {"iss": "https://token.actions.githubusercontent.com", "aud": audience,
              "sub": "repo:acme/credit-risk:ref:refs/heads/main", "ref": "refs/heads/main",
              "iat": 1_700_000_000, "exp": 4_000_000_000}
    return f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.c2lnbmF0dXJl"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str


@dataclass
class CloudTokenServer:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)

    def to(self, prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith(prefix)]


_AWS_REPLY = """<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAFEDERATED0000001</AccessKeyId>
      <SecretAccessKey>federated-secret</SecretAccessKey>
      <SessionToken>federated-session-token</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
    <SubjectFromWebIdentityToken>repo:acme/credit-risk:ref:refs/heads/main</SubjectFromWebIdentityToken>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/mlops-credit-risk/ci</Arn>
      <AssumedRoleId>AROAFEDERATED:ci</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"""


def _handler(state: CloudTokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            record = Recorded(method, parts.path, parse_qs(parts.query),
                              {k.lower(): v for k, v in self.headers.items()}, body)
            state.requests.append(record)
            status, content_type, payload = self._reply(record)
            data = payload.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _reply(self, record: Recorded) -> tuple[int, str, str]:
            if record.path == "/actions/token" and record.method == "GET":
                if record.headers.get("authorization") != f"bearer {REQUEST_TOKEN}":
                    return 401, "application/json", '{"message": "bad request token"}'
                token = fake_jwt(record.query.get("audience", [""])[0])
                state.issued.append(token)
                return 200, "application/json", json.dumps({"count": 1, "value": token})
            if record.path.startswith("/aws/") and record.method == "POST":
                return 200, "text/xml", _AWS_REPLY
            if record.path == "/gcp/sts" and record.method == "POST":
                return 200, "application/json", json.dumps({
                    "access_token": "federated-access-token", "issued_token_type":
                    "urn:ietf:params:oauth:token-type:access_token",
                    "token_type": "Bearer", "expires_in": 3600})
            if record.path.startswith("/gcp/iam/") and record.method == "POST":
                return 200, "application/json", json.dumps({
                    "accessToken": "impersonated-access-token",
                    "expireTime": "2099-01-01T00:00:00Z"})
            return 404, "application/json", '{"message": "not found"}'

    return Handler


@contextmanager
def serve() -> Iterator[CloudTokenServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = CloudTokenServer(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
