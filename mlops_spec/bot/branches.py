"""Branches, files and pull requests through the contents and refs API: how the bot commits
to a branch of its own without a checkout (used by ``retrain-pr`` and ``promotion-pr``)."""

from __future__ import annotations

import base64
from typing import Any

from mlops_spec.bot.client import Client, need
from mlops_spec.bot.errors import BotError, Uncertain


def default_branch(client: Client, repo: str) -> str:
    data = client.json("GET", client.url("repos", *repo.split("/")), 200,
                       what=f"read {repo}", permission="contents: read")
    return str(need(data, "default_branch"))


def branch_sha(client: Client, repo: str, branch: str) -> str | None:
    data = client.get_or_none(client.url("repos", *repo.split("/"), "git", "ref", "heads",
                                         branch),
                              what=f"read the branch {branch}", permission="contents: read")
    return None if data is None else str(need(data, "object", "sha"))


def file_on(client: Client, repo: str, path: str, ref: str) -> tuple[bytes, str] | None:
    data = client.get_or_none(client.url("repos", *repo.split("/"), "contents", path),
                              params={"ref": ref}, what=f"read {path} on {ref}",
                              permission="contents: read")
    if data is None:
        return None
    try:
        content = base64.b64decode(str(need(data, "content")), validate=False)
    except ValueError:
        raise BotError.of("B006", f"GitHub's answer for {path} on {ref} is not base64 "
                                  "content: refused") from None
    return content, str(need(data, "sha"))


def open_pull_from(client: Client, repo: str, prefix: str, base: str) -> Any:
    """The open pull request into ``base`` whose branch (in this repository) starts with
    ``prefix``, or None: how the bot updates its pull request instead of opening another."""
    owner, name = repo.split("/")
    pulls = client.pages(client.url("repos", owner, name, "pulls"), dict,
                         params={"state": "open", "base": base, "per_page": 100},
                         what="list the open pull requests", permission="pull-requests: read")
    mine = [p for p in pulls if str(need(p, "head", "ref")).startswith(prefix)
            and (need(p, "head").get("repo") or {}).get("full_name", repo) == repo]
    return mine[0] if mine else None


def reset_branch(client: Client, repo: str, branch: str, sha: str) -> None:
    owner, name = repo.split("/")
    if branch_sha(client, repo, branch) is None:
        try:
            client.json("POST", client.url("repos", owner, name, "git", "refs"), 201,
                        body={"ref": f"refs/heads/{branch}", "sha": sha},
                        what=f"create the branch {branch}", permission="contents: write")
        except Uncertain:
            if branch_sha(client, repo, branch) != sha:
                raise
    else:
        client.json("PATCH", client.url("repos", owner, name, "git", "refs", "heads", branch),
                    200, body={"sha": sha, "force": True},
                    what=f"reset the branch {branch}", permission="contents: write")


def commit_file(client: Client, repo: str, branch: str, path: str, data: bytes,
                 blob_sha: str | None, message: str) -> None:
    body: dict[str, Any] = {"message": message, "branch": branch,
                            "content": base64.b64encode(data).decode("ascii")}
    if blob_sha:
        body["sha"] = blob_sha
    url = client.url("repos", *repo.split("/"), "contents", path)
    client.json("PUT", url, 201 if blob_sha is None else 200, body=body,
                what=f"commit {path} on {branch}", permission="contents: write")


def delete_file(client: Client, repo: str, branch: str, path: str, blob_sha: str,
                message: str) -> None:
    url = client.url("repos", *repo.split("/"), "contents", path)
    client.json("DELETE", url, 200, body={"message": message, "sha": blob_sha,
                                          "branch": branch},
                what=f"remove {path} on {branch}", permission="contents: write")
