"""``mlops-spec approvals``: the pull request's reviews as the JSON the gate reads
(contract 3, docs/governance.md): author, head SHA, every review oldest first with the
teams (named by the base spec's owners) its reviewer belongs to.

Facts only: which reviews count is the gate's decision. Team membership needs the
organization permission ``members: read``, which GITHUB_TOKEN never has: without it a
team is reported unresolved (a warning on stderr) and its members' reviews carry no team.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from github3.pulls import PullReview

from mlops_spec import git
from mlops_spec.bot import context
from mlops_spec.bot.client import Client, calling
from mlops_spec.bot.errors import BotError
from mlops_spec.diagnostics import UserError

STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"})


@dataclass(frozen=True)
class Options:
    repo: str | None
    pr: int | None
    spec: Path | None
    base: str | None


def run(options: Options) -> int:
    payload = context.event()
    repo = context.repository(options.repo)
    number = context.pr_number(options.pr, payload)
    teams = _teams(options, payload)
    client = context.connect()
    pull = context.pull(client, repo, number, {})  # fresh: the head may have moved
    document = collect(client, pull, teams)
    import json

    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    return 0


def _teams(options: Options, payload: dict[str, Any]) -> list[str]:
    if options.spec is None:
        return []
    base = options.base or ((payload.get("pull_request") or {}).get("base") or {}).get("sha")
    if not base:
        raise BotError.of("B002", "no base to read the spec's owners from",
                          "pass --base REF (the pull request's base commit)")
    text = git.show(str(base), options.spec)
    if text is None:  # a spec new in the pull request: its own teams (facts, not policy)
        try:
            text = options.spec.read_text(encoding="utf-8")
        except OSError:
            return []
    return team_handles(text, str(options.spec))


def team_handles(text: str, file: str) -> list[str]:
    """``org/team`` for every ``@org/team`` handle under ``owners`` (lower-cased, unique)."""
    from mlops_spec.spec.loader import load_text

    try:
        data = load_text(file, text).data
    except UserError:
        return []  # an unreadable base spec names no teams; the gate reports the spec
    owners = data.get("owners") if isinstance(data, dict) else None
    if not isinstance(owners, dict):
        return []
    found: dict[str, None] = {}
    for handles in owners.values():
        for handle in handles if isinstance(handles, list) else []:
            if isinstance(handle, str) and "/" in handle:
                found[handle.removeprefix("@").lower()] = None
    return list(found)


def collect(client: Client, pull: context.Pull, teams: list[str]) -> dict[str, Any]:
    owner, name = pull.repo.split("/")
    what = f"read the reviews of pull request #{pull.number}"
    rows = client.pages(client.url("repos", owner, name, "pulls", pull.number, "reviews"),
                        dict, what=what, permission="pull-requests: read")
    with calling(what, "pull-requests: read", client.api_url):
        # A deleted account's review has no user: it can neither approve nor block.
        reviews = [PullReview(row, client.gh) for row in rows
                   if isinstance(row.get("user"), dict)]
    standing = [r for r in reviews if r.state in STATES]
    # A COMMENTED review never approves nor blocks: only other reviewers' teams matter.
    reviewers = list(dict.fromkeys(r.user.login for r in standing if r.state != "COMMENTED"))
    member_of = _memberships(client, teams, reviewers)
    return {"author": pull.author, "head_sha": pull.head_sha,
            "reviews": [{"login": r.user.login, "state": r.state,
                         "commit_id": r.commit_id or "",
                         "teams": member_of.get(r.user.login, [])} for r in standing]}


def _memberships(client: Client, teams: list[str], logins: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {login: [] for login in logins}
    for team in teams:
        org, slug = team.split("/", 1)
        for login in logins:
            try:
                membership = client.get_or_none(
                    client.url("orgs", org, "teams", slug, "memberships", login),
                    what=f"read the membership of {login} in @{team}",
                    permission="members: read (organization)")
            except BotError as exc:
                if exc.diagnostics[0].code != "B004":
                    raise
                print(f"mlops-spec approvals: warning[B012]: cannot read the members of "
                      f"@{team}: its members' approvals do not count as the team's. "
                      "GITHUB_TOKEN cannot read organization teams: use a token with the "
                      "organization permission `members: read`", file=sys.stderr)
                break
            if isinstance(membership, dict) and membership.get("state") == "active":
                found[login].append(team)
    return found
