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

    from mlops_spec.spec.validate import discover, validate_file

    names: list[str] = []
    environments: list[str] = []
    for target in args.specs or [Path()]:
        for path in (discover(target) if target.is_dir() else [target]):
            result = validate_file(path)
            if result.spec is None:
                raise UserError(result.diagnostics)
            names.append(result.spec.name)
            environments += [e.name for e in result.spec.deployment.environments]
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
                          classic=args.classic)
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
