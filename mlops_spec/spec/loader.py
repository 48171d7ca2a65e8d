"""Safe YAML loading that keeps where every value came from.

PyYAML's own constructors are not used: they follow YAML 1.1 (``no`` -> False, ``0755`` ->
493), expand aliases without limit, accept duplicate keys and recurse on nesting. Instead we
consume the parser's event stream and build plain Python data ourselves, which lets us

* allow only the core tags (no ``!!python/...``),
* reject duplicate keys, several documents, deep nesting and alias bombs, early and cheaply,
* resolve plain scalars with the YAML 1.2 core schema and flag the YAML 1.1 surprises,
* record the line and column of every key and value for diagnostics.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from mlops_spec.diagnostics import Diagnostic, InputError, Severity

MAX_BYTES = 1024 * 1024
"""A spec is a few kilobytes; anything near a megabyte is a mistake or an attack."""
MAX_DEPTH = 64
MAX_NODES = 100_000
"""Upper bound on keys and values after alias expansion (a normal spec has a few hundred)."""

DataPath = tuple[str | int, ...]


class Span(NamedTuple):
    """Where a node starts and ends; 1-based lines and columns.

    A named tuple rather than a frozen dataclass: a spec has hundreds of nodes and a
    monorepo hundreds of specs, and a tuple is several times cheaper to create.
    """

    line: int
    column: int
    end_line: int
    end_column: int


class LoadedDocument:
    """Plain data plus the source location of every key and value in it.

    (A plain class rather than a dataclass: defining dataclasses costs startup time.)
    """

    __slots__ = ("data", "file", "keys", "text", "values", "warnings")

    def __init__(self, file: str, text: str, data: Any) -> None:
        self.file = file
        self.text = text
        self.data = data
        self.values: dict[DataPath, Span] = {}
        self.keys: dict[DataPath, Span] = {}
        self.warnings: list[Diagnostic] = []

    def __repr__(self) -> str:
        return f"LoadedDocument(file={self.file!r}, {len(self.values)} values)"

    def locate(self, path: DataPath, *, key: bool = False) -> Span | None:
        """The span of ``path``, or of its closest ancestor that has one.

        With ``key`` the span of the mapping key is preferred, which is where a person looks
        for an unknown or misplaced key.
        """
        probe = tuple(path)
        while True:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                # A missing child is reported at its parent's key, not its first value.
                if probe != tuple(path) and probe in self.keys:
                    return self.keys[probe]
                return self.values[probe]
            if not probe:
                return None
            probe = probe[:-1]

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""


_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCTAL = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")


class _Frame:
    __slots__ = ("anchor", "container", "count", "is_map", "key", "path", "start")

    def __init__(self, container: dict[str, Any] | list[Any], path: DataPath,
                 start: Span, anchor: str | None) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.path = path
        self.start = start
        self.anchor = anchor
        self.count = 1
        self.key: str | None = None


_new_span = tuple.__new__
"""``_new_span(Span, (line, column, end_line, end_column))``: Span() without the Python-level
``__new__`` of a named tuple, for the per-event hot path."""


def _span(event: Any) -> Span:
    start, end = event.start_mark, event.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class _Composer:
    """Builds data from parser events; raises ``InputError`` on the first fatal problem."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.doc = LoadedDocument(file=file, text=text, data=None)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0

    def fail(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        raise InputError([Diagnostic(
            code=code, message=message, file=self.file,
            line=span.line if span else None, column=span.column if span else None,
            hint=hint,
        )])

    def warn(self, code: str, message: str, span: Span, hint: str, path: DataPath) -> None:
        self.doc.warnings.append(Diagnostic(
            code=code, message=message, file=self.file, line=span.line, column=span.column,
            severity=Severity.WARNING, hint=hint, path=path,
        ))

    def check_tag(self, tag: str | None, span: Span) -> None:
        if tag is None or tag == "!" or tag in _CORE_TAGS:
            return
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        self.fail("L008", f"YAML tag {shown} is not allowed", span,
                  "mlops.yaml holds plain data: remove the tag")

    def resolve(self, event: Any, span: Span, path: DataPath) -> Any:
        value: str = event.value
        tag = event.tag
        if tag == "tag:yaml.org,2002:str":
            return value
        if tag not in (None, "!"):
            return self.resolve_tagged(value, tag, span)  # an explicit tag wins over quotes
        if event.style is not None and event.style != "":
            return value  # quoted, literal or folded: always a string
        if value in _NULL:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        if value.lower() in _YAML11_BOOLS:
            self.warn("L013", f"unquoted {value!r} is read as the text {value!r}", span,
                      "YAML 1.1 tools read it as a boolean: write true/false for a "
                      f"boolean, or \"{value}\" in quotes for text", path)
            return value
        if value[0].isalpha():
            return value  # no number starts with a letter: skip the patterns below
        if _INT.match(value):
            digits = value.lstrip("+-")
            if len(digits) > 1 and digits.startswith("0"):
                self.warn("L013", f"unquoted {value!r} is read as the text {value!r}", span,
                          "YAML 1.1 tools read a leading zero as octal: quote it for text, "
                          "or drop the zero (or write 0o...) for a number", path)
                return value
            return int(value)
        if _OCTAL.match(value):
            return int(value[2:], 8)
        if _HEX.match(value):
            return int(value[2:], 16)
        if _FLOAT.match(value):
            return float(value)
        if _INF.match(value):
            return float("-inf") if value.startswith("-") else float("inf")
        if _NAN.match(value):
            return float("nan")
        return value

    def resolve_tagged(self, value: str, tag: str, span: Span) -> Any:
        try:
            if tag.endswith(":int"):
                return int(value, 0)
            if tag.endswith(":float"):
                return float(value)
            if tag.endswith(":bool") and value in _TRUE | _FALSE:
                return value in _TRUE
            if tag.endswith(":null") and value in _NULL:
                return None
        except ValueError:
            pass
        self.fail("L008", f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}", span,
                  "remove the tag or fix the value")
        return None  # unreachable

    def add_nodes(self, count: int, span: Span) -> None:
        self.nodes += count
        if self.nodes > MAX_NODES:
            hint = ("aliases (*name) repeat their anchor's content; a spec never needs this "
                    "many values: remove the nested aliases") if self.anchors else (
                    "a spec holds a few hundred keys and values: is this the right file?")
            self.fail("L009", f"the document expands to more than {MAX_NODES:,} keys and "
                      "values", span, hint)

    def compose(self, events: Any) -> LoadedDocument:
        # The hot loop of every load: dispatch on the event class and keep lookups local.
        stack: list[_Frame] = []
        documents = 0
        root_set = False
        values = self.doc.values
        anchors = self.anchors
        for event in events:
            cls = type(event)
            if cls is ScalarEvent or cls is AliasEvent or cls is MappingStartEvent or (
                    cls is SequenceStartEvent):
                start, end = event.start_mark, event.end_mark
                span = _new_span(Span, (start.line + 1, start.column + 1, end.line + 1,
                                        end.column + 1))
                parent = stack[-1] if stack else None
                if parent is None:
                    path: DataPath = ()
                elif parent.is_map:
                    if parent.key is None:
                        self.take_key(parent, event, span)
                        continue
                    path = (*parent.path, parent.key)
                else:
                    path = (*parent.path, len(parent.container))
                if cls is AliasEvent:
                    if event.anchor not in anchors:
                        self.fail("L005", f"alias *{event.anchor} refers to no earlier "
                                  "anchor", span, f"define &{event.anchor} before using it")
                    value, count = anchors[event.anchor]
                    self.add_nodes(count, span)
                    values[path] = span
                elif cls is ScalarEvent:
                    if event.tag is not None:
                        self.check_tag(event.tag, span)
                    self.add_nodes(1, span)
                    value = self.resolve(event, span, path)
                    values[path] = span
                    count = 1
                    if event.anchor is not None:
                        anchors[event.anchor] = (value, 1)
                else:  # the start of a mapping or a sequence
                    if event.tag is not None:
                        self.check_tag(event.tag, span)
                    self.add_nodes(1, span)
                    if len(stack) >= MAX_DEPTH:
                        self.fail("L010", f"values are nested more than {MAX_DEPTH} levels "
                                  "deep", span, "a spec is a few levels deep: check the "
                                  "indentation and brackets")
                    stack.append(_Frame({} if cls is MappingStartEvent else [], path, span,
                                        event.anchor))
                    continue
                if parent is None:
                    self.doc.data, root_set = value, True
                else:
                    parent.count += count
                    self.attach(parent, value)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                if frame.anchor is not None:
                    anchors[frame.anchor] = (frame.container, frame.count)
                end = event.start_mark
                values[frame.path] = _new_span(Span, (frame.start.line, frame.start.column,
                                                      end.line + 1, end.column + 1))
                if stack:
                    stack[-1].count += frame.count
                    self.attach(stack[-1], frame.container)
                else:
                    self.doc.data = frame.container
                    root_set = True
            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.fail("L007", "the file holds more than one YAML document",
                              _span(event), "keep one spec per file: remove the '---' "
                              "separator and what follows, or split it into another file")
        if not root_set or self.doc.data is None:
            self.fail("L011", "the file holds no YAML content", None,
                      "start from example-repo/mlops.yaml or `mlops-spec schema`")
        return self.doc

    def take_key(self, frame: _Frame, event: Any, span: Span) -> None:
        if type(event) is not ScalarEvent:
            self.fail("L012", "mapping keys must be plain text", span,
                      "write the key as a word, e.g. `name:`")
        if event.tag is not None:
            self.check_tag(event.tag, span)
        key = event.value
        if key == "<<" and event.style in (None, ""):
            self.fail("L014", "merge keys (<<) are not supported", span,
                      "they are a YAML 1.1 extension: write the keys out in full")
        if key == "":
            self.fail("L012", "empty mapping key", span, "every key needs a name")
        assert isinstance(frame.container, dict)
        if key in frame.container:
            first = self.doc.keys.get((*frame.path, key))
            where = f" (first at line {first.line})" if first else ""
            self.fail("L006", f"duplicate key {key!r}{where}", span,
                      "a key may appear once per mapping: remove or merge the repeats")
        self.add_nodes(1, span)  # keys cost as much to handle as values
        frame.key = key
        self.doc.keys[(*frame.path, key)] = span

    @staticmethod
    def attach(parent: _Frame, value: Any) -> None:
        container = parent.container
        if isinstance(container, dict):
            assert parent.key is not None
            container[parent.key] = value
            parent.key = None
        else:
            container.append(value)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


