"""``mlops-spec init [DIR]``: a commented starter ``mlops.yaml`` that validates and renders.

Never asks questions (it runs the same on a terminal, in CI and in scripts), never
overwrites: an existing spec is refused and nothing changes. The editor schema is copied
beside the spec so the modeline works offline.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from mlops_spec.diagnostics import UserError

SPEC_NAME = "mlops.yaml"
SCHEMA_COPY = ".mlops-spec/mlops.schema.json"
_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", default=".", type=Path, metavar="DIR",
                        help="where to create mlops.yaml (default: the current directory)")
    parser.add_argument("--name", metavar="NAME",
                        help="the model's name, a DNS-1123 label of at most 40 characters "
                             "(default: derived from the directory name)")


def model_name(directory: Path, given: str | None) -> str:
    """The spec's ``name``: as given, or the directory's name made into a DNS label."""
    if given is not None:
        if not _NAME.match(given):
            raise UserError.single(
                "I001", f"--name {given!r} is not a DNS-1123 label of at most 40 characters",
                hint="use lower-case letters, digits and '-', starting with a letter, "
                     "e.g. --name churn-model")
        return given
    raw = directory.resolve().name.lower()
    name = re.sub(r"[^a-z0-9-]+", "-", raw).strip("-")[:40].strip("-")
    name = re.sub(r"^[^a-z]+", "", name)
    return name if _NAME.match(name) else "my-model"


def run(args: argparse.Namespace) -> int:
    from mlops_spec.resources import resource_dir
    from mlops_spec.spec.validate import SPEC_FILENAMES

    directory: Path = args.directory
    name = model_name(directory, args.name)
    existing = [directory / n for n in SPEC_FILENAMES if (directory / n).exists()]
    if existing:
        raise UserError.single("I002", "a spec already exists here; init changes nothing",
                               str(existing[0]),
                               hint="edit it, or run init in another directory")
    if directory.exists() and not directory.is_dir():
        raise UserError.single("I003", "not a directory", str(directory))
    text = (resource_dir("templates") / "init" / SPEC_NAME).read_text(encoding="utf-8")
    schema = (resource_dir("schemas") / "mlops.schema.json").read_bytes()
    directory.mkdir(parents=True, exist_ok=True)
    spec_file = directory / SPEC_NAME
    _create(spec_file, text.replace("__NAME__", name).encode())
    schema_file = directory / SCHEMA_COPY
    if not schema_file.exists():
        schema_file.parent.mkdir(parents=True, exist_ok=True)
        _create(schema_file, schema)
    sys.stdout.write(_next_steps(spec_file, name))
    return 0


def _create(path: Path, content: bytes) -> None:
    """Write a new file, failing (not overwriting) if it appeared meanwhile."""
    try:
        with path.open("xb") as handle:
            handle.write(content)
    except FileExistsError:
        raise UserError.single("I002", "already exists; init changes nothing",
                               str(path)) from None


def _next_steps(spec_file: Path, name: str) -> str:
    spec = spec_file.as_posix()
    return (
        f"created {spec} (model {name!r}) and its editor schema {SCHEMA_COPY}\n"
        "next steps:\n"
        f"  1. edit {spec}: owners, data sources, features, the artifact store\n"
        f"  2. mlops-spec validate {spec}\n"
        f"  3. mlops-spec render {spec}       # workflows, manifests, CODEOWNERS\n"
        "  4. commit the spec and the generated files, open a pull request\n"
        f"  5. require the status 'mlops-spec/{name}: main' in branch protection\n"
        "     (an admin can apply it with `mlops-spec protect --repo OWNER/NAME`)\n"
    )
