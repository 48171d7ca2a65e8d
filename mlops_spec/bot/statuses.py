"""The commit status per spec (the required context) and a check run with annotations.

The status is written last and only when it differs from the latest one of its context:
it is the commit point of a publish, so an unchanged status means nothing needs writing.
"""

from __future__ import annotations

from typing import Any

from github3.repos.status import Status

from mlops_spec.bot.client import Client
from mlops_spec.bot.errors import BotError, Uncertain
from mlops_spec.bot.report import STATE_OF, SpecReport

MAX_DESCRIPTION = 140
MAX_ANNOTATIONS = 50
_CONCLUSION = {"pass": "success", "fail": "failure", "pending": "action_required"}
_LEVEL = {"error": "failure", "warning": "warning", "note": "notice"}


def context(spec_name: str, base_branch: str) -> str:
    """``mlops-spec/<name>: <base branch>``: what branch protection requires."""
    return f"mlops-spec/{spec_name}: {base_branch}"


def description(summary: str) -> str:
    summary = " ".join(summary.split())
    return summary if len(summary) <= MAX_DESCRIPTION else summary[:MAX_DESCRIPTION - 1] + "…"


def desired(spec: SpecReport, base_branch: str, target_url: str | None) -> dict[str, Any]:
    return {"state": STATE_OF[spec.verdict], "description": description(spec.summary),
            "target_url": target_url, "context": context(spec.name, base_branch)}


def latest(client: Client, repo: str, sha: str) -> dict[str, Status]:
    """The newest status of each context on ``sha`` (one page of 100, newest first)."""
    statuses = client.pages(client.url("repos", *repo.split("/"), "commits", sha, "statuses"),
                            Status, what=f"read the commit statuses of {sha[:12]}",
                            permission="statuses: read", limit=100)
    found: dict[str, Status] = {}
    for status in statuses:
        found.setdefault(status.context, status)
    return found


def unchanged(current: Status | None, wanted: dict[str, Any]) -> bool:
    return current is not None and all(
        (getattr(current, key) or None) == (wanted[key] or None)
        for key in ("state", "description", "target_url"))


def post(client: Client, repo: str, sha: str, wanted: dict[str, Any]) -> None:
    client.json("POST", client.url("repos", *repo.split("/"), "statuses", sha), 201,
                body={k: v for k, v in wanted.items() if v is not None},
                what=f"set the commit status {wanted['context']!r}",
                permission="statuses: write")


def annotations_of(spec: SpecReport) -> list[dict[str, Any]]:
    out = []
    for d in spec.diagnostics:
        line = d.get("line")
        if not isinstance(line, int) or line < 1:
            continue
        out.append({"path": str(d.get("file") or spec.path), "start_line": line,
                    "end_line": line, "annotation_level": _LEVEL.get(str(d.get("severity")),
                                                                     "failure"),
                    "title": str(d.get("code") or "mlops-spec")[:255],
                    "message": str(d.get("message") or "")[:64000]})
    return out[:MAX_ANNOTATIONS]


def check_run(client: Client, repo: str, sha: str, spec: SpecReport, wanted: dict[str, Any],
              details_url: str | None) -> bool:
    """Create the check run; False when the token may not (403: no `checks: write`)."""
    payload: dict[str, Any] = {
        "name": wanted["context"], "head_sha": sha, "status": "completed",
        "conclusion": _CONCLUSION[spec.verdict],
        "output": {"title": wanted["description"],
                   "summary": spec.markdown[:65_000], "annotations": annotations_of(spec)}}
    if details_url:
        payload["details_url"] = details_url
    elif payload["conclusion"] == "action_required":  # GitHub requires a details URL for it
        payload["conclusion"] = "neutral"
    try:
        client.json("POST", client.url("repos", *repo.split("/"), "check-runs"), 201,
                    body=payload, what="create a check run", permission="checks: write")
    except Uncertain:
        return True  # it may exist; a second one would only repeat it: the status decides
    except BotError as exc:
        if exc.diagnostics[0].code == "B004" and "403" in exc.diagnostics[0].message:
            return False
        raise
    return True
