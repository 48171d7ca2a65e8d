"""Output formats: text, JSON, GitHub annotations and Markdown, with hostile user text."""

from __future__ import annotations

import json
import re

import pytest
from helpers import check, mutate

from mlops_spec.diagnostics import Diagnostic, Severity
from mlops_spec.diagnostics.formatters import FORMATTERS, github, json_format, markdown, text
from mlops_spec.spec.loader import load_text

TEXT_HEAD = re.compile(r"^(?P<file>\S+):\d+:\d+: (error|warning)\[[A-Z]\d{3}\]: ")

HOSTILE = Diagnostic(
    code="S003", message="value 'a|b <script>`x`</script> 100%' is bad,\nreally: yes",
    file="dir,with:odd%chars/mlops.yaml", line=3, column=5,
    hint="use `x` | y\nnext line, 50%", path=("a", 0, "b"))
WARNING = Diagnostic(code="L013", message="unquoted 'no' is read as the text 'no'",
                     file="m.yaml", line=2, column=4, severity=Severity.WARNING, hint="quote")
NOTE = Diagnostic(code="N001", message="fyi", file="m.yaml", severity=Severity.NOTE)
UNLOCATED = Diagnostic(code="L011", message="the file is empty", file="empty.yaml")


# --- text ------------------------------------------------------------------------------------


def test_text_lines_follow_the_compiler_convention(example: str) -> None:
    bad = mutate(example, ("format: csv", "format: parket"), ("agent_label: linux",
                                                                "agent_label: no"))
    result = check(bad, "models/credit/mlops.yaml")
    assert result.document is not None
    out = text(result.diagnostics, {result.file: result.document})
    heads = [line for line in out.splitlines() if not line.startswith((" ", "  hint"))]
    assert len(heads) == 2
    for line in heads:
        match = TEXT_HEAD.match(line)
        assert match, line
        assert match["file"] == "models/credit/mlops.yaml"
    assert "warning[L013]" in heads[1]


def test_text_shows_the_source_line_a_caret_and_the_hint(example: str) -> None:
    bad = mutate(example, ("format: csv", "format: parket"))
    result = check(bad)
    assert result.document is not None
    lines = text(result.diagnostics, {result.file: result.document}).splitlines()
    assert lines[1] == " 21 |       format: parket"
    assert lines[2] == "    |               ^^^^^^"
    assert lines[3] == "  hint: did you mean 'parquet'?"


def test_text_caret_is_clipped_to_the_line_and_tabs_become_spaces() -> None:
    doc = load_text("t.yaml", "a: 'x'\n")
    d = Diagnostic(code="S003", message="m", file="t.yaml", line=1, column=4, end_column=40)
    lines = text([d], {"t.yaml": doc}).splitlines()
    assert lines[2] == "   |    ^^^"


def test_text_without_a_line_or_source() -> None:
    out = text([UNLOCATED, HOSTILE], {})
    assert out.splitlines()[0] == "empty.yaml: error[L011]: the file is empty"
    assert out.splitlines()[1].startswith("dir,with:odd%chars/mlops.yaml:3:5: error[S003]")
    assert text([], {}) == ""


# --- json ------------------------------------------------------------------------------------


def test_json_rows_carry_every_field() -> None:
    rows = json.loads(json_format([HOSTILE, WARNING, UNLOCATED], {}))
    assert rows[0] == {
        "file": HOSTILE.file, "line": 3, "column": 5, "severity": "error", "code": "S003",
        "message": HOSTILE.message, "hint": HOSTILE.hint, "path": "a[0].b"}
    assert rows[1]["severity"] == "warning"
    assert rows[2]["line"] is None and rows[2]["column"] is None and rows[2]["path"] is None
    assert json.loads(json_format([], {})) == []


# --- github ------------------------------------------------------------------------------------

ANNOTATION = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def _unescape(value: str) -> str:
    return (value.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


def test_github_annotations_escape_properties_and_data() -> None:
    out = github([HOSTILE], {})
    assert out.endswith("\n") and out.count("\n") == 1, "one annotation is one line"
    match = ANNOTATION.match(out.rstrip("\n"))
    assert match, out
    props = dict(item.split("=", 1) for item in match["props"].split(","))
    assert set(props) == {"file", "line", "col", "title"}
    assert props["file"] == "dir%2Cwith%3Aodd%25chars/mlops.yaml"
    assert _unescape(props["file"]) == HOSTILE.file
    assert (props["line"], props["col"]) == ("3", "5")
    assert _unescape(props["title"]) == "mlops-spec S003"
    assert "\n" not in match["message"]
    assert "%25" in match["message"]
    assert _unescape(match["message"]) == f"{HOSTILE.message}\n{HOSTILE.hint}"


def test_github_severities_and_unlocated_files() -> None:
    lines = github([WARNING, NOTE, UNLOCATED], {}).splitlines()
    assert lines[0].startswith("::warning file=m.yaml,line=2,col=4,title=")
    assert lines[1].startswith("::notice file=m.yaml,title=")
    assert lines[2].startswith("::error file=empty.yaml,title=")
    assert github([], {}) == ""


# --- markdown -----------------------------------------------------------------------------------


def test_markdown_escapes_user_text() -> None:
    out = markdown([HOSTILE], {})
    header, rule, row = out.rstrip("\n").split("\n")
    assert header == "| | where | code | message |"
    assert rule == "| --- | --- | --- | --- |"
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "`x`" not in out, "backticks in user text could open code spans"
    assert row.count("|") - row.count("\\|") == 5, "user pipes must not add cells"
    assert "\\|" in row
    assert "\n" not in row
    assert row.startswith("| :x: | `")


def test_markdown_icons_and_empty() -> None:
    out = markdown([WARNING, NOTE], {})
    assert ":warning:" in out and ":information_source:" in out
    assert markdown([], {}) == "No findings.\n"


@pytest.mark.parametrize("name", sorted(FORMATTERS))
def test_every_format_handles_real_results(name: str, example: str) -> None:
    bad = mutate(example, ("format: csv", "format: parket"))
    result = check(bad)
    assert result.document is not None
    out = FORMATTERS[name](result.diagnostics, {result.file: result.document})
    assert "S003" in out and out.endswith("\n")
