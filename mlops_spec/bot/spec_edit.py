"""Set one environment's ``model_version`` in the spec's text, changing nothing else:
comments, quoting and layout stay as the team wrote them (the loader's spans say where)."""

from __future__ import annotations

import json

from mlops_spec.spec.loader import LoadedDocument, Span


def set_model_version(doc: LoadedDocument, index: int, version: str) -> str:
    """The text of ``doc`` with environment ``index`` pinned to ``version``: the value
    replaced where the key exists, else the key added to the environment's mapping (in its
    flow ``{...}`` or as a block line at its keys' indentation)."""
    env = ("deployment", "environments", index)
    value = json.dumps(version)  # always quoted: a version of digits stays a string
    lines = doc.text.splitlines(keepends=True)
    existing = doc.values.get((*env, "model_version"))
    if existing is not None:
        return _replace(lines, existing, value)
    mapping = doc.values[env]
    if _at(lines, mapping.line, mapping.column) == "{":
        return _replace(lines, Span(mapping.end_line, mapping.end_column, mapping.end_line,
                                    mapping.end_column), f", model_version: {value}")
    indent = doc.keys[(*env, "name")].column - 1
    insert_at = _last_line(doc, env)  # after the mapping's last line, before what follows
    new_line = " " * indent + f"model_version: {value}\n"
    if insert_at > 0 and not lines[insert_at - 1].endswith("\n"):
        lines[insert_at - 1] += "\n"
    return "".join([*lines[:insert_at], new_line, *lines[insert_at:]])


def _last_line(doc: LoadedDocument, env: tuple[str, str, int]) -> int:
    """The last line holding a value of the mapping (a block collection's span runs on to
    the next token, which may be the next environment: its scalars' spans do not)."""
    inside = [path for path in doc.values if path[:3] == env and len(path) > 3]
    leaves = [path for path in inside
              if not any(len(other) > len(path) and other[:len(path)] == path
                         for other in inside)]
    return max(doc.values[path].end_line - (doc.values[path].end_column == 1)
               for path in leaves)


def _at(lines: list[str], line: int, column: int) -> str:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return text[column - 1:column]


def _replace(lines: list[str], span: Span, new: str) -> str:
    start = sum(len(line) for line in lines[:span.line - 1]) + span.column - 1
    end = sum(len(line) for line in lines[:span.end_line - 1]) + span.end_column - 1
    text = "".join(lines)
    return text[:start] + new + text[end:]
