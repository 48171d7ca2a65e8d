"""The located YAML loader: YAML 1.2 core resolution, spans, limits and input errors."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from mlops_spec.diagnostics import Diagnostic, InputError, Severity
from mlops_spec.spec import loader
from mlops_spec.spec.loader import Span, decode, load_file, load_text


def fails(text: str) -> Diagnostic:
    """The single diagnostic that loading ``text`` fails with."""
    with pytest.raises(InputError) as info:
        load_text("f.yaml", text)
    assert len(info.value.diagnostics) == 1
    return info.value.diagnostics[0]


# --- plain data and YAML 1.2 core resolution ------------------------------------------------

RESOLVED: list[tuple[str, Any]] = [
    ("true", True), ("True", True), ("FALSE", False), ("false", False),
    ("null", None), ("~", None), ("", None),
    ("42", 42), ("-7", -7), ("+3", 3), ("0", 0), ("0o17", 15), ("0x1F", 31),
    ("1.5", 1.5), ("1e3", 1000.0), ("1e-3", 0.001), ("-2.5E2", -250.0), (".5", 0.5),
    ("3.10", 3.1),
    ("text", "text"), ("1_000", "1_000"), ("1:30", "1:30"), ("0b101", "0b101"),
    ("2024-01-01", "2024-01-01"), ("'quoted 42'", "quoted 42"), ('"7"', "7"),
    ("'yes'", "yes"), ("'0755'", "0755"), ("!!str 12", "12"), ("!!int '12'", 12),
    ("!!float '2'", 2.0), ("!!bool 'true'", True), ("!!null ''", None),
]


@pytest.mark.parametrize(("source", "expected"), RESOLVED, ids=[s or "empty" for s, _ in RESOLVED])
def test_scalars_resolve_with_the_yaml_1_2_core_schema(source: str, expected: Any) -> None:
    doc = load_text("f.yaml", f"a: {source}\n")
    assert doc.data == {"a": expected}
    assert type(doc.data["a"]) is type(expected)
    assert doc.warnings == []


def test_special_floats() -> None:
    data = load_text("f.yaml", "a: .inf\nb: -.Inf\nc: .nan\n").data
    assert data["a"] == math.inf
    assert data["b"] == -math.inf
    assert math.isnan(data["c"])


YAML_11_SURPRISES = ["yes", "no", "on", "off", "Yes", "NO", "On", "OFF", "y", "n", "0755",
                     "007"]


@pytest.mark.parametrize("source", YAML_11_SURPRISES)
def test_yaml_1_1_surprises_stay_text_with_a_located_warning(source: str) -> None:
    doc = load_text("f.yaml", f"name: x\nvalue: {source}\n")
    assert doc.data["value"] == source
    [warning] = doc.warnings
    assert warning.code == "L013"
    assert warning.severity is Severity.WARNING
    assert (warning.line, warning.column) == (2, 8)
    assert warning.path == ("value",)
    assert warning.hint is not None
    assert ("quote" in warning.hint) or ("quotes" in warning.hint)


def test_keys_that_yaml_1_1_reads_as_booleans_stay_strings() -> None:
    doc = load_text("f.yaml", "on: [drift]\nyes: 1\nno: 2\n")
    assert doc.data == {"on": ["drift"], "yes": 1, "no": 2}
    assert doc.warnings == []


def test_nested_data_and_flow_styles() -> None:
    doc = load_text("f.yaml", "a:\n  b: [1, {c: d}]\n  e: {f: [g]}\n")
    assert doc.data == {"a": {"b": [1, {"c": "d"}], "e": {"f": ["g"]}}}


def test_block_scalars_are_strings() -> None:
    doc = load_text("f.yaml", "a: >-\n  folded\n  text\nb: |\n  42\n")
    assert doc.data == {"a": "folded text", "b": "42\n"}


def test_anchors_and_aliases_share_content() -> None:
    doc = load_text("f.yaml", "a: &x {k: 1}\nb: *x\nc: &y 5\nd: *y\n")
    assert doc.data == {"a": {"k": 1}, "b": {"k": 1}, "c": 5, "d": 5}


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load_text("f.yaml", '"<<": 1\n').data == {"<<": 1}


def test_explicit_document_markers_are_fine_for_one_document() -> None:
    assert load_text("f.yaml", "---\na: 1\n...\n").data == {"a": 1}


def test_utf8_bom_is_skipped_and_positions_stay_right() -> None:
    text = decode("f.yaml", b"\xef\xbb\xbfname: x\n")
    doc = load_text("f.yaml", text)
    assert doc.data == {"name": "x"}
    assert doc.keys[("name",)] == Span(1, 1, 1, 5)


# --- spans -----------------------------------------------------------------------------------

SPANNED = """\
name: credit-risk
owners:
  sme: ["@a", "@b"]
model:
  params: {max_iter: 200}
