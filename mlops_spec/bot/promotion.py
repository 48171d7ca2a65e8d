"""``mlops-spec promotion-pr``: promote a model version to one environment by pull request.

The pull request sets the environment's ``model_version`` in the spec (only that value's
text changes) and carries every generated file that change re-renders (the environment's
overlay, the render manifest), computed in memory against the checkout of the base branch.
One open promotion pull request per environment, on ``mlops/promote/<model>/<environment>``:
a later promotion resets that branch onto the base and updates the pull request.

An environment is promoted only to a version its previous environment already pins on the
base branch: production never gets a version staging has not run (B041).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_spec.bot import branches, context
from mlops_spec.bot.client import Client, need
from mlops_spec.bot.errors import BotError, Uncertain
from mlops_spec.bot.spec_edit import set_model_version
from mlops_spec.diagnostics import UserError
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.types import MODEL_VERSION

BRANCH_PREFIX = "mlops/promote"


@dataclass(frozen=True)
class Options:
    spec_file: Path
    environment: str
    version: str
    repo: str | None
    base: str | None
    auto_merge: bool = False
    """Where the environment has ``auto_deploy: true``, have GitHub merge the pull request
    once its required checks pass (``bot/auto_merge.py``)."""


def branch_for(model: str, environment: str) -> str:
    return f"{BRANCH_PREFIX}/{model}/{environment}"


def run(options: Options) -> int:
    from mlops_spec.spec.loader import load_file

    if not re.match(MODEL_VERSION, options.version):
        raise BotError.of("B040", f"{options.version!r} is not a model version (letters, "
                                  "digits, '.', '_', '-'; at most 63)",
                          "pass the version `mlops-spec upload` stored (the commit SHA)")
    spec = valid(options.spec_file)
    names = [env.name for env in spec.deployment.environments]
    if options.environment not in names:
        raise BotError.of("B040", f"{spec.name} has no environment {options.environment!r}",
                          "environments: " + ", ".join(names))
    index = names.index(options.environment)
    if spec.deployment.environments[index].model_version == options.version:
        print(f"{options.environment} already pins {options.version}: no pull request.")
        return 0
    _check_order(spec, index, options)
    doc = load_file(options.spec_file)
    new_spec_text = set_model_version(doc, index, options.version)
    files = _rendered_changes(options.spec_file, new_spec_text)

    repo = context.repository(options.repo)
    client = context.connect()
    base = (options.base or os.environ.get("GITHUB_REF_NAME")
            or branches.default_branch(client, repo))
    base_sha = branches.branch_sha(client, repo, base)
    if base_sha is None:
        raise BotError.of("B020", f"the base branch {base!r} does not exist in {repo}",
                          "pass --base BRANCH")
    branch = branch_for(spec.name, options.environment)
    existing = branches.open_pull_from(client, repo, branch, base)
    existing = existing if existing and need(existing, "head", "ref") == branch else None
    branches.reset_branch(client, repo, branch, base_sha)
    message = f"Promote {spec.name} {options.version} to {options.environment}"
    for path, text in sorted(files.items()):
        current = branches.file_on(client, repo, path, base)
        if text is not None:
            branches.commit_file(client, repo, branch, path, text.encode("utf-8"),
                                 current[1] if current else None, f"{message}: {path}")
        elif current is not None:
            branches.delete_file(client, repo, branch, path, current[1], f"{message}: {path}")
    pull = _open_or_update(client, repo, branch, base, existing, message,
                           _body(spec, options, sorted(files)))
    if options.auto_merge:
        from mlops_spec.bot import auto_merge

        if spec.deployment.environments[index].auto_deploy:
            auto_merge.enable(client, repo, pull)
        else:
            print(f"{options.environment} has no auto_deploy: #{need(pull, 'number')} waits "
                  "for a reviewer to merge it.")
    return 0


def valid(spec_file: Path) -> Spec:
    from mlops_spec.spec.validate import validate_file

    result = validate_file(spec_file)
    if not result.ok or result.spec is None:
        raise UserError(result.diagnostics)
    return result.spec


def _check_order(spec: Spec, index: int, options: Options) -> None:
    if index == 0:
        return
    previous = spec.deployment.environments[index - 1]
    if previous.model_version != options.version:
        pinned = (f"pins {previous.model_version}" if previous.model_version
                  else "pins no version")
        raise BotError.of("B041", f"refused: {options.environment} cannot be promoted to "
                                  f"{options.version}: the previous environment "
                                  f"{previous.name} {pinned}",
                          f"promote {previous.name} first (`mlops-spec promotion-pr "
                          f"--environment {previous.name} --version {options.version}`) and "
                          "merge its pull request")


def _rendered_changes(spec_file: Path, new_spec_text: str) -> dict[str, str | None]:
    """Every file the promotion changes, repository-relative, None for one it removes: the
    spec and the generated files its new text renders differently (a pinned environment
    drops the pipeline's model-version file), computed against the checkout on disk."""
    from mlops_spec.commands.render import find_root
    from mlops_spec.render import engine
    from mlops_spec.render.writer.manifest import MANIFEST, TreeCache
    from mlops_spec.render.writer.state import desired_state
    from mlops_spec.spec.validate import validate_text

    root = find_root(spec_file)
    result = validate_text(str(spec_file), new_spec_text)
    if not result.ok or result.spec is None:  # a version the spec's rules refuse
        raise UserError(result.diagnostics)
    ctx = engine.context_for(result.spec, spec_file, root)
    cache = TreeCache(root)
    desired = desired_state(root, engine.render(ctx), cache=cache)
    files: dict[str, str | None] = {ctx.spec_path: new_spec_text}
    files.update({path: None for path in desired.stale if cache.read(path) is not None})
    files.update({path: text for path, text in desired.texts.items()
                  if cache.read(path) != text})
    if cache.read(MANIFEST) != desired.manifest:
        files[MANIFEST] = desired.manifest
    return files


def _open_or_update(client: Client, repo: str, branch: str, base: str, existing: object,
                    title: str, body: str) -> Any:
    """The pull request (GitHub's JSON) after opening or updating it."""
    owner, name = repo.split("/")
    if existing:
        number = need(existing, "number")
        updated = client.json("PATCH", client.url("repos", owner, name, "pulls", number), 200,
                              body={"title": title, "body": body},
                              what=f"update promotion pull request #{number}",
                              permission="pull-requests: write")
        print(f"Updated promotion pull request #{number} ({branch}).")
        return updated
    try:
        made = client.json("POST", client.url("repos", owner, name, "pulls"), 201,
                           body={"title": title, "head": branch, "base": base, "body": body},
                           what="open the promotion pull request",
                           permission="pull-requests: write")
    except Uncertain:  # it may have been opened: look before opening another
        made = branches.open_pull_from(client, repo, branch, base)
        if made is None:
            raise
    print(f"Opened promotion pull request #{need(made, 'number')} ({branch}).")
    return made


def _body(spec: Spec, options: Options, paths: list[str]) -> str:
    run = context.run_url()
    by = f"by [this run]({run})" if run else "by mlops-spec"
    index = [env.name for env in spec.deployment.environments].index(options.environment)
    env = spec.deployment.environments[index]
    gate = (f"Approval is required from each of: {', '.join(env.approvers)}."
            if env.approvers else "No approver role is required here.")
    auto = (" This environment has `auto_deploy: true`: the pull request may merge itself "
            "once the gate passes." if env.auto_deploy else "")
    listing = "\n".join(f"- `{path}`" for path in paths)
    return (f"Promotes `{spec.name}` version `{options.version}` to `{options.environment}` "
            f"{by}: sets its `model_version` and re-renders what follows from it.\n\n"
            f"This pull request goes through the governance gate. {gate}{auto}\n\n"
            f"Files:\n{listing}\n")
