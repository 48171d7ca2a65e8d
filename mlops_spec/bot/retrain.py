"""``mlops-spec retrain-pr``: the retrained model's evaluation as a pull request, opened
through the API so it goes through the same gate as any change.

One open retrain pull request per model: its branch is ``mlops/retrain/<model>/<trigger>``
when it is first opened; later retrains of the model update that pull request (its branch
is reset onto the base and gets one new commit, its body the new evaluation) instead of
opening another. Nothing is opened when the evaluation equals the one on the base branch.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from mlops_spec.bot import branches, context
from mlops_spec.bot.branches import branch_sha, commit_file, file_on, reset_branch
from mlops_spec.bot.client import need
from mlops_spec.bot.errors import BotError, Uncertain

BRANCH_PREFIX = "mlops/retrain"
MAX_BODY_JSON = 60_000
WORKFLOW_TOKEN_NOTE = ("Opened with the workflow token, so GitHub starts no checks for it: "
                       "close and reopen this pull request to run them (or add an "
                       "MLOPS_PR_TOKEN secret).")


@dataclass(frozen=True)
class Options:
    model: str
    evaluation: Path
    record: str
    trigger: str
    repo: str | None
    base: str | None
    workflow_token: bool


def branch_for(model: str, trigger: str) -> str:
    return f"{BRANCH_PREFIX}/{model}/{re.sub(r'[^a-z0-9_-]+', '-', trigger.lower()) or 'manual'}"


def run(options: Options) -> int:
    try:
        evaluation = options.evaluation.read_bytes()
    except OSError as exc:
        raise BotError.of("B020", f"cannot read the evaluation {options.evaluation}: "
                                  f"{exc.strerror}",
                          "pass the file `mlops-spec train` wrote") from None
    repo = context.repository(options.repo)
    client = context.connect()
    owner, name = repo.split("/")
    base = (options.base or os.environ.get("GITHUB_REF_NAME")
            or branches.default_branch(client, repo))
    base_sha = branch_sha(client, repo, base)
    if base_sha is None:
        raise BotError.of("B020", f"the base branch {base!r} does not exist in {repo}",
                          "pass --base BRANCH")
    current = file_on(client, repo, options.record, base)
    if current is not None and current[0] == evaluation:
        print(f"The retrained {options.model} evaluation equals {options.record} on {base}: "
              "no pull request.")
        return 0
    existing = branches.open_pull_from(client, repo, f"{BRANCH_PREFIX}/{options.model}/", base)
    branch = str(need(existing, "head", "ref")) if existing else branch_for(options.model,
                                                                            options.trigger)
    reset_branch(client, repo, branch, base_sha)
    commit_file(client, repo, branch, options.record, evaluation,
                current[1] if current else None, f"Retrain {options.model}")
    body = _body(options, evaluation)
    title = f"Retrain {options.model} ({options.trigger})"
    if existing:
        number = need(existing, "number")
        client.json("PATCH", client.url("repos", owner, name, "pulls", number), 200,
                    body={"title": title, "body": body},
                    what=f"update retrain pull request #{number}",
                    permission="pull-requests: write")
        print(f"Updated retrain pull request #{number} ({branch}).")
    else:
        try:
            made = client.json("POST", client.url("repos", owner, name, "pulls"), 201,
                               body={"title": title, "head": branch, "base": base,
                                     "body": body},
                               what="open the retrain pull request",
                               permission="pull-requests: write")
        except Uncertain:  # it may have been opened: look before opening another
            made = branches.open_pull_from(client, repo, f"{BRANCH_PREFIX}/{options.model}/", base)
            if made is None:
                raise
        print(f"Opened retrain pull request #{need(made, 'number')} ({branch}).")
    return 0


def _body(options: Options, evaluation: bytes) -> str:
    run = context.run_url()
    by = f"by [this run]({run})" if run else "by mlops-spec"
    text = evaluation.decode("utf-8", "replace")
    if len(text) > MAX_BODY_JSON:
        text = text[:MAX_BODY_JSON] + "\n… (truncated: see the file)"
    note = "" if not options.workflow_token else " " + WORKFLOW_TOKEN_NOTE
    return (f"Retrained `{options.model}` {by} (trigger: {options.trigger}).\n\n"
            f"The new model's evaluation is in `{options.record}`; this pull request goes "
            f"through the same governance gate as any change.{note}\n\n"
            f"```json\n{text}\n```\n")