def decode(file: str, raw: bytes) -> str:
    """Strict UTF-8 text, or an ``InputError`` that says where the bad bytes are."""
    if b"\x00" in raw:
        raise InputError([Diagnostic(
            code="L003", message="not a text file (it contains NUL bytes)", file=file,
            hint="mlops.yaml must be UTF-8 text; UTF-16 and binary files are not read")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8")
        line, col = _line_col(good, len(good))
        raise InputError([Diagnostic(
            code="L002", message=f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})", file=file,
            line=line, column=col, hint="save the file as UTF-8")]) from None


class SyntaxInputError(InputError):
    """A file that is text but not YAML: carries the text, so the source line is shown."""

    def __init__(self, diagnostics: list[Diagnostic], document: LoadedDocument) -> None:
        super().__init__(diagnostics)
        self.document = document


# A line whose value (after an optional `- ` and `key: `) starts with a quote.
_QUOTED_VALUE = re.compile(
    r"""^\s*(?:-\s+)?(?:[^\s#'"{}\[\],][^#'"{}\[\]]*?:\s+)?(?P<quote>["'])""")


def _unclosed_quote(text: str, error_line: int) -> tuple[int, int] | None:
    """(line, column), 1-based, of a value that opens a quote left open on its line and
    whose next closing quote is on ``error_line`` (or nowhere): where an "unclosed quote"
    error starts. The parser only notices lines later, where the swallowed text ends."""
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        if number > error_line:
            return None
        match = _QUOTED_VALUE.match(line)
        if match:
            quote = match["quote"]
            closing = (re.compile(r'(?<!\\)"') if quote == '"'
                       else re.compile(r"'(?!')"))
            # Skip escapes (\\ and \" in double quotes, '' in single quotes) by blanking them.
            body = text[offset + match.end():]
            body = (body.replace("\\\\", "  ").replace('\\"', "  ") if quote == '"'
                    else body.replace("''", "  "))
            found = closing.search(body)
            line_end = len(line.rstrip("\r\n")) - match.end()
            if found is None or found.start() >= line_end:
                closed_on = (number + body[:found.start()].count("\n") if found
                             else error_line)
                if closed_on == error_line:
                    return number, match.end()
        offset += len(line)
    return None


