"""The contract between the generated pipelines and the CLI.

Every ``mlops-spec ...`` command line that any rendered GitHub workflow ``run:``, Jenkinsfile
``sh`` step or Kubernetes container (``command``/``args``) runs, over every variant the
tests render, is parsed by the real argument parser (``mlops_spec.main.build_parser``): the
subcommand and every option must exist. Commands the pipelines already call but that are
not built yet are listed once, in ``NOT_YET_BUILT``: the branch that builds one removes it
from the table, and its lines must then parse.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from collections.abc import Iterator
from functools import cache
from pathlib import PurePosixPath
from typing import Any

import pytest
import yaml
from kubernetes_cases import renderable_cases
from variants import VARIANTS, dump, variant

from mlops_spec.main import COMMANDS, build_parser
from mlops_spec.render import engine
from mlops_spec.render.outputs import RenderContext
from mlops_spec.spec.validate import validate_text

NOT_YET_BUILT: set[str] = set()
"""Subcommands the generated pipelines call that the CLI does not have yet (xfail)."""

MIN_LINES = 15
"""Fewer distinct (command line, file) pairs than this means the extractor went blind."""

SPEC_PATHS = ("mlops.yaml", "models/credit-risk/mlops.yaml")
_OPERATORS = {";", "&&", "||", "|", "&", "(", ")", "!", "then", "do", "if", "while", "until",
              "elif", "else", "time"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


# --- extraction --------------------------------------------------------------------------


def shell_commands(script: str) -> Iterator[list[str]]:
    """The argv after each ``mlops-spec`` word of a shell script (continuations joined,
    leading ``VAR=value`` assignments and ``.venv/bin/`` paths allowed)."""
    joined = re.sub(r"\\\n", " ", script)
    for line in joined.splitlines():
        if "mlops-spec" not in line or line.lstrip().startswith("#"):
            continue
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            words = list(lexer)
        except ValueError:  # an unclosed quote: not a line we can judge
            raise AssertionError(f"cannot split shell line: {line!r}") from None
        segment: list[str] = []
        for word in [*words, ";"]:
            if word in _OPERATORS or set(word) <= set(";&|()"):
                yield from _invocation(segment)
                segment = []
            else:
                segment.append(word)


_REDIRECT = re.compile(r"^[0-9]*(>>?|<)(&[0-9]+)?$")
"""A redirection word (``>``, ``2>``, ``>>``, ``<``, ``2>&1``); its target follows unless
it duplicates a descriptor."""


def _without_redirections(words: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif _REDIRECT.match(word):
            skip = "&" not in word
        else:
            out.append(word)
    return out


def _invocation(words: list[str]) -> Iterator[list[str]]:
    while words and _ASSIGNMENT.match(words[0]):
        words = words[1:]
    if words and PurePosixPath(words[0]).name == "mlops-spec":
        yield _without_redirections(words[1:])


def _groovy_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


_SH = re.compile(r"\bsh\s*\(?\s*(?:'''(?P<block>.*?)'''|'(?P<line>(?:[^'\\\n]|\\.)*)')", re.S)


def jenkins_commands(text: str) -> Iterator[list[str]]:
    for match in _SH.finditer(text):
        script = match["block"] if match["block"] is not None else match["line"]
        yield from shell_commands(_groovy_unescape(script))


def workflow_commands(text: str) -> Iterator[list[str]]:
    """Commands of ``run:`` scripts, and of steps running the composite action (action.yml)
    with a ``command`` and its ``args``, one per line."""
    workflow = yaml.safe_load(text)
    for job in (workflow.get("jobs") or {}).values():
        for step in job.get("steps") or []:
            if isinstance(step.get("run"), str):
                yield from shell_commands(step["run"])
            given = step.get("with") or {}
            if "uses" in step and given.get("command"):
                yield [str(given["command"]),
                       *filter(None, str(given.get("args", "")).splitlines())]


def _containers(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        for key in ("containers", "initContainers"):
            if isinstance(node.get(key), list):
                yield from (c for c in node[key] if isinstance(c, dict))
        for value in node.values():
            yield from _containers(value)
    elif isinstance(node, list):
        for item in node:
            yield from _containers(item)


def manifest_commands(text: str) -> Iterator[list[str]]:
    for document in yaml.safe_load_all(text):
        for container in _containers(document):
            argv = [*container.get("command", []), *container.get("args", [])]
            if argv[:1] and PurePosixPath(argv[0]).name == "mlops-spec":
                yield argv[1:]
            elif argv[:2] in (["sh", "-c"], ["bash", "-c"], ["/bin/sh", "-c"]):
                yield from shell_commands(argv[2])


def commands_of(path: str, text: str) -> Iterator[list[str]]:
    if path == "Jenkinsfile" or path.endswith("/Jenkinsfile"):
        yield from jenkins_commands(text)
    elif path.startswith(".github/workflows/"):
        yield from workflow_commands(text)
    elif path.endswith((".yaml", ".yml")) and "deploy/" in path:
        yield from manifest_commands(text)


# --- every variant the tests render ------------------------------------------------------


def _specs() -> Iterator[tuple[str, dict[str, Any]]]:
    for name in VARIANTS:
        yield name, variant(name)
    yield from renderable_cases().items()


@cache
def invocations() -> dict[tuple[str, str], list[str]]:
    """(file kind, command line) -> the variants whose render runs it."""
    found: dict[tuple[str, str], list[str]] = {}
    for name, data in _specs():
        for spec_path in SPEC_PATHS:
            result = validate_text(spec_path, dump(data))
            assert result.ok and result.spec is not None, (name, result.diagnostics)
            model_dir = str(PurePosixPath(spec_path).parent)
            ctx = RenderContext(spec=result.spec, spec_path=spec_path, model_dir=model_dir)
            for path, (text, _target) in engine.render(ctx).files.items():
                for argv in commands_of(path, text):
                    kind = re.sub(r"mlops-[a-z0-9-]+?-(?=[a-z]+\.yml$)", "mlops-MODEL-", path)
                    key = (kind.removeprefix(model_dir + "/"), shlex.join(argv))
                    found.setdefault(key, []).append(f"{name}@{spec_path}")
    return found


def _cases() -> list[Any]:
    cases = []
    for (path, line), variants in sorted(invocations().items()):
        command = shlex.split(line)[0] if line else ""
        marks = [pytest.mark.xfail(reason=f"`mlops-spec {command}` is not built yet",
                                   strict=False)] if command in NOT_YET_BUILT else []
        cases.append(pytest.param(path, line, variants[0], marks=marks,
                                  id=f"{path}: mlops-spec {line}"))
    return cases


def test_the_extractor_finds_the_pipelines_commands() -> None:
    found = invocations()
    assert len(found) >= MIN_LINES, sorted(found)
    kinds = {path for path, _ in found}
    assert "Jenkinsfile" in kinds
    assert any(path.startswith(".github/workflows/") for path in kinds)
    assert any(path.startswith("deploy/") for path in kinds)  # the in-cluster training job
    commands = {shlex.split(line)[0] for _, line in found}
    assert {"validate", "render", "drift", "train"} <= commands


def test_not_yet_built_lists_only_missing_commands() -> None:
    """A command that now exists must leave the table, so its lines are checked for real."""
    assert not NOT_YET_BUILT & set(COMMANDS), NOT_YET_BUILT & set(COMMANDS)


def test_shell_extraction_handles_the_forms_pipelines_use() -> None:
    script = ('MODEL_VERSION="$GITHUB_SHA" .venv/bin/mlops-spec upload "$SPEC" \\\n'
              '    --from out\n'
              'status=0\nmlops-spec drift "$SPEC" --reference r || status=$?\n'
              "echo 'mlops-spec: no report'\n"
              'if mlops-spec validate x; then echo ok; fi\n'
              'mlops-spec approvals --spec "$SPEC" > "$RUNNER_TEMP/a.json" 2>&1\n')
    assert list(shell_commands(script)) == [
        ["upload", "$SPEC", "--from", "out"], ["drift", "$SPEC", "--reference", "r"],
        ["validate", "x"], ["approvals", "--spec", "$SPEC"]]
    folded = yaml.safe_load("run: >-\n  mlops-spec check a\n  --report b\n")["run"]
    assert list(shell_commands(folded)) == [["check", "a", "--report", "b"]]
    action = yaml.safe_load("steps:\n- uses: acme/mlops-spec@0000\n  with:\n    command: check"
                            "\n    args: |\n      $SPEC\n      --base\n      main\n")
    assert list(workflow_commands(yaml.safe_dump({"jobs": {"a": action}}))) == [
        ["check", "$SPEC", "--base", "main"]]
    groovy = "sh '''\n  .venv/bin/mlops-spec check \"$S\" \\\\\n    --report r\n'''\n"
    assert list(jenkins_commands(groovy)) == [["check", "$S", "--report", "r"]]


def rejection(argv: list[str]) -> str | None:
    """Why the real CLI parser refuses ``mlops-spec ARGV``; None when it accepts it."""
    if not argv:
        return "no subcommand"
    if argv[0] not in COMMANDS:
        return f"the CLI has no {argv[0]!r} command (commands: {', '.join(COMMANDS)})"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            build_parser(argv[0]).parse_args(argv)
        except SystemExit:
            return err.getvalue().strip() or "rejected"
    return None


def test_the_check_can_fail() -> None:
    assert rejection(["validate", "x", "--format", "github"]) is None
    assert rejection(["render", "x", "--check"]) is None
    assert "unrecognized arguments: --no-such-option" in str(
        rejection(["render", "x", "--no-such-option"]))
    assert "invalid choice" in str(rejection(["validate", "x", "--format", "html"]))
    assert "no 'frobnicate' command" in str(rejection(["frobnicate"]))


@pytest.mark.parametrize(("path", "line", "example"), _cases())
def test_pipeline_command_exists(path: str, line: str, example: str) -> None:
    problem = rejection(shlex.split(line))
    assert problem is None, f"{path} runs `mlops-spec {line}` ({example}): {problem}"
