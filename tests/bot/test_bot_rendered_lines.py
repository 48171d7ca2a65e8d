"""Every `mlops-spec publish|approvals|retrain-pr|promotion-pr|protect` line the pipelines
render is a command with options that exist (parsed by the real argument parser)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from variants import VARIANTS, dump, variant

from mlops_spec.main import build_parser
from mlops_spec.render.engine import context_for, render
from mlops_spec.spec.validate import validate_text

BOT_COMMANDS = ("publish", "approvals", "retrain-pr", "promotion-pr", "protect")
LINE = re.compile(r"mlops-spec (" + "|".join(BOT_COMMANDS) + r")\b[^\n]*")


def rendered(name: str) -> dict[str, str]:
    result = validate_text("mlops.yaml", dump(variant(name)))
    assert result.spec is not None
    root = Path("/repo")
    plan = render(context_for(result.spec, root / "mlops.yaml", root),
                  ["github_actions", "jenkins"])
    return {path: text for path, (text, _) in plan.files.items()}


def command_lines(path: str, text: str) -> list[str]:
    if path.endswith(".yml"):
        data = yaml.safe_load(text)
        runs = [step.get("run", "") for job in data["jobs"].values() for step in job["steps"]]
        return [m[0] for run in runs for m in LINE.finditer(run)]
    return [m[0].rstrip("\\").strip() for m in LINE.finditer(text)]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_rendered_bot_lines_parse(name: str) -> None:
    found = 0
    for path, text in rendered(name).items():
        for line in command_lines(path, text):
            argv = shlex.split(line.split(">", 1)[0])[1:]  # drop a trailing redirection
            chosen = argv[0]
            try:
                build_parser(chosen).parse_args(argv)
            except SystemExit:
                pytest.fail(f"{name}:{path}: `{line}` does not parse")
            found += 1
    assert found >= 2, "every pipeline publishes the gate report"
