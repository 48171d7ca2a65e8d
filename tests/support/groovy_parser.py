"""A small parser for the Groovy subset a declarative Jenkinsfile uses.

It tokenizes real Groovy lexical structure (comments, single/double/triple-quoted strings
with their escapes and GString interpolations, numbers, identifiers, operators) and builds a
tree of statements with nested ``{ ... }`` blocks, so tests ask questions such as "which
stages exist", "what does this ``cron`` argument decode to" or "is there any GString
interpolation" of the structure rather than of the raw text.

Out of the subset (and rejected): slashy and dollar-slashy strings, closures inside
argument lists, and escapes Groovy itself would reject.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field


class GroovySyntaxError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class Token:
    kind: str
    """ident, number, string, gstring, op or newline"""
    value: str
    """Decoded text of a string; the source text of anything else."""
    line: int
    quote: str = ""
    """The delimiter of a string: ', ''', " or \"\"\"."""
    interpolations: tuple[str, ...] = ()
    """The ``${...}`` / ``$name`` expressions of a GString, as written."""

    @property
    def is_string(self) -> bool:
        return self.kind in ("string", "gstring")


_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "s": " ", "\\": "\\",
            "'": "'", '"': '"', "$": "$"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "->", "?:", "?.", "++", "--", "<<",
              ">>", "+=", "-=", "*=", "/=", "**", "=~", "==~")
_SINGLE = set("{}()[],:;.?=!<>+-*/%&|^~@")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        char = text[i]
        if char == "\n":
            if not tokens or tokens[-1].kind != "newline":
                tokens.append(Token("newline", "\n", line))
            line += 1
            i += 1
        elif char in " \t\r":
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise GroovySyntaxError("unterminated comment", line)
            line += text.count("\n", i, end)
            i = end + 2
        elif char in "'\"":
            token, i, line = _string(text, i, line)
            tokens.append(token)
        elif match := _IDENT.match(text, i):
            tokens.append(Token("ident", match.group(), line))
            i = match.end()
        elif match := _NUMBER.match(text, i):
            tokens.append(Token("number", match.group(), line))
            i = match.end()
        else:
            op = next((o for o in sorted(_OPERATORS, key=len, reverse=True)
                       if text.startswith(o, i)), None)
            if op is None:
                if char not in _SINGLE:
                    raise GroovySyntaxError(f"unexpected character {char!r}", line)
                op = char
            tokens.append(Token("op", op, line))
            i += len(op)
    return tokens


def _string(text: str, i: int, line: int) -> tuple[Token, int, int]:
    start_line = line
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    triple = len(quote) == 3
    gstring = quote[0] == '"'
    i += len(quote)
    out: list[str] = []
    interpolations: list[str] = []
    while True:
        if i >= len(text):
            raise GroovySyntaxError(f"unterminated string {quote}", start_line)
        if text.startswith(quote, i):
            i += len(quote)
            break
        char = text[i]
        if char == "\n":
            if not triple:
                raise GroovySyntaxError("line break in a single-line string", line)
            line += 1
            out.append(char)
            i += 1
        elif char == "\\":
            following = text[i + 1:i + 2]
            if following == "\n" and triple:
                line += 1  # line continuation: the backslash and the newline disappear
                i += 2
            elif following == "u":
                digits = text[i + 2:i + 6]
                if not re.fullmatch(r"[0-9a-fA-F]{4}", digits):
                    raise GroovySyntaxError(f"bad unicode escape \\u{digits}", line)
                out.append(chr(int(digits, 16)))
                i += 6
            elif following in _ESCAPES:
                out.append(_ESCAPES[following])
                i += 2
            else:
                raise GroovySyntaxError(f"unknown escape \\{following}", line)
        elif char == "$" and gstring:
            expression, i = _interpolation(text, i, line)
            interpolations.append(expression)
            out.append(expression)
        else:
            out.append(char)
            i += 1
    kind = "gstring" if interpolations else "string"
    return Token(kind, "".join(out), start_line, quote, tuple(interpolations)), i, line


def _interpolation(text: str, i: int, line: int) -> tuple[str, int]:
    """A ``${...}`` (braces balanced) or ``$a.b.c`` placeholder starting at ``text[i]``."""
    if text.startswith("${", i):
        depth, j = 0, i + 1
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    return text[i:j + 1], j + 1
            j += 1
        raise GroovySyntaxError("unterminated ${", line)
    match = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*").match(text, i)
    if not match:
        raise GroovySyntaxError("'$' in a GString must start ${...} or $name (escape it as \\$)",
                                line)
    return match.group(), match.end()


