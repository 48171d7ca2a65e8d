"""``mlops-spec promotion-pr SPEC --after REF``: after a merged promotion, the next one.

Runs on main after a push (REF is the push's ``before``). It compares each environment's
``model_version`` in the spec at REF with the checkout (the pushed commit): when an
environment's pin changed to a version V (a promotion pull request was merged), it opens,
or updates, the promotion pull request of the **next** environment with V, through
``promotion.run`` (one pull request per environment; B041 still holds, and it does: the
previous environment pins V). Nothing promoted, the last environment promoted, or no REF
to compare with (a new branch, a commit this clone lacks): it says so and exits 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops_spec.bot import promotion

NO_COMMIT = frozenset({"", "0" * 40, "0" * 64})
"""What GitHub sends as ``before`` for a new branch (and what an unset variable gives)."""


def run(options: promotion.Options, after: str) -> int:
    from mlops_spec.git import GitError, Repo

    raw = after.strip()
    if raw in NO_COMMIT:
        print("Nothing to chain: no previous commit to compare with (a new branch or a "
              "first push).")
        return 0
    spec = promotion.valid(options.spec_file)
    git = Repo(options.spec_file.parent if options.spec_file.parent != Path() else Path.cwd())
    try:
        before = git.resolve(raw)
    except GitError:
        print(f"Nothing to chain: the previous commit {raw[:40]!r} is not in this clone (a "
              "force push, or a shallow checkout: fetch the full history).")
        return 0
    path = git.relative(options.spec_file)
    text = git.read(before, [path])[path]
    if text is None:
        print(f"Nothing to chain: the spec is new since {before[:12]}.")
        return 0
    pinned = pins(text.decode("utf-8", errors="replace"))
    environments = spec.deployment.environments
    promoted = [i for i, env in enumerate(environments)
                if env.model_version is not None and pinned.get(env.name) != env.model_version]
    if not promoted:
        print(f"Nothing to chain: no environment's model_version changed since "
              f"{before[:12]}.")
        return 0
    index = promoted[-1]  # the furthest environment promoted is where the chain goes on
    done = environments[index]
    version = str(done.model_version)
    if index == len(environments) - 1:
        print(f"{done.name}, the last environment, now runs {version}: nothing to chain.")
        return 0
    following = environments[index + 1]
    print(f"{done.name} now runs {version}: its next environment is {following.name}.")
    return promotion.run(promotion.Options(
        spec_file=options.spec_file, environment=following.name, version=version,
        repo=options.repo, base=options.base, auto_merge=options.auto_merge))


def pins(text: str) -> dict[str, str | None]:
    """Each environment's ``model_version`` in a spec's text, by name, read leniently (the
    spec at REF may not validate with today's rules): what is not a pin counts as none."""
    from mlops_spec.diagnostics import UserError
    from mlops_spec.spec.loader import load_text

    try:
        data: Any = load_text("mlops.yaml", text).data
    except UserError:
        return {}
    deployment = data.get("deployment") if isinstance(data, dict) else None
    listed = deployment.get("environments") if isinstance(deployment, dict) else None
    found: dict[str, str | None] = {}
    for env in listed if isinstance(listed, list) else []:
        if isinstance(env, dict) and isinstance(env.get("name"), str):
            version = env.get("model_version")
            found[env["name"]] = version if isinstance(version, str) else None
    return found
