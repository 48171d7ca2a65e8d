"""``mlops-spec protect``: make the gate binding. A pull request can edit its own copy of the
workflow, and GitHub creates a missing environment unprotected, so an admin applies once:

- a repository ruleset on the main branch requiring each spec's governance status
  (``mlops-spec/<name>: <branch>``), a pull request with code-owner review (the generated
  CODEOWNERS assigns the spec and the generated files to their roles), no force-push and
  no deletion;
- every environment of every spec, deployable only from the main branch.

``--classic`` writes classic branch protection instead of the ruleset (GHES before 3.11).

Idempotent: it reads what exists and writes only what differs; ``--dry-run`` prints the
writes instead of making them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mlops_spec.bot.client import Client, need
from mlops_spec.bot.statuses import context as status_context

RULESET_NAME = "mlops-spec governance"
ADMIN = "administration: write (a repository admin's token)"


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


def plan(client: Client | None, api_url: str, repo: str, spec_names: list[str],
         environments: list[str], branch: str, *, classic: bool = False) -> list[Write]:
    """The writes that make the repository match; with no client, as if nothing existed."""
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
        if found is None or found.get("deployment_branch_policy") != policy:
            writes.append(Write("PUT", url("environments", env),
                                {"deployment_branch_policy": policy}))
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