def _plain_with_colon(line: str) -> str | None:
    """``key: value: more`` rewritten with the value quoted, or None if it is not that."""
    match = re.match(r"^(\s*(?:-\s+)?[A-Za-z0-9_.-]+:\s+)([^'\"{\[#][^#]*?)\s*$", line)
    if not match or ": " not in match[2]:
        return None
    value = match[2].replace("\\", "\\\\").replace('"', '\\"')
    return f'{match[1].strip()} "{value}"'


def _syntax_error(file: str, text: str, exc: yaml.MarkedYAMLError) -> Diagnostic:
    """The L005 diagnostic of a YAML syntax error, placed where the mistake starts, with a
    hint for the common cases (an unclosed quote, a colon in plain text, a tab)."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    hint = "check the indentation, quotes and brackets around this place"
    quoted = exc.context == "while scanning a quoted scalar" and exc.context_mark
    unclosed = _unclosed_quote(text, line) if line else None
    if (mark and _char_at(text, mark.line, mark.column) == "\t") or "tab" in problem:
        hint = "YAML indentation must use spaces, not tabs"
    elif quoted or unclosed:
        if quoted and exc.context_mark is not None:
            line, column = exc.context_mark.line + 1, exc.context_mark.column + 1
        elif unclosed is not None:
            line, column = unclosed[0], unclosed[1]
        where = f" (the parser stopped at {mark.line + 1}:{mark.column + 1})" if mark else ""
        problem = f"this quoted text is never closed{where}"
        hint = "add the closing quote at the end of the value on this line"
    elif (exc.context or "").startswith("while parsing a flow") and exc.context_mark:
        opened = _char_at(text, exc.context_mark.line, exc.context_mark.column)
        line, column = exc.context_mark.line + 1, exc.context_mark.column + 1
        where = f" (the parser stopped at {mark.line + 1}:{mark.column + 1})" if mark else ""
        problem = f"this {opened} is not closed{where}"
        hint = f"close it with {']' if opened == '[' else '}'} (or put a ',' between items)"
    elif "mapping values are not allowed" in problem and line is not None:
        fixed = _plain_with_colon(text.splitlines()[line - 1])
        problem = "a colon followed by a space inside plain text starts a new key"
        hint = (f"quote the value: {fixed}" if fixed else
                "quote the text that contains ': ' (\"Note: ...\")")
    return Diagnostic(code="L005", message=f"invalid YAML: {problem}", file=file,
                      line=line, column=column, hint=hint)


def load_text(file: str, text: str) -> LoadedDocument:
    """Parse YAML text into located plain data."""
    if not text.strip():
        raise InputError([Diagnostic(
            code="L011", message="the file is empty", file=file,
            hint="start from example-repo/mlops.yaml or `mlops-spec schema`")])
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    composer = _Composer(file, text)
    try:
        return composer.compose(yaml.parse(text, Loader=loader_cls))
    except yaml.MarkedYAMLError as exc:
        raise SyntaxInputError([_syntax_error(file, text, exc)],
                               LoadedDocument(file, text, None)) from None
    except yaml.reader.ReaderError as exc:
        # A character YAML forbids (control characters): not a MarkedYAMLError, so locate it
        # from its offset, which libyaml counts in UTF-8 bytes and PyYAML in characters.
        index = exc.position
        if loader_cls is not yaml.SafeLoader:
            index = len(text.encode("utf-8")[:index].decode("utf-8", "ignore"))
        line, col = _line_col(text, index)
        raise SyntaxInputError([Diagnostic(
            code="L005", message=f"invalid YAML: character U+{exc.character:04X} is not "
            "allowed", file=file, line=line, column=col,
            hint="remove the invisible control character here (or write it as an escape "
                 "in a double-quoted string)")], LoadedDocument(file, text, None)) from None
    except yaml.YAMLError as exc:
        raise InputError([Diagnostic(
            code="L005", message=f"invalid YAML: {exc}", file=file,
            hint="check the file's syntax")]) from None


def load_file(path: Path, display: str | None = None) -> LoadedDocument:
    """Read, decode and parse one spec file under the size limit."""
    file = display or str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise InputError([Diagnostic(code="L001", message="is a directory", file=file,
                                     hint="pass a file or a directory to search")]) from None
    except OSError as exc:
        raise InputError([Diagnostic(
            code="L001", message=f"cannot read file: {exc.strerror or exc}", file=file,
            hint="check that the path exists and is readable")]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([Diagnostic(
            code="L004", message=f"the file is larger than {MAX_BYTES // 1024} KiB",
            file=file, hint="a spec is a few kilobytes: is this the right file?")])
    return load_text(file, decode(file, raw))
