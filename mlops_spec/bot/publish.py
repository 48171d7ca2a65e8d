"""``mlops-spec publish``: the gate report as one sticky comment and one commit status (and
check run) per spec on the pull request's head, with as few requests as possible.

A publish of one spec on a pull request with up to 100 comments makes at most five
requests (comments page, statuses page, comment write, check run, status) and none that
writes when the comment and the status already say what they would say.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from mlops_spec.bot import comments, context, statuses, summary
from mlops_spec.bot.client import Client
from mlops_spec.bot.errors import BotError
from mlops_spec.bot.report import Report, branch_name, read


@dataclass(frozen=True)
class Options:
    report: Path
    repo: str | None
    pr: int | None
    summary: bool


def run(options: Options) -> int:
    report = read(options.report)
    payload = context.event()
    if options.summary:
        return summary.write(report, say_why=_from_fork(payload))
    repo = context.repository(options.repo)
    number = context.pr_number(options.pr, payload)
    client = context.connect()
    pull = context.pull(client, repo, number, payload)
    try:
        return _publish(client, report, pull)
    except BotError as exc:
        if pull.fork and exc.diagnostics[0].code == "B004":
            # GitHub gives fork pull requests a read-only token: report without writing.
            return summary.write(report, say_why=True)
        raise


def _from_fork(payload: dict[str, object]) -> bool:
    pull = payload.get("pull_request")
    if not isinstance(pull, dict):
        return False
    head = ((pull.get("head") or {}).get("repo") or {}).get("full_name")
    base = ((pull.get("base") or {}).get("repo") or {}).get("full_name")
    return bool(head and base and head != base)


def _publish(client: Client, report: Report, pull: context.Pull) -> int:
    login = context.bot_login(client, context.token())
    base_branch = pull.base_ref or branch_name(report.base_ref) or "main"
    sticky = comments.StickyComment(client, pull.repo, pull.number, login)
    current = statuses.latest(client, pull.repo, pull.head_sha)
    checks_allowed = True
    for spec in report.specs:
        comment_url = sticky.publish(spec.name, comments.body(spec.name, spec.markdown))
        wanted = statuses.desired(spec, base_branch, comment_url or context.run_url())
        if statuses.unchanged(current.get(wanted["context"]), wanted):
            continue
        if checks_allowed:
            checks_allowed = statuses.check_run(client, pull.repo, pull.head_sha, spec,
                                                wanted, comment_url)
            if not checks_allowed:
                print("mlops-spec publish: the token may not create check runs (grant "
                      "`checks: write` for annotations); the commit status alone carries "
                      "the verdict", file=sys.stderr)
        statuses.post(client, pull.repo, pull.head_sha, wanted)
    for spec in report.specs:
        print(f"{statuses.context(spec.name, base_branch)}: {spec.verdict}: {spec.summary}")
    return 0