@dataclass
class Node:
    """One statement: its first word, the tokens after it, and its ``{ ... }`` blocks."""

    name: str
    tokens: list[Token]
    line: int
    blocks: list[list[Node]] = field(default_factory=list)

    @property
    def body(self) -> list[Node]:
        if len(self.blocks) != 1:
            raise AssertionError(f"line {self.line}: {self.name} has {len(self.blocks)} blocks")
        return self.blocks[0]

    def children(self, name: str) -> list[Node]:
        return [node for block in self.blocks for node in block if node.name == name]

    def child(self, name: str) -> Node:
        found = self.children(name)
        if len(found) != 1:
            raise AssertionError(f"line {self.line}: {self.name} has {len(found)} {name!r}")
        return found[0]

    def has(self, name: str) -> bool:
        return bool(self.children(name))

    def strings(self) -> list[str]:
        return [t.value for t in self.tokens if t.is_string]

    def string(self) -> str:
        """The one string argument: ``stage('x')``, ``label 'x'``, ``sh '...'``."""
        values = self.strings()
        if len(values) != 1:
            raise AssertionError(f"line {self.line}: {self.name} has {len(values)} strings")
        return values[0]

    def kwargs(self) -> dict[str, Token]:
        """``name: value`` arguments whose value is one token."""
        out: dict[str, Token] = {}
        tokens = [t for t in self.tokens if t.kind != "newline"]
        for k in range(len(tokens) - 2):
            key, colon, value = tokens[k:k + 3]
            if key.kind == "ident" and colon.value == ":" and (
                    k + 3 == len(tokens) or tokens[k + 3].value in (",", ")")):
                out[key.value] = value
        return out

    def words(self) -> list[str]:
        return [t.value for t in self.tokens if t.kind != "newline"]

    def walk(self) -> Iterator[Node]:
        yield self
        for block in self.blocks:
            for node in block:
                yield from node.walk()


def parse(text: str) -> list[Node]:
    tokens = tokenize(text)
    nodes, position = _block(tokens, 0, top=True)
    if position != len(tokens):
        raise GroovySyntaxError("unbalanced '}'", tokens[position].line)
    return nodes


def _block(tokens: list[Token], i: int, top: bool = False) -> tuple[list[Node], int]:
    nodes: list[Node] = []
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "newline" or token.value == ";":
            i += 1
        elif token.value == "}":
            if top:
                raise GroovySyntaxError("unbalanced '}'", token.line)
            return nodes, i
        else:
            node, i = _statement(tokens, i)
            nodes.append(node)
    if not top:
        raise GroovySyntaxError("unterminated block", tokens[-1].line if tokens else 0)
    return nodes, i


def _statement(tokens: list[Token], i: int) -> tuple[Node, int]:
    first = tokens[i]
    name = first.value if first.kind == "ident" else ""
    if name:
        i += 1
    node = Node(name, [], first.line)
    depth = 0
    while i < len(tokens):
        token = tokens[i]
        if token.value in ("(", "["):
            depth += 1
        elif token.value in (")", "]"):
            depth -= 1
            if depth < 0:
                raise GroovySyntaxError(f"unbalanced {token.value!r}", token.line)
        elif depth == 0 and (token.kind == "newline" or token.value in (";", "}")):
            break
        elif token.value == "{":
            if depth:
                raise GroovySyntaxError("a closure inside an argument list is outside the "
                                        "subset", token.line)
            block, i = _block(tokens, i + 1)
            node.blocks.append(block)
            i += 1  # the closing brace
            following = _skip_newlines(tokens, i)
            if following < len(tokens) and tokens[following].value == "else":
                node.tokens.append(tokens[following])
                i = following + 1
                continue
            return node, i
        if depth or token.kind != "newline":
            node.tokens.append(token)
        i += 1
    if depth:
        raise GroovySyntaxError("unbalanced '('", first.line)
    return node, i


def _skip_newlines(tokens: list[Token], i: int) -> int:
    while i < len(tokens) and tokens[i].kind == "newline":
        i += 1
    return i
