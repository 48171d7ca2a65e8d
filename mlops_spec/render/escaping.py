"""One escaping filter per output language; templates never interpolate raw values.

Every filter returns ``Escaped``. The Jinja environment refuses to output a plain ``str``
(see ``environment.py``), so a value that skipped its filter fails the render instead of
reaching a workflow, a shell line or a Jenkinsfile.
"""

from __future__ import annotations

import json
import math
import re
import shlex
from typing import Any

from mlops_spec.render.errors import UnsafeValue as UnsafeValue  # raised by every filter


class Escaped(str):
    """Text already safe for the output language it is placed in."""

    __slots__ = ()


def literal(text: str) -> Escaped:
    """Mark a constant decided in Python (never user input) as safe to output."""
    return Escaped(text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_LINE_BREAKS = {"\u0085": "\\N", "\u2028": "\\L", "\u2029": "\\P"}


def yaml_scalar(value: Any) -> Escaped:
    """A YAML flow scalar that parses back to exactly ``value``.

    Strings are always double-quoted (JSON escapes are valid YAML), so `: `, `#`, `*`,
    `yes`, `0755` and newlines all stay text. Unicode line separators, which YAML would
    treat as line breaks, are escaped too.
    """
    if value is None:
        return Escaped("null")
    if isinstance(value, bool):
        return Escaped("true" if value else "false")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise UnsafeValue(f"{value!r} has no portable YAML form")
        text = json.dumps(value)
        mantissa, e, exponent = text.partition("e")
        if e and "." not in mantissa:
            # YAML 1.1 readers (PyYAML) take 1e-09 for a string; 1.0e-09 is a float in both.
            text = f"{mantissa}.0e{exponent}"
        return Escaped(text)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        for char, escape in _LINE_BREAKS.items():
            text = text.replace(char, escape)
        return Escaped(text)
    raise UnsafeValue(f"cannot place a {type(value).__name__} in YAML as a scalar")


def github_yaml(value: Any) -> Escaped:
    """A YAML scalar for a GitHub workflow, where ``${{`` in any string is evaluated.

    Spec values are never meant to be expressions, so one containing ``${{`` is refused
    rather than escaped: validation already rejects such text in the fields that reach a
    workflow; this is the second line of defence.
    """
    if isinstance(value, str) and "${{" in value:
        raise UnsafeValue(f"{value!r} contains '${{{{', which GitHub would evaluate")
    return yaml_scalar(value)


_EXPRESSION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def github_string(value: Any) -> Escaped:
    """A single-quoted string literal inside a GitHub expression (``'it''s'``).

    Used to compare with spec values in ``if:`` conditions. Braces that could open or
    close an expression, line breaks and control characters are refused, not escaped.
    """
    text = str(value)
    if "{{" in text or "}}" in text or _CONTROL.search(text):
        raise UnsafeValue(f"{text!r} cannot be placed in a GitHub expression")
    return Escaped("'" + text.replace("'", "''") + "'")


def github_secret(name: str) -> Escaped:
    """The expression ``${{ secrets.NAME }}`` for a secret referenced by name."""
    if not _EXPRESSION_NAME.match(name):
        raise UnsafeValue(f"{name!r} is not a valid secret name")
    return Escaped(f"${{{{ secrets.{name} }}}}")


def shell(value: Any) -> Escaped:
    """One POSIX shell word, single-quoted when it needs to be."""
    return Escaped(shlex.quote(str(value)))


_GROOVY_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def groovy(value: Any) -> Escaped:
    """A single-quoted Groovy string literal: no ``${}`` interpolation can happen in it."""
    text = str(value)
    out = "".join(_GROOVY_ESCAPES.get(char, char) for char in text)
    out = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", out)
    return Escaped(f"'{out}'")


_GROOVY_BLOCK_ESCAPES = {"\\": "\\\\", "'": "\\'", "\r": "\\r", "\t": "\\t"}
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u0085\u2028\u2029]")


def groovy_lines(value: Any, indent: int = 0) -> Escaped:
    """A triple-single-quoted Groovy literal for multi-line text (pod YAML, cron lines).

    Like ``groovy`` it cannot interpolate; newlines stay real line breaks. Every quote is
    escaped, so no ``'''`` can end the literal early. ``indent`` prefixes the lines after
    the first with that many spaces, for consumers that ignore leading blanks (Jenkins
    trims every line of a cron spec); leave it at 0 for whitespace-sensitive text.
    """
    text = str(value)
    out = "".join(_GROOVY_BLOCK_ESCAPES.get(char, char) for char in text)
    out = _CONTROL_BUT_NEWLINE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)
    if indent:
        out = out.replace("\n", "\n" + " " * indent)
    return Escaped(f"'''{out}'''")


_GROOVY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def groovy_name(value: Any) -> Escaped:
    """A bare Groovy identifier (an ``environment {}`` variable name).

    Identifiers cannot be quoted, so anything but letters, digits and ``_`` is refused.
    """
    text = str(value)
    if not _GROOVY_NAME.match(text):
        raise UnsafeValue(f"{text!r} is not a plain identifier (letters, digits, _)")
    return Escaped(text)


def comment(value: Any) -> Escaped:
    """Text for one comment line: control characters and line breaks removed."""
    return Escaped(_CONTROL.sub(" ", str(value)))


FILTERS = {
    "yaml": yaml_scalar,
    "gha": github_yaml,
    "gha_str": github_string,
    "sh": shell,
    "groovy": groovy,
    "groovy_lines": groovy_lines,
    "groovy_name": groovy_name,
    "comment": comment,
}
