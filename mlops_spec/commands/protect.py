"""``mlops-spec protect``: the ruleset and environments that make the gate binding."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlops_spec.diagnostics import UserError, require


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("specs", nargs="*", type=Path, metavar="SPEC",
                        help="spec files or directories (default: every spec under .)")
    parser.add_argument("--repo", metavar="OWNER/NAME",
                        help="repository (default: $GITHUB_REPOSITORY)")
    parser.add_argument("--branch", default="main",
                        help="the protected branch pull requests merge into (default: main)")
    parser.add_argument("--classic", action="store_true",
                        help="classic branch protection instead of a ruleset (GitHub "
                             "Enterprise Server before 3.11)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the API calls that would be made; change nothing")


def run(args: argparse.Namespace) -> int:
    import os

    from mlops_spec.render.push import ci_deploys
    from mlops_spec.spec.validate import discover, validate_file

    names: list[str] = []
    environments: list[str] = []
    approvers: dict[str, list[tuple[str, str]]] = {}  # environment -> (handle, role)
    for target in args.specs or [Path()]:
        for path in (discover(target) if target.is_dir() else [target]):
            result = validate_file(path)
            if result.spec is None:
                raise UserError(result.diagnostics)
            names.append(result.spec.name)
            spec = result.spec
            environments += [e.name for e in spec.deployment.environments]
            if ci_deploys(spec) and spec.deployer == "github_actions":
                # Push mode: the deploy job's GitHub environment is the approval gate.
                for env in spec.deployment.environments:
                    approvers.setdefault(env.name, []).extend(
                        (handle, role) for role in env.approvers
                        for handle in getattr(spec.owners, role) or [])
    if not names:
        raise UserError.single("B030", "no spec found to protect",
                               hint="pass the spec files or run at the repository root")
    environments = list(dict.fromkeys(environments))
    offline = args.dry_run and not os.environ.get("GITHUB_TOKEN")
    if not offline:
        require("github3", "bot", "mlops-spec protect")
    from mlops_spec.bot import context, protect

    repo = context.repository(args.repo)
    api = context.api_url()
    client = None if offline else context.connect()  # offline: as if nothing existed
    writes = protect.plan(client, api, repo, names, environments, args.branch,
                          classic=args.classic, approvers={
                              env: [protect.Holder(handle, role, env) for handle, role in held]
                              for env, held in approvers.items()})
    for write in writes:
        print(("would " if args.dry_run else "") + write.show(api))
    if not writes:
        print(f"{repo}: already protected ({len(names)} spec(s), "
              f"{len(environments)} environment(s)).")
    if not args.dry_run and client is not None:
        from mlops_spec.bot.errors import settled

        with settled("protect the repository (protect is idempotent)"):
            protect.apply(client, writes)
    return 0
