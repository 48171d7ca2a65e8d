"""The loopback GitHub's routes: one handler per REST operation the bot uses, with the
checks GitHub makes (ownership of comments, 140-character descriptions, 65,536-character
bodies, at most 50 annotations, existing refs, blob SHAs on content updates)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any

import github_shapes as shapes
from github_state import GitHubState, Pull, _page, _Reply

Route = tuple[str, re.Pattern[str], str, Callable[..., Any]]

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


def _get_user(state: GitHubState, login: str, query: Any, body: Any, user: str) -> Any:
    """GET /users/{username}: 404 for a login nobody has (``state.users`` only)."""
    known = next((u for u in state.users if u.lower() == user.lower()), None)
    if known is None:
        raise _Reply(404, shapes.error("Not Found", 404))
    return state.user(known) | {"type": "User"}


def _team_id(state: GitHubState, org: str, slug: str) -> int | None:
    key = (org.lower(), slug.lower())
    if key not in state.teams:
        return None
    return state.team_ids.setdefault(key, state.next_id())


def _get_team(state: GitHubState, login: str, query: Any, body: Any, org: str,
              slug: str) -> Any:
    """GET /orgs/{org}/teams/{team_slug} (components/schemas/team-full, the fields read)."""
    team_id = _team_id(state, org, slug)
    if team_id is None:
        raise _Reply(404, shapes.error("Not Found", 404))
    return {"id": team_id, "slug": slug.lower(), "name": slug, "privacy": "closed",
            "url": f"{state.base}/orgs/{org}/teams/{slug}",
            "organization": {"login": org}}


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


def _delete_contents(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                     name: str, path: str) -> Any:
    full = f"{owner}/{name}"
    repo = state.repo(full)
    head = repo.branches.get(body["branch"])
    if head is None:
        raise _Reply(404, shapes.error("Branch not found", 404))
    current = repo.trees[head].get(path)
    if current is None:
        raise _Reply(404, shapes.error("Not Found", 404))
    if body.get("sha") != _blob_sha(current):
        raise _Reply(409, shapes.error(f"{path} does not match {body.get('sha')}", 409))
    sha = state.commit(full, head, {}, removed={path})
    _update_ref(state, login, None, {"sha": sha}, owner, name, body["branch"])
    return 200, {"content": None, "commit": {"sha": sha, "message": body["message"]}}


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
    previous = repo.environments.get(env) or {}
    rules = previous.get("protection_rules") or []
    if "reviewers" in (body or {}):  # GitHub checks each reviewer and the limit of six
        reviewers = body["reviewers"] or []
        users = {uid: u for u, uid in state.users.items()}
        teams = {tid: key for key, tid in state.team_ids.items()}
        if len(reviewers) > 6 or any(
                r.get("type") not in ("User", "Team") or not isinstance(r.get("id"), int)
                or r["id"] not in (users if r["type"] == "User" else teams)
                for r in reviewers):
            raise _Reply(422, shapes.error("Validation Failed", 422))
        rules = [rule for rule in rules if rule.get("type") != "required_reviewers"]
        if reviewers:
            rules.append({"id": state.next_id(), "type": "required_reviewers",
                          "prevent_self_review": False, "reviewers": [
                              {"type": r["type"], "reviewer": (
                                  state.user(users[r["id"]]) if r["type"] == "User"
                                  else {"id": r["id"], "slug": teams[r["id"]][1]})}
                              for r in reviewers]})
    made = {"id": previous.get("id", state.next_id()), "name": env,
            "url": f"{state.base}/repos/{owner}/{name}/environments/{env}",
            "protection_rules": rules,
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


def _get_protection(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                    name: str, branch: str) -> Any:
    found = state.repo(f"{owner}/{name}").protection.get(branch)
    if found is None:
        raise _Reply(404, shapes.error("Branch not protected", 404))
    return found


def _put_protection(state: GitHubState, login: str, query: Any, body: Any, owner: str,
                    name: str, branch: str) -> Any:
    """components/schemas/protected-branch: GitHub answers flags as {"enabled": ...}."""
    url = f"{state.base}/repos/{owner}/{name}/branches/{branch}/protection"
    checks = body["required_status_checks"]
    made = {
        "url": url,
        "required_status_checks": {"url": f"{url}/required_status_checks",
                                   "strict": checks["strict"], "contexts": checks["contexts"],
                                   "checks": [{"context": c, "app_id": None}
                                              for c in checks["contexts"]]},
        "enforce_admins": {"url": f"{url}/enforce_admins", "enabled": body["enforce_admins"]},
        "required_pull_request_reviews": body["required_pull_request_reviews"]
        | {"url": f"{url}/required_pull_request_reviews"},
        "allow_force_pushes": {"enabled": body["allow_force_pushes"]},
        "allow_deletions": {"enabled": body["allow_deletions"]},
    }
    state.repo(f"{owner}/{name}").protection[branch] = made
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
        ("GET", r"/users/(?P<user>[^/]+)", "", _get_user),
        ("GET", r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)", "members", _get_team),
        ("GET", _R + r"/git/ref/heads/(?P<branch>.+)", "", _get_ref),
        ("POST", _R + r"/git/refs", "contents", _create_ref),
        ("PATCH", _R + r"/git/refs/heads/(?P<branch>.+)", "contents", _update_ref),
        ("GET", _R + r"/contents/(?P<path>.+)", "", _get_contents),
        ("PUT", _R + r"/contents/(?P<path>.+)", "contents", _put_contents),
        ("DELETE", _R + r"/contents/(?P<path>.+)", "contents", _delete_contents),
        ("GET", _R + r"/rulesets", "administration", _list_rulesets),
        ("POST", _R + r"/rulesets", "administration", _put_ruleset),
        ("GET", _R + r"/rulesets/(?P<ruleset_id>\d+)", "administration", _get_ruleset),
        ("PUT", _R + r"/rulesets/(?P<ruleset_id>\d+)", "administration", _put_ruleset),
        ("GET", _R + r"/branches/(?P<branch>.+)/protection", "administration",
         _get_protection),
        ("PUT", _R + r"/branches/(?P<branch>.+)/protection", "administration",
         _put_protection),
        ("GET", _R + r"/environments/(?P<env>[^/]+)", "", _get_environment),
        ("PUT", _R + r"/environments/(?P<env>[^/]+)", "administration", _put_environment),
        ("GET", _R + r"/environments/(?P<env>[^/]+)/deployment-branch-policies", "",
         _list_branch_policies),
        ("POST", _R + r"/environments/(?P<env>[^/]+)/deployment-branch-policies",
         "administration", _create_branch_policy),
    ]
]
