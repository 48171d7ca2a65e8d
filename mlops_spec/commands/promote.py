"""``mlops-spec promote``: before a deploy, check the version and move the registry alias.

    mlops-spec promote [SPEC] --version V --environment ENV

Refuses (exit 2) a version the store does not hold complete (no manifest), or an
environment the spec does not define. With ``model.registry``, the alias named after the
environment moves to that version (``models:/<name>@<env>``). See docs/store.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mlops_spec.commands._spec import add_spec_argument, load_valid_spec
from mlops_spec.spec.suggest import did_you_mean
from mlops_spec.store.errors import StoreError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_spec_argument(parser)
    parser.add_argument("--version", required=True, metavar="V",
                        help="the stored version being deployed")
    parser.add_argument("--environment", required=True, metavar="ENV",
                        help="the environment it is deployed to (one of the spec's)")


def run(args: argparse.Namespace) -> int:
    from mlops_spec.store import open_store
    from mlops_spec.store.versions import check_version

    version = check_version(args.version)
    spec_file, spec = load_valid_spec(Path(args.spec), "promoting")
    names = [env.name for env in spec.deployment.environments]
    if args.environment not in names:
        raise StoreError.single(
            "A013", f"no environment {args.environment!r} in the spec", str(spec_file),
            hint=did_you_mean(args.environment, names) or "environments: " + ", ".join(names))
    store = open_store(spec, spec_file, "mlops-spec promote")
    if not store.exists(version):
        raise StoreError.single(
            "A006", f"version {version} is not in the store (no manifest)",
            store.version_uri(version), hint="upload it before deploying it; "
                                             + store.stored_hint())
    print(f"{store.version_uri(version)} is stored")
    if spec.model.registry is not None:
        from mlops_spec.store.registry import set_alias

        print(f"moved alias {set_alias(spec, args.environment, version)}")
    return 0