"""


def test_keys_and_values_have_exact_spans() -> None:
    doc = load_text("f.yaml", SPANNED)
    assert doc.keys[("name",)] == Span(1, 1, 1, 5)
    assert doc.values[("name",)] == Span(1, 7, 1, 18)
    assert doc.keys[("owners", "sme")] == Span(3, 3, 3, 6)
    assert doc.values[("owners", "sme", 1)] == Span(3, 15, 3, 19)
    assert doc.keys[("model", "params", "max_iter")][:2] == (5, 12)
    assert doc.values[("model", "params", "max_iter")][:2] == (5, 22)
    owners = doc.values[("owners",)]
    assert (owners.line, owners.column) == (3, 3)


def test_locate_falls_back_to_the_closest_ancestor_key() -> None:
    doc = load_text("f.yaml", SPANNED)
    # a missing child is reported where its parent's key is
    assert doc.locate(("owners", "data_engineer"))[:2] == (2, 1)  # type: ignore[index]
    assert doc.locate(("owners", "sme", 1))[:2] == (3, 15)  # type: ignore[index]
    assert doc.locate(("owners", "sme"), key=True)[:2] == (3, 3)  # type: ignore[index]
    assert doc.locate(())[:2] == (1, 1)  # type: ignore[index]


def test_line_text() -> None:
    doc = load_text("f.yaml", SPANNED)
    assert doc.line_text(3) == '  sme: ["@a", "@b"]'
    assert doc.line_text(0) == ""
    assert doc.line_text(99) == ""


# --- input errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "code", "line"), [
    ("", "L011", None),
    ("   \n\n", "L011", None),
    ("# only a comment\n", "L011", None),
    ("---\n", "L011", None),
    ("~\n", "L011", None),
    ("a: 1\na: 2\n", "L006", 2),
    ("a:\n  b: 1\n  c: 2\n  b: 3\n", "L006", 4),
    ("a: 1\n---\nb: 2\n", "L007", 2),
    ("a: !!python/object/apply:os.system [id]\n", "L008", 1),
    ("a: !!python/name:os.system\n", "L008", 1),
    ("a: !!binary aGVsbG8=\n", "L008", 1),
    ("a: !!set {x}\n", "L008", 1),
    ("a: !custom 1\n", "L008", 1),
    ("a: !!int abc\n", "L008", 1),
    ("a: !!bool maybe\n", "L008", 1),
    ("a: !!int 'abc'\n", "L008", 1),
    ("a: *nowhere\n", "L005", 1),
    ("a: &x [*x]\n", "L005", 1),
    ("a:\n\tb: 1\n", "L005", 2),
    ("a: [1, 2\nb: 3\n", "L005", 1),  # where the bracket opens, not where parsing stopped
    ("? [a, b]\n: 1\n", "L012", 1),
    ("[a]: 1\n", "L012", 1),
    ('"": 1\n', "L012", 1),
    ("a: &x 1\n*x : 2\n", "L012", 2),
    ("base: &b {x: 1}\nother:\n  <<: *b\n", "L014", 3),
    ("a: b\x07c\n", "L005", 1),
])
def test_input_errors_are_single_located_diagnostics(text: str, code: str,
                                                     line: int | None) -> None:
    diagnostic = fails(text)
    assert diagnostic.code == code, diagnostic
    assert diagnostic.line == line, diagnostic
    assert diagnostic.file == "f.yaml"
    assert diagnostic.hint, "every input error carries a hint"
    assert "\n" not in diagnostic.message


def test_duplicate_key_names_the_first_occurrence() -> None:
    diagnostic = fails("a: 1\nb: 2\na: 3\n")
    assert diagnostic.message == "duplicate key 'a' (first at line 1)"
    assert (diagnostic.line, diagnostic.column) == (3, 1)


def test_tab_indentation_gets_the_tab_hint() -> None:
    assert "tabs" in (fails("a:\n\tb: 1\n").hint or "")


def test_control_character_is_located_in_characters_not_bytes() -> None:
    diagnostic = fails('a: 1\nb: "éé\x07"\n')
    assert (diagnostic.line, diagnostic.column) == (2, 7)
    assert "U+0007" in diagnostic.message


def test_control_character_with_the_pure_python_parser(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(loader.yaml, "CSafeLoader")
    diagnostic = fails('a: 1\nb: "éé\x07"\n')
    assert (diagnostic.line, diagnostic.column) == (2, 7)


def test_nesting_limit_is_exact() -> None:
    # the root mapping is one level; 63 more lists fit, 64 do not
    fits = loader.MAX_DEPTH - 1
    assert load_text("f.yaml", "a: " + "[" * fits + "]" * fits + "\n").data
    diagnostic = fails("a: " + "[" * (fits + 1) + "]" * (fits + 1) + "\n")
    assert diagnostic.code == "L010"
    assert diagnostic.line == 1


def test_node_limit_counts_alias_expansion(monkeypatch: pytest.MonkeyPatch) -> None:
    # map 1 + key a 1 + list 1 + 3 items + key b 1 + list 1 + 2 aliases of 4 = 16 nodes
    text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
    monkeypatch.setattr(loader, "MAX_NODES", 16)
    assert load_text("f.yaml", text).data["b"] == [[1, 2, 3], [1, 2, 3]]
    monkeypatch.setattr(loader, "MAX_NODES", 15)
    diagnostic = fails(text)
    assert diagnostic.code == "L009"
    assert (diagnostic.line, diagnostic.column) == (2, 9)
    assert "alias" in (diagnostic.hint or "")


def test_node_limit_counts_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_NODES", 7)  # map + 3 keys + 3 values
    assert load_text("f.yaml", "a: 1\nb: 2\nc: 3\n").data == {"a": 1, "b": 2, "c": 3}
    diagnostic = fails("a: 1\nb: 2\nc: 3\nd: 4\n")
    assert diagnostic.code == "L009"
    assert diagnostic.line == 4
    assert "alias" not in (diagnostic.hint or "")


def test_alias_bomb_stops_early() -> None:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    assert fails("\n".join(lines)).code == "L009"


# --- decoding and reading files ---------------------------------------------------------------


def test_invalid_utf8_is_located() -> None:
    with pytest.raises(InputError) as info:
        decode("f.yaml", "a: 1\nname: café\n".encode("latin-1"))
    [diagnostic] = info.value.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("L002", 2, 10)
    assert "0xe9" in diagnostic.message


@pytest.mark.parametrize("raw", [b"a: 1\x00", "a: 1\n".encode("utf-16"),
                                 "a: 1\n".encode("utf-16-le")], ids=["nul", "utf16-bom",
                                                                     "utf16-le"])
def test_nul_bytes_mean_not_text(raw: bytes) -> None:
    with pytest.raises(InputError) as info:
        decode("f.yaml", raw)
    assert info.value.diagnostics[0].code == "L003"


def load_error(path: Path) -> Diagnostic:
    with pytest.raises(InputError) as info:
        load_file(path)
    [diagnostic] = info.value.diagnostics
    return diagnostic


def test_load_file_reports_directories_and_missing_files(tmp_path: Path) -> None:
    directory = load_error(tmp_path)
    assert (directory.code, directory.message) == ("L001", "is a directory")
    missing = load_error(tmp_path / "nope.yaml")
    assert missing.code == "L001"
    assert "No such file" in missing.message


def test_load_file_size_limit_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (loader.MAX_BYTES - 4) + b"\n")
    assert len(load_file(path).data["a"]) == loader.MAX_BYTES - 4
    path.write_bytes(b"a: " + b"x" * (loader.MAX_BYTES - 3) + b"\n")
    assert load_error(path).code == "L004"


def test_load_file_uses_the_display_name(tmp_path: Path) -> None:
    path = tmp_path / "mlops.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert load_file(path, "shown.yaml").file == "shown.yaml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_file(path, "shown.yaml")
    assert info.value.diagnostics[0].file == "shown.yaml"


# --- syntax errors a new user makes: located where they start, with a hint and the source ---

UNCLOSED_ON_LINE_3 = ('apiVersion: mlops-spec/v1\nname: a\ndescription: "Predicts risk\n'
                      'purpose: b\nrisk_tier: high\nowners:\n  sme: ["@acme/x"]\n')


@pytest.mark.parametrize(("text", "line", "column", "hint"), [
    (UNCLOSED_ON_LINE_3, 3, 14, "add the closing quote"),
    ("a: 1\nb: 'it''s\nc: 2\n", 2, 4, "add the closing quote"),
    ("a: 1\nb: \"x\n", 2, 4, "add the closing quote"),
    ("model:\n  limitations: Note: trained on 2020 data\n", 2, 20,
     'quote the value: limitations: "Note: trained on 2020 data"'),
    ("a:\n\tb: 1\n", 2, 1, "spaces, not tabs"),
    ("a: [1, 2\nb: 3\n", 1, 4, "close it with ]"),
])
def test_syntax_errors_start_where_the_mistake_is(text: str, line: int, column: int,
                                                  hint: str) -> None:
    diagnostic = fails(text)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("L005", line, column)
    assert diagnostic.hint and hint in diagnostic.hint, diagnostic


def test_a_closed_multiline_quote_is_not_blamed() -> None:
    diagnostic = fails('description: "long\n  text"\nname: [a\nb: 1\n')
    assert diagnostic.line == 3, diagnostic


def test_syntax_errors_show_the_source_line_and_caret(tmp_path: Path) -> None:
    from conftest import cli

    spec = tmp_path / "mlops.yaml"
    spec.write_text(UNCLOSED_ON_LINE_3, encoding="utf-8")
    run = cli("validate", spec)
    assert run.code == 2
    out = run.out + run.err
    assert f"{spec}:3:14: error[L005]: invalid YAML: this quoted text is never closed" in out
    assert ' 3 | description: "Predicts risk\n   |              ^\n' in out
