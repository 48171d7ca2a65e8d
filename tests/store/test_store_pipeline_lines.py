"""Every `mlops-spec upload`/`fetch`/`promote` line the pipelines render parses with the
real commands' arguments, and the version it stores comes from MODEL_VERSION or
--version (contract: the templates call only commands and options that exist)."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest
import yaml
from kubernetes_cases import renderable_cases
from variants import VARIANTS, dump, variant

from mlops_spec.main import build_parser, main

STORE_COMMANDS = ("upload", "fetch", "promote")
LINE = re.compile(r"mlops-spec\s+(upload|fetch|promote)\b[^\n]*")


def rendered_lines(root: Path) -> list[list[str]]:
    """Each store command the rendered files run, as argv after `mlops-spec`."""
    found: list[list[str]] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in LINE.finditer(text):
            line = match.group(0).split("||")[0].split("&&")[0].rstrip("\\ ")
            found.append(shlex.split(line)[1:])
        if path.suffix == ".yaml":  # Kubernetes container commands are YAML lists
            for document in yaml.safe_load_all(text):
                found += _commands(document)
    return found


def _commands(value: object) -> list[list[str]]:
    if isinstance(value, dict):
        command = value.get("command")
        nested = [c for item in value.values() for c in _commands(item)]
        if (isinstance(command, list) and command[:1] == ["mlops-spec"]
                and command[1:2] and command[1] in STORE_COMMANDS):
            return [[str(part) for part in command[1:]], *nested]
        return nested
    if isinstance(value, list):
        return [c for item in value for c in _commands(item)]
    return []


def parse(argv: list[str]) -> argparse.Namespace:
    return build_parser(argv[0]).parse_args(argv)


CASES = {**{name: variant(name) for name in VARIANTS},
         **{name: data for name, data in renderable_cases().items()
            if name.endswith("-kubernetes")}}  # trained by a Kubernetes Job that uploads


@pytest.mark.parametrize("name", list(CASES))
def test_rendered_store_commands_exist(name: str, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    spec_file = tmp_path / "mlops.yaml"
    spec_file.write_text(dump(CASES[name]), encoding="utf-8")
    assert main(["render", str(spec_file), "--out", str(tmp_path), "-q"]) == 0
    lines = rendered_lines(tmp_path)
    store = CASES[name]["model"]["artifact"].get("store")
    if store and "://" in store:
        assert any(argv[0] == "upload" for argv in lines), f"{name}: no upload step"
    for argv in lines:
        args = parse(argv)
        if argv[0] == "upload":
            # The version is MODEL_VERSION (set on the same line or the step's env) unless
            # --version is given: upload refuses to guess one.
            assert args.version is None or args.version.startswith("$")
            assert args.from_dir
