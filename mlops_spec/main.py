"""The ``mlops-spec`` command: parse arguments, dispatch to ``commands/<name>.py``.

Each subcommand module exposes ``add_arguments(parser)`` and ``run(args) -> int``. Only the
chosen subcommand's module is imported, so ``validate`` never pays for what ``train`` needs.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from mlops_spec import __version__

# name -> one-line help; the implementation is mlops_spec.commands.<name>
COMMANDS: dict[str, str] = {
    "validate": "check mlops.yaml files and report every problem with its place",
    "render": "write the CI workflows, pipelines and manifests the spec implies",
    "schema": "print the JSON Schema of mlops.yaml (for editors)",
    "diff": "the semantic diff of specs against a base ref, each change with its class",
    "needs-training": "whether a commit changed the model's training inputs (pins aside)",
    "check": "the governance gate: checks and approvals by role, policy from the base ref",
    "drift": "compare current data with the training reference; exit 1 to retrain",
    "init": "create a commented starter mlops.yaml that validates and renders",
    "completion": "print a bash or zsh completion script",
    "upload": "store a trained model directory as one immutable version",
    "fetch": "download a stored model version into a directory, every digest verified",
    "promote": "check a version is stored and move the registry alias of an environment",
    "rollout": "walk a KServe canary through its steps after an apply; roll back on failure",
    "publish": "post the gate report on the pull request: one comment, one status per spec",
    "approvals": "write the pull request's reviews as JSON for `check --approvals`",
    "retrain-pr": "open or update the retrain pull request with a new evaluation",
    "promotion-pr": "open or update an environment's promotion pull request (one per env)",
    "protect": "make the gate binding: branch ruleset and environments the spec implies",
    "train": "train the spec's model and write the artifact, evaluation and model card",
    "evaluate": "re-evaluate a trained model on data, optionally against the champion",
    "score": "score a CSV or Parquet file in chunks (batch inference, optionally sharded)",
    "submit-training": "train as a Kubernetes Job (training.platform: kubernetes), fetch "
                       "its outputs",
}


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized without importing shutil (and with it bz2 and lzma):
    argparse builds one for every add_argument, so this is on every command's start."""

    def __init__(self, prog: str) -> None:
        try:
            width = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
        except (ValueError, OSError):
            width = 80
        super().__init__(prog, width=max(40, width - 2))


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlops-spec",
        formatter_class=_Formatter,
        description="One declarative mlops.yaml per model: validate it, render pipelines "
                    "and manifests, train, monitor and govern from git.",
        epilog="Exit codes: 0 ok, 1 findings, 2 usage or unreadable input.",
    )
    parser.add_argument("--version", action="version", version=f"mlops-spec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text,
                                    formatter_class=_Formatter)
        if name == chosen:
            module = importlib.import_module(_module_of(name))
            module.add_arguments(sub_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from mlops_spec.error_handler import guarded

    args = list(sys.argv[1:] if argv is None else argv)
    return guarded(lambda: _dispatch(args))


READ_ONLY_COMMANDS = frozenset({"validate", "schema"})
"""Commands that only read files and print: nothing of theirs needs interpreter teardown."""


def console() -> None:
    """The ``mlops-spec`` executable.

    After a read-only command, exit without the interpreter's teardown (a final garbage
    collection and the unloading of pydantic's many objects): measured from a wheel install,
    ``console()`` against ``sys.exit(main())``, teardown is 16-18% of a ``validate`` run's
    CPU time (pinned pydantic and 2.11), which pre-commit hooks and editors pay per file.
    Output is flushed first; such commands hold no temporary files, pools or locks. Other
    commands exit normally.
    """
    code = main()
    chosen = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    if chosen in READ_ONLY_COMMANDS:
        with contextlib.suppress(BrokenPipeError, ValueError):  # the reader went away
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _module_of(command: str) -> str:
    return f"mlops_spec.commands.{command.replace('-', '_')}"


def _dispatch(argv: list[str]) -> int:
    chosen = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(chosen if chosen in COMMANDS else None).parse_args(argv)
    module = importlib.import_module(_module_of(args.command))
    code: int = module.run(args)
    return code
