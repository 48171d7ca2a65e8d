"""Contract: every ``mlops-spec train|evaluate|score`` line the targets render parses with
the real command-line parser (so no pipeline calls an option that does not exist)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from variants import VARIANTS, dump, variant

from mlops_spec.main import build_parser
from mlops_spec.render.engine import context_for, render
from mlops_spec.render.targets import TARGETS, load
from mlops_spec.spec.validate import validate_text

COMMANDS = ("train", "evaluate", "score")
SHELL_LINE = re.compile(r"mlops-spec ((?:train|evaluate|score)\b[^'\n]*)")


def rendered(name: str) -> dict[str, str]:
    result = validate_text("mlops.yaml", dump(variant(name)))
    assert result.ok and result.spec is not None, result.diagnostics
    ctx = context_for(result.spec, Path("/repo/mlops.yaml"), Path("/repo"))
    names = [t for t in TARGETS if load(t).applies(result.spec)]
    return {path: text for path, (text, _) in render(ctx, names).files.items()}


def _argv_lists(node: Any) -> Iterator[list[str]]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _argv_lists(value)
    elif isinstance(node, list):
        if len(node) > 1 and node[0] == "mlops-spec" and node[1] in COMMANDS:
            yield [str(part) for part in node[1:]]
        for item in node:
            yield from _argv_lists(item)


def command_lines(files: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    for path, text in files.items():
        for match in SHELL_LINE.finditer(text):
            yield path, shlex.split(match.group(1).rstrip("\\ "))
        if path.endswith((".yaml", ".yml")) and "/workflows/" not in path:
            for document in yaml.safe_load_all(text):
                for argv in _argv_lists(document):
                    yield path, argv


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_rendered_commands_parse(name: str) -> None:
    found = list(command_lines(rendered(name)))
    assert any(argv[0] == "train" for _, argv in found), "no train line rendered"
    for path, argv in found:
        parser = build_parser(argv[0])
        try:
            parser.parse_args(argv)
        except SystemExit:
            pytest.fail(f"{path}: `mlops-spec {shlex.join(argv)}` does not parse")
