"""Auto-merge of a promotion pull request (``promotion-pr --auto-merge``, environments with
``auto_deploy: true``): GitHub merges it once its required checks (the governance gate)
pass, through GraphQL ``enablePullRequestAutoMerge``.

GitHub refuses that mutation for a pull request that is mergeable right now (``clean``,
``unstable`` or ``has_hooks``: nothing is left to wait for); then the pull request is merged
directly (REST ``PUT /pulls/{n}/merge``, at the head the bot committed). With the gate a
required check (``mlops-spec protect``), a pull request just opened is never mergeable
before the gate ran. Errors: B220 (auto-merge not allowed in the repository's settings),
B221 (the direct merge refused), B222 (a state auto-merge cannot wait from: a conflict, a
draft, a closed pull request), B223 (any other GraphQL error, named).
"""

from __future__ import annotations

import re
from typing import Any

from mlops_spec.bot.client import Client, GraphQLErrors, calling, need
from mlops_spec.bot.errors import BotError

MUTATION = """\
mutation EnableAutoMerge($pullRequestId: ID!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: MERGE}) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}"""
PERMISSION = "contents: write` and `pull-requests: write"
MERGEABLE_NOW = frozenset({"clean", "unstable", "has_hooks"})
"""mergeStateStatus values for which GitHub refuses auto-merge: merge directly instead."""
_STATUS = re.compile(r"is in (\w+) status", re.IGNORECASE)


def enable(client: Client, repo: str, pull: Any) -> None:
    """Enable auto-merge on ``pull`` (GitHub's JSON of it), or merge it when it is
    mergeable already."""
    number = int(need(pull, "number"))
    try:
        data = client.graphql(MUTATION, {"pullRequestId": str(need(pull, "node_id"))},
                              what=f"enable auto-merge on pull request #{number}",
                              permission=PERMISSION)
    except GraphQLErrors as exc:
        _refused(client, repo, pull, number, exc)
        return
    request = need(data, "enablePullRequestAutoMerge", "pullRequest").get("autoMergeRequest")
    if not request:
        raise BotError.of("B223", f"GitHub enabled no auto-merge on #{number} and named no "
                                  "error", "merge the pull request once the gate passes")
    print(f"Auto-merge enabled on #{number}: GitHub merges it once its required checks "
          "pass.")


def _refused(client: Client, repo: str, pull: Any, number: int, exc: GraphQLErrors) -> None:
    text = str(exc)
    lowered = text.lower()
    if "auto merge is not allowed" in lowered or "auto-merge is not allowed" in lowered:
        raise BotError.of("B220", f"GitHub refused auto-merge on #{number}: the repository "
                                  f"does not allow it ({text})",
                          "enable Allow auto-merge in Settings > General > Pull Requests "
                          "(or merge the promotion pull requests by hand)")
    status = _STATUS.search(text)
    if status and status[1].lower() in MERGEABLE_NOW:
        print(f"#{number} is mergeable now ({status[1].lower()}): merging it.")
        merge(client, repo, pull)
        return
    if status or "draft" in lowered or "closed" in lowered:
        state = status[1].lower() if status else "draft or closed"
        raise BotError.of("B222", f"auto-merge cannot wait on #{number} in its state "
                                  f"({state}): {text}",
                          "dirty: resolve the conflict (re-run the job: it resets the "
                          "branch onto the base); draft or closed: reopen it as ready")
    hint = (f"the token needs `permissions: {PERMISSION}`" if "FORBIDDEN" in text
            or "not accessible" in lowered else "see the message; re-run the job")
    raise BotError.of("B223", f"GitHub's GraphQL API refused to enable auto-merge on "
                              f"#{number}: {text}", hint)


def merge(client: Client, repo: str, pull: Any) -> None:
    """Merge ``pull`` now (a merge commit), only at the head the bot committed."""
    number = int(need(pull, "number"))
    head = str(need(pull, "head", "sha"))
    url = client.url("repos", *repo.split("/"), "pulls", number, "merge")
    what = f"merge pull request #{number}"
    with calling(what, PERMISSION, client.api_url):
        response = client.gh._put(url, json={"merge_method": "merge", "sha": head})
        if response.status_code in (405, 409, 422):
            message = _message(response)
            raise BotError.of("B221", f"GitHub refused to merge #{number} "
                                      f"({response.status_code}: {message})",
                              "405: a required check or review is missing; 409: the branch "
                              "moved since (re-run the job); merge it by hand otherwise")
        done = client.gh._json(response, 200, include_cache_info=False)
    if not need(done, "merged"):
        raise BotError.of("B221", f"GitHub did not merge #{number}: "
                                  f"{done.get('message', 'no reason given')}",
                          "merge it by hand once the gate passes")
    print(f"Merged #{number} ({str(need(done, 'sha'))[:12]}).")


def _message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no message"
    return str(body.get("message", "no message")) if isinstance(body, dict) else "no message"
