"""Where the bot works: repository, pull request, head and base, token, API, its login.

Defaults come from what GitHub Actions provides (``GITHUB_REPOSITORY``, the event payload
at ``GITHUB_EVENT_PATH``, ``GITHUB_API_URL``, ``GITHUB_TOKEN``), so a workflow step needs
no options; every default can be given explicitly.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_spec.bot.client import DEFAULT_API, Client, need
from mlops_spec.bot.errors import BotError

ACTIONS_LOGIN = "github-actions[bot]"
"""Who GITHUB_TOKEN acts as; installation tokens cannot ask ``GET /user``."""
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Pull:
    repo: str
    number: int
    head_sha: str
    base_ref: str
    author: str
    fork: bool


def _jenkins_change() -> re.Match[str] | None:
    """Jenkins (GitHub Branch Source) sets CHANGE_URL=https://HOST/OWNER/NAME/pull/N."""
    return re.fullmatch(r"(https?://[^/]+)/([^/]+/[^/]+)/pull/(\d+)/?",
                        os.environ.get("CHANGE_URL", ""))


def repository(given: str | None) -> str:
    change = _jenkins_change()
    repo = given or os.environ.get("GITHUB_REPOSITORY", "") or (change[2] if change else "")
    if not _REPO.fullmatch(repo):
        raise BotError.of("B002", f"no repository to work on ({repo!r} is not OWNER/NAME)"
                          if repo else "no repository to work on",
                          "pass --repo OWNER/NAME (GitHub Actions sets GITHUB_REPOSITORY)")
    return repo


def event() -> dict[str, Any]:
    """The workflow's event payload, or {} outside GitHub Actions."""
    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BotError.of("B002", f"cannot read the event payload {path}: {exc}",
                          "run inside GitHub Actions or pass --repo and --pr") from None
    return data if isinstance(data, dict) else {}


def pr_number(given: int | None, payload: dict[str, Any]) -> int:
    if given is not None:
        return given
    number = (payload.get("pull_request") or {}).get("number")
    if isinstance(number, int):
        return number
    if os.environ.get("CHANGE_ID", "").isdigit():  # Jenkins multibranch pull requests
        return int(os.environ["CHANGE_ID"])
    raise BotError.of("B002", "no pull request to work on",
                      "pass --pr N (on pull_request and pull_request_review events GitHub "
                      "Actions provides it)")


def api_url() -> str:
    change = _jenkins_change()
    url = os.environ.get("GITHUB_API_URL") or (
        f"{change[1]}/api/v3" if change and change[1] != "https://github.com" else DEFAULT_API)
    if not re.match(r"https?://[^/\s]+", url):
        raise BotError.of("B002", f"GITHUB_API_URL={url!r} is not an http(s) URL",
                          "https://api.github.com, or https://HOST/api/v3 on GitHub "
                          "Enterprise Server")
    return url


def token() -> str:
    value = os.environ.get("GITHUB_TOKEN", "")
    if not value.strip():
        raise BotError.of("B001", "GITHUB_TOKEN is not set",
                          "give the step `env: GITHUB_TOKEN: ${{ github.token }}`")
    return value.strip()


def connect() -> Client:
    return Client(api_url(), token())


def bot_login(client: Client, secret: str) -> str:
    """Whose comments are the bot's: MLOPS_SPEC_BOT_LOGIN, else github-actions[bot] for an
    installation token (``ghs_``: GITHUB_TOKEN), else the token's user (``GET /user``)."""
    explicit = os.environ.get("MLOPS_SPEC_BOT_LOGIN", "").strip()
    if explicit:
        return explicit
    if secret.startswith("ghs_"):
        return ACTIONS_LOGIN
    user = client.json("GET", client.url("user"), 200, what="find whose token this is",
                       permission="a token that may read its own user")
    return str(need(user, "login"))


def pull(client: Client, repo: str, number: int, payload: dict[str, Any]) -> Pull:
    """The pull request, from the event payload when it is this one, else one GET."""
    body = payload.get("pull_request")
    if not (isinstance(body, dict) and body.get("number") == number):
        body = client.json("GET", client.url("repos", *repo.split("/"), "pulls", number), 200,
                           what=f"read pull request #{number}",
                           permission="pull-requests: read")
    head_repo = (need(body, "head").get("repo") or {}).get("full_name")
    return Pull(repo=repo, number=number, head_sha=str(need(body, "head", "sha")),
                base_ref=str(need(body, "base", "ref")), author=str(need(body, "user", "login")),
                fork=bool(head_repo) and str(head_repo).lower() != repo.lower())


def run_url() -> str | None:
    server, repo, run = (os.environ.get(k) for k in
                         ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None
