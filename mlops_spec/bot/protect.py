"""``mlops-spec protect``: make the gate binding. A pull request can edit its own copy of the
workflow, and GitHub creates a missing environment unprotected, so an admin applies once:

- a repository ruleset on the main branch requiring each spec's governance status
  (``mlops-spec/<name>: <branch>``), a pull request with code-owner review (the generated
  CODEOWNERS assigns the spec and the generated files to their roles), no force-push and
  no deletion;
- every environment of every spec, deployable only from the main branch;
- in push delivery from GitHub Actions, each environment's ``approvers`` as the
  environment's required reviewers (the role holders: users by ``GET /users/{login}``,
  teams by ``GET /orgs/{org}/teams/{slug}``), so the deploy job waits for one of them.

``--classic`` writes classic branch protection instead of the ruleset (GHES before 3.11).

Idempotent: it reads what exists and writes only what differs; ``--dry-run`` prints the
writes instead of making them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mlops_spec.bot.client import Client, need
from mlops_spec.bot.errors import BotError
from mlops_spec.bot.statuses import context as status_context

RULESET_NAME = "mlops-spec governance"
ADMIN = "administration: write (a repository admin's token)"
MEMBERS = "members: read (to resolve a team)"
MAX_REVIEWERS = 6
"""GitHub's limit of required reviewers per environment."""


@dataclass(frozen=True)
class Holder:
    """A role holder who must approve deployments to an environment."""

    handle: str
    """``@login`` or ``@org/team``, as in the spec's owners."""
    role: str
    environment: str


@dataclass(frozen=True)
class Write:
    method: str
    url: str
    body: dict[str, Any]

    def show(self, api_url: str) -> str:
        return f"{self.method} {self.url.removeprefix(api_url)} {json.dumps(self.body)}"


def ruleset(spec_names: list[str], branch: str) -> dict[str, Any]:
    contexts = sorted({status_context(name, branch) for name in spec_names})
    return {
        "name": RULESET_NAME, "target": "branch", "enforcement": "active",
        "conditions": {"ref_name": {"include": [f"refs/heads/{branch}"], "exclude": []}},
        "bypass_actors": [],
        "rules": [
            {"type": "deletion"},
            {"type": "non_fast_forward"},
            {"type": "pull_request", "parameters": {
                "required_approving_review_count": 1, "dismiss_stale_reviews_on_push": True,
                "require_code_owner_review": True, "require_last_push_approval": False,
                "required_review_thread_resolution": False}},
            {"type": "required_status_checks", "parameters": {
                "strict_required_status_checks_policy": False,
                "required_status_checks": [{"context": c} for c in contexts]}},
        ],
    }


def branch_protection(spec_names: list[str], branch: str) -> dict[str, Any]:
    """The same as ``ruleset`` as classic branch protection (GHES before 3.11)."""
    return {
        "required_status_checks": {"strict": False, "contexts": sorted(
            {status_context(name, branch) for name in spec_names})},
        "enforce_admins": True,
        "required_pull_request_reviews": {"dismiss_stale_reviews": True,
                                          "require_code_owner_reviews": True,
                                          "required_approving_review_count": 1},
        "restrictions": None, "allow_force_pushes": False, "allow_deletions": False,
    }


def _protection_as_set(current: dict[str, Any]) -> dict[str, Any]:
    """GET .../protection answers another shape than PUT takes: bring it to PUT's."""
    checks = current.get("required_status_checks") or {}
    reviews = current.get("required_pull_request_reviews") or {}
    return {
        "required_status_checks": {"strict": bool(checks.get("strict")),
                                   "contexts": sorted(checks.get("contexts") or [])},
        "enforce_admins": bool((current.get("enforce_admins") or {}).get("enabled")),
        "required_pull_request_reviews": {
            key: reviews.get(key) for key in ("dismiss_stale_reviews",
                                              "require_code_owner_reviews",
                                              "required_approving_review_count")},
        "restrictions": current.get("restrictions"),
        "allow_force_pushes": bool((current.get("allow_force_pushes") or {}).get("enabled")),
        "allow_deletions": bool((current.get("allow_deletions") or {}).get("enabled")),
    }


def _reviewer(client: Client | None, api_url: str, holder: Holder) -> dict[str, Any]:
    """``{type, id}`` of a role holder (offline: the handle in place of the id)."""
    login, _, slug = holder.handle.removeprefix("@").partition("/")
    kind = "Team" if slug else "User"
    if client is None:
        return {"type": kind, "id": f"<id of {holder.handle}>"}
    base = api_url.rstrip("/")
    found = (client.get_or_none(f"{base}/orgs/{login}/teams/{slug}", permission=MEMBERS,
                                what=f"read team {holder.handle}") if slug else
             client.get_or_none(f"{base}/users/{login}", permission="metadata: read",
                                what=f"read user {holder.handle}"))
    if found is None or (kind == "User" and found.get("type", "User") != "User"):
        what = "is not a GitHub user" if found is not None else "does not exist"
        raise BotError.of("B270", f"{holder.handle} ({holder.role}, an approver of "
                          f"environment {holder.environment}) {what} on GitHub",
                          hint="fix owners in the spec: @login for a user, @org/team-slug "
                               "for a team (teams need a token that may read the "
                               "organisation's members)")
    return {"type": kind, "id": need(found, "id")}


