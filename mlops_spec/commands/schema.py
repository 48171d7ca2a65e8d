"""``mlops-spec schema``: print the JSON Schema of mlops.yaml for editors and tools."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reference", action="store_true",
                        help="print the Markdown field reference instead")


def run(args: argparse.Namespace) -> int:
    from mlops_spec.tools import generated_docs

    text = generated_docs.reference_markdown() if args.reference else (
        generated_docs.schema_text())
    sys.stdout.write(text)
    return 0
