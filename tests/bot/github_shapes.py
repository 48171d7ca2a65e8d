"""Response bodies shaped like GitHub's own (the examples of GitHub's REST API OpenAPI
description, api.github.com.json, for the operations the bot uses), with every URL pointing
at the loopback server so that clients following ``url``/``html_url`` fields stay on it.

Only the fields of those examples are written; github3.py reads them by key, so a missing
one fails the test the way a real shape change would.
"""

from __future__ import annotations

from typing import Any

STAMP = "2026-12-02T03:00:00Z"


def simple_user(base: str, login: str, user_id: int) -> dict[str, Any]:
    """components/schemas/simple-user (example: octocat)."""
    url = f"{base}/users/{login}"
    return {
        "login": login, "id": user_id, "node_id": f"MDQ6VXNlcj{user_id}",
        "avatar_url": f"{base}/avatars/{login}", "gravatar_id": "", "url": url,
        "html_url": f"{base}/{login}", "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}", "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions", "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos", "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": "Bot" if login.endswith("[bot]") else "User", "site_admin": False,
    }


def issue_comment(base: str, repo: str, number: int, comment_id: int, body: str,
                  user: dict[str, Any], created: str, updated: str) -> dict[str, Any]:
    """components/schemas/issue-comment, as the ``full`` media type returns it."""
    return {
        "id": comment_id, "node_id": f"IC_{comment_id}",
        "url": f"{base}/repos/{repo}/issues/comments/{comment_id}",
        "body": body, "body_text": body, "body_html": f"<p>{_html(body)}</p>",
        "html_url": f"{base}/{repo}/pull/{number}#issuecomment-{comment_id}",
        "user": user, "created_at": created, "updated_at": updated,
        "issue_url": f"{base}/repos/{repo}/issues/{number}",
        "author_association": "NONE" if user["type"] == "Bot" else "MEMBER",
        "performed_via_github_app": None,
        "reactions": {"url": f"{base}/repos/{repo}/issues/comments/{comment_id}/reactions",
                      "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
                      "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
    }


def status(base: str, repo: str, sha: str, status_id: int, payload: dict[str, Any],
           creator: dict[str, Any]) -> dict[str, Any]:
    """components/schemas/status."""
    return {
        "url": f"{base}/repos/{repo}/statuses/{sha}", "avatar_url": creator["avatar_url"],
        "id": status_id, "node_id": f"SC_{status_id}", "state": payload.get("state"),
        "description": payload.get("description"), "target_url": payload.get("target_url"),
        "context": payload.get("context", "default"), "created_at": STAMP,
        "updated_at": STAMP, "creator": creator,
    }


def check_run(base: str, repo: str, run_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    """components/schemas/check-run."""
    output = payload.get("output") or {}
    return {
        "id": run_id, "head_sha": payload.get("head_sha"), "node_id": f"CR_{run_id}",
        "external_id": payload.get("external_id", ""),
        "url": f"{base}/repos/{repo}/check-runs/{run_id}",
        "html_url": f"{base}/{repo}/runs/{run_id}", "details_url": payload.get("details_url"),
        "status": payload.get("status", "queued"), "conclusion": payload.get("conclusion"),
        "started_at": STAMP, "completed_at": STAMP if payload.get("conclusion") else None,
        "output": {"title": output.get("title"), "summary": output.get("summary"),
                   "text": output.get("text"),
                   "annotations_count": len(output.get("annotations", [])),
                   "annotations_url": f"{base}/repos/{repo}/check-runs/{run_id}/annotations"},
        "name": payload.get("name"), "check_suite": {"id": 5},
        "app": {"id": 15368, "slug": "github-actions", "name": "GitHub Actions"},
        "pull_requests": [],
    }


def repository(base: str, full_name: str, owner: dict[str, Any], default_branch: str,
               repo_id: int = 1296269) -> dict[str, Any]:
    """components/schemas/repository (the fields the bot and pull bodies use)."""
    url = f"{base}/repos/{full_name}"
    return {
        "id": repo_id, "node_id": f"R_{repo_id}", "name": full_name.split("/")[1],
        "full_name": full_name, "owner": owner, "private": False,
        "html_url": f"{base}/{full_name}", "url": url, "fork": False,
        "pulls_url": f"{url}/pulls{{/number}}", "statuses_url": f"{url}/statuses/{{sha}}",
        "comments_url": f"{url}/comments{{/number}}",
        "issue_comment_url": f"{url}/issues/comments{{/number}}",
        "default_branch": default_branch, "visibility": "public",
    }


def pull_request(base: str, full_name: str, pull: dict[str, Any],
                 repo_body: dict[str, Any]) -> dict[str, Any]:
    """components/schemas/pull-request."""
    number = pull["number"]
    url = f"{base}/repos/{full_name}/pulls/{number}"
    issue = f"{base}/repos/{full_name}/issues/{number}"
    head_repo = pull.get("head_repo") or repo_body
    return {
        "url": url, "id": 1000 + number, "node_id": f"PR_{number}", "number": number,
        "html_url": f"{base}/{full_name}/pull/{number}", "issue_url": issue,
        "comments_url": f"{issue}/comments", "review_comments_url": f"{url}/comments",
        "commits_url": f"{url}/commits",
        "statuses_url": f"{base}/repos/{full_name}/statuses/{pull['head_sha']}",
        "state": pull.get("state", "open"), "locked": False, "title": pull["title"],
        "user": pull["user"], "body": pull.get("body", ""), "draft": False,
        "created_at": STAMP, "updated_at": STAMP, "closed_at": None, "merged_at": None,
        "head": {"label": f"{head_repo['owner']['login']}:{pull['head_ref']}",
                 "ref": pull["head_ref"], "sha": pull["head_sha"], "user": head_repo["owner"],
                 "repo": head_repo},
        "base": {"label": f"{repo_body['owner']['login']}:{pull['base_ref']}",
                 "ref": pull["base_ref"], "sha": pull.get("base_sha", "0" * 40),
                 "user": repo_body["owner"], "repo": repo_body},
        "author_association": "MEMBER", "merged": pull.get("merged", False),
        "mergeable": None, "mergeable_state": pull.get("merge_state", "unknown"),
        "auto_merge": pull.get("auto_merge"),
    }


def review(base: str, full_name: str, number: int, review_id: int,
           payload: dict[str, Any]) -> dict[str, Any]:
    """components/schemas/pull-request-review."""
    return {
        "id": review_id, "node_id": f"PRR_{review_id}", "user": payload["user"],
        "body": payload.get("body", ""), "body_html": "", "body_text": payload.get("body", ""),
        "state": payload["state"],
        "html_url": f"{base}/{full_name}/pull/{number}#pullrequestreview-{review_id}",
        "pull_request_url": f"{base}/repos/{full_name}/pulls/{number}",
        "_links": {"html": {"href": f"{base}/{full_name}/pull/{number}"},
                   "pull_request": {"href": f"{base}/repos/{full_name}/pulls/{number}"}},
        "submitted_at": STAMP, "commit_id": payload["commit_id"],
        "author_association": "MEMBER",
    }


def team_membership(base: str, org: str, slug: str, login: str) -> dict[str, Any]:
    """components/schemas/team-membership."""
    return {"url": f"{base}/orgs/{org}/teams/{slug}/memberships/{login}", "role": "member",
            "state": "active"}


def git_ref(base: str, full_name: str, branch: str, sha: str) -> dict[str, Any]:
    """components/schemas/git-ref."""
    return {"ref": f"refs/heads/{branch}", "node_id": f"REF_{branch}",
            "url": f"{base}/repos/{full_name}/git/refs/heads/{branch}",
            "object": {"type": "commit", "sha": sha,
                       "url": f"{base}/repos/{full_name}/git/commits/{sha}"}}


def error(message: str, status: int) -> dict[str, Any]:
    """components/schemas/basic-error."""
    return {"message": message,
            "documentation_url": "https://docs.github.com/rest",
            "status": str(status)}


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
