"""HTTP to GitHub through github3.py: a timeout on every call, retries with backoff,
rate limits honoured, capped answers, and errors that name the permission to grant.

Retries: connection errors, timeouts and 5xx are retried for reads and for writes that are
safe to repeat (PUT, PATCH, DELETE, a commit status, a GraphQL request: the bot's one
mutation, enabling auto-merge, is idempotent). Any other POST that may have landed raises
``Uncertain``: the caller looks for what it tried to create before trying again.
A 403/429 rate limit (primary or secondary) waits for ``Retry-After`` or
``x-ratelimit-reset`` (at most ``MAX_WAIT`` seconds) and then repeats the call, which
GitHub did not perform.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import github3
import requests
from github3 import exceptions as gh_errors
from github3.session import GitHubSession

from mlops_spec.bot.errors import BotError, Uncertain

sleep: Callable[[float], None] = time.sleep
"""How the client waits between attempts (tests replace it to stay fast)."""
MAX_WAIT = 60.0
"""The longest single wait honoured; a rate limit asking for more fails with B007."""
RETRIES = 4
MAX_BYTES = 32 * 1024 * 1024
"""A larger answer is refused (B006): no page the bot reads comes near it."""
MAX_PAGES = 100
DEFAULT_TIMEOUT = 20.0
DEFAULT_API = "https://api.github.com"

_REPEATABLE = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
_REPEATABLE_POST = re.compile(r"/statuses/[0-9a-fA-F]+$|/graphql$")
T = TypeVar("T")


def timeout_seconds() -> float:
    raw = os.environ.get("MLOPS_SPEC_GITHUB_TIMEOUT", "")
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        raise BotError.of("B001", f"MLOPS_SPEC_GITHUB_TIMEOUT={raw!r} is not a number of "
                                  "seconds", "unset it or give seconds, e.g. 20") from None


class _Session(GitHubSession):  # type: ignore[misc]
    def __init__(self, timeout: float) -> None:
        super().__init__(default_connect_timeout=min(5.0, timeout),
                         default_read_timeout=timeout)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        method = method.upper()
        repeatable = method in _REPEATABLE or bool(_REPEATABLE_POST.search(url.split("?")[0]))
        kwargs["stream"] = True
        for attempt in range(RETRIES + 1):
            last = attempt == RETRIES
            try:
                response = super().request(method, url, *args, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if not repeatable and not isinstance(exc, requests.ConnectTimeout):
                    raise Uncertain(f"{method} {_path(url)}: {type(exc).__name__}") from None
                if last:
                    raise
                sleep(_backoff(attempt))
                continue
            if response.status_code in (403, 429):
                _read(response)
                wait = _rate_limit_wait(response)
                if wait is not None and not last and wait <= MAX_WAIT:
                    sleep(wait)
                    continue
                return response
            if response.status_code >= 500 and not (repeatable and last):
                response.close()
                if not repeatable:
                    raise Uncertain(f"{method} {_path(url)}: HTTP {response.status_code}")
                sleep(_backoff(attempt))
                continue
            _read(response)
            return response
        raise AssertionError("unreachable")


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _backoff(attempt: int) -> float:
    return float(min(MAX_WAIT, 0.5 * 2 ** attempt))


def _read(response: Any) -> None:
    """Read the body, refusing one larger than MAX_BYTES (never parse half an answer)."""
    if response._content_consumed:
        return
    try:
        data = response.raw.read(MAX_BYTES + 1, decode_content=True)
    except Exception as exc:  # urllib3 read errors mid-body
        raise gh_errors.ConnectionError(exc) from None
    response.close()
    if len(data) > MAX_BYTES:
        raise BotError.of("B006", f"GitHub's answer to {_path(response.url)} is larger than "
                                  f"{MAX_BYTES} bytes: refused",
                          "check GITHUB_API_URL points at the GitHub API")
    response._content = data
    response._content_consumed = True


def _rate_limit_wait(response: Any) -> float | None:
    headers = response.headers
    retry_after = headers.get("Retry-After")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            return MAX_WAIT
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
        try:
            return max(0.0, float(headers["x-ratelimit-reset"]) - time.time()) + 1.0
        except ValueError:
            return MAX_WAIT
    if b"secondary rate limit" in (response.content or b"").lower():
        return MAX_WAIT  # GitHub: wait at least a minute when no header says how long
    return None


class Client:
    """A logged-in github3 session plus the few verbs the bot needs, all error-mapped."""

    def __init__(self, api_url: str, token: str) -> None:
        session = _Session(timeout_seconds())
        session.base_url = api_url.rstrip("/")
        self.api_url = session.base_url
        self.gh = github3.GitHub(session=session)
        self.gh.login(token=token)

    def url(self, *parts: str | int) -> str:
        return str(self.gh._build_url(*[str(p) for p in parts]))

    def json(self, method: str, url: str, expected: int, *, what: str, permission: str,
             body: Any = None, params: dict[str, Any] | None = None) -> Any:
        with calling(what, permission, self.api_url):
            if method == "GET":
                response = self.gh._get(url, params=params)
            elif method == "POST":
                response = self.gh._post(url, data=body)
            elif method == "DELETE":
                response = (self.gh._delete(url) if body is None
                            else self.gh._delete(url, json=body))
                if response.status_code == 204:
                    return None
            else:
                response = getattr(self.gh, f"_{method.lower()}")(url, json=body)
            if response.status_code == 404 and method == "GET" and expected == -404:
                return None
            return self.gh._json(response, abs(expected) if expected != -404 else 200,
                                 include_cache_info=False)

    def graphql(self, query: str, variables: dict[str, Any], *, what: str,
                permission: str) -> Any:
        """The ``data`` of a GraphQL request (same session: timeouts, retries, rate limits,
        capped answers, error mapping); ``GraphQLErrors`` when GitHub lists errors."""
        with calling(what, permission, self.api_url):
            response = self.gh._post(graphql_url(self.api_url),
                                     data={"query": query, "variables": variables})
            payload = self.gh._json(response, 200, include_cache_info=False)
        if not isinstance(payload, dict):
            raise BotError.of("B006", f"GitHub's GraphQL answer when trying to {what} is not "
                                      "an object: refused",
                              "check GITHUB_API_URL points at the GitHub API")
        errors = payload.get("errors")
        if errors:
            listed = errors if isinstance(errors, list) else [errors]
            raise GraphQLErrors([(str(e.get("type") or ""), str(e.get("message") or e))
                                 if isinstance(e, dict) else ("", str(e)) for e in listed])
        return need(payload, "data")

    def get_or_none(self, url: str, *, what: str, permission: str,
                    params: dict[str, Any] | None = None) -> Any:
        """GET that answers None for 404 (absent), every other failure still an error."""
        return self.json("GET", url, -404, what=what, permission=permission, params=params)

    def pages(self, url: str, cls: type[T], *, what: str, permission: str,
              params: dict[str, Any] | None = None, limit: int = -1) -> list[T]:
        """Every item across ``Link: rel=next`` pages (or the first ``limit`` items)."""
        with calling(what, permission, self.api_url):
            iterator = self.gh._iter(limit, url, cls, params=dict(params or {}))
            items: list[T] = []
            for item in iterator:
                items.append(item)
                if len(items) > MAX_PAGES * 100:
                    raise BotError.of("B006", f"more than {MAX_PAGES * 100} items when "
                                              f"trying to {what}: refused")
            return items


@contextmanager
def calling(what: str, permission: str, api_url: str) -> Iterator[None]:
    """Turn github3/requests failures into BotError naming what failed and what to grant."""
    try:
        yield
    except (BotError, Uncertain):
        raise
    except gh_errors.AuthenticationFailed:
        raise BotError.of("B003", f"GitHub rejected the token (401 Bad credentials) when "
                                  f"trying to {what}",
                          "pass a valid token in GITHUB_TOKEN (in a workflow: "
                          "`GITHUB_TOKEN: ${{ github.token }}`) whose job grants "
                          f"`permissions: {permission}`") from None
    except (gh_errors.ForbiddenError, gh_errors.NotFoundError) as exc:
        message = str(getattr(exc, "msg", "") or "")
        if "rate limit" in message.lower():
            raise BotError.of("B007", f"GitHub's rate limit stopped the bot when trying to "
                                      f"{what}: {message}",
                              f"retry later; the bot waits at most {MAX_WAIT:.0f}s per "
                              "call") from None
        raise BotError.of("B004", f"GitHub denied access ({exc.code} {message}) when trying "
                                  f"to {what}",
                          f"the workflow job must grant `permissions: {permission}` (and "
                          "the repository and pull request must exist)") from None
    except (gh_errors.UnexpectedResponse, gh_errors.UnprocessableResponseBody, KeyError,
            TypeError, ValueError, AttributeError) as exc:
        raise BotError.of("B006", f"GitHub's answer when trying to {what} is not what the "
                                  f"API documents ({type(exc).__name__}): refused, no verdict "
                                  "was published from it",
                          "check GITHUB_API_URL points at the GitHub REST API "
                          "(https://HOST/api/v3 on GitHub Enterprise Server)") from None
    except gh_errors.GitHubError as exc:
        message = str(getattr(exc, "msg", "") or "")
        raise BotError.of("B008", f"GitHub answered {getattr(exc, 'code', '?')} when trying "
                                  f"to {what}: {message}",
                          "see https://www.githubstatus.com; re-run the job") from None
    except (gh_errors.TransportError, requests.RequestException) as exc:
        raise BotError.of("B005", f"cannot reach GitHub at {api_url} to {what} (after "
                                  f"retries): {type(exc).__name__}",
                          "check GITHUB_API_URL and the network; re-run the job") from None


class GraphQLErrors(Exception):
    """GitHub answered a GraphQL request with ``errors`` (HTTP 200): each its ``type`` (when
    given) and ``message``, for the caller to name."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{kind}: {message}" if kind else message
                                   for kind, message in errors))
        self.errors = errors


def graphql_url(api_url: str) -> str:
    """GitHub's GraphQL endpoint next to a REST API URL: ``https://api.github.com/graphql``;
    on GitHub Enterprise Server ``https://HOST/api/v3`` -> ``https://HOST/api/graphql``."""
    base = api_url.rstrip("/")
    return base.removesuffix("/v3") + "/graphql" if base.endswith("/api/v3") else (
        base + "/graphql")


def need(mapping: Any, *keys: str) -> Any:
    """``mapping[k1][k2]...`` of a JSON answer, or B006 naming the missing field."""
    value = mapping
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise BotError.of("B006", f"GitHub's answer lacks `{'.'.join(keys)}`: refused, "
                                      "nothing was published from it",
                              "check that GITHUB_API_URL points at the GitHub REST API "
                              "(https://HOST/api/v3 on GitHub Enterprise Server)")
        value = value[key]
    return value