def _reviewers(client: Client | None, api_url: str, env: str,
               holders: list[Holder]) -> list[dict[str, Any]]:
    reviewers = [_reviewer(client, api_url, h) for h in holders]
    unique = list({(r["type"], str(r["id"])): r for r in reviewers}.values())
    if len(unique) > MAX_REVIEWERS:
        raise BotError.of("B271", f"environment {env} would need {len(unique)} required "
                          f"reviewers; GitHub allows at most {MAX_REVIEWERS}",
                          hint="name a team for the role instead of its members, or fewer "
                               "approver roles for the environment")
    return unique


def _current_reviewers(found: dict[str, Any] | None) -> set[tuple[str, str]]:
    rules = (found or {}).get("protection_rules") or []
    return {(str(r.get("type")), str((r.get("reviewer") or {}).get("id")))
            for rule in rules if isinstance(rule, dict)
            and rule.get("type") == "required_reviewers"
            for r in rule.get("reviewers") or [] if isinstance(r, dict)}


def plan(client: Client | None, api_url: str, repo: str, spec_names: list[str],
         environments: list[str], branch: str, *, classic: bool = False,
         approvers: dict[str, list[Holder]] | None = None) -> list[Write]:
    """The writes that make the repository match; with no client, as if nothing existed.
    ``approvers``: per environment, the holders who must approve its deployments."""
    owner, name = repo.split("/")

    def url(*parts: str | int) -> str:
        return "/".join([api_url.rstrip("/"), "repos", owner, name, *map(str, parts)])

    writes: list[Write] = []
    if classic:
        wanted = branch_protection(spec_names, branch)
        target = url("branches", branch, "protection")
        current = client.get_or_none(target, what=f"read the protection of {branch}",
                                     permission=ADMIN) if client else None
        if current is None or _protection_as_set(current) != wanted:
            writes.append(Write("PUT", target, wanted))
    else:
        wanted = ruleset(spec_names, branch)
        existing = _find_ruleset(client, url("rulesets")) if client else None
        if existing is None:
            writes.append(Write("POST", url("rulesets"), wanted))
        else:
            rules_url = url("rulesets", need(existing, "id"))
            current = client.json("GET", rules_url, 200,  # type: ignore[union-attr]
                                  what="read the governance ruleset", permission=ADMIN)
            if any(_normal(current.get(key)) != _normal(value)
                   for key, value in wanted.items()):
                writes.append(Write("PUT", rules_url, wanted))
    policy = {"protected_branches": False, "custom_branch_policies": True}
    for env in environments:
        found = client.get_or_none(url("environments", env), what=f"read environment {env}",
                                   permission=ADMIN) if client else None
        holders = (approvers or {}).get(env)
        wanted_env: dict[str, Any] = {"deployment_branch_policy": policy}
        stale = found is None or found.get("deployment_branch_policy") != policy
        if holders:
            reviewers = _reviewers(client, api_url, env, holders)
            wanted_env["reviewers"] = reviewers
            stale = stale or _current_reviewers(found) != {
                (r["type"], str(r["id"])) for r in reviewers}
        if stale:
            writes.append(Write("PUT", url("environments", env), wanted_env))
        policies = (client.json("GET", url("environments", env, "deployment-branch-policies"),
                                200, what=f"read the branch policies of {env}",
                                permission=ADMIN) if client and found is not None else {})
        names = {(p.get("name"), p.get("type", "branch"))
                 for p in policies.get("branch_policies", []) if isinstance(p, dict)}
        if (branch, "branch") not in names:
            writes.append(Write("POST", url("environments", env, "deployment-branch-policies"),
                                {"name": branch, "type": "branch"}))
    return writes


def apply(client: Client, writes: list[Write]) -> None:
    for write in writes:
        client.json(write.method, write.url, 201 if write.method == "POST" else 200,
                    body=write.body, what=f"{write.method} {write.url}", permission=ADMIN)


def _find_ruleset(client: Client, url: str) -> Any:
    rulesets = client.pages(url, dict, what="list the repository rulesets", permission=ADMIN)
    return next((r for r in rulesets if r.get("name") == RULESET_NAME), None)


def _normal(value: Any) -> Any:
    """Compare rulesets ignoring key order (GitHub answers with its own order)."""
    return json.loads(json.dumps(value, sort_keys=True)) if value is not None else None
