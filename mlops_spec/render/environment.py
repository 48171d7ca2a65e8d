"""The Jinja environment every target renders with."""

from __future__ import annotations

from functools import cache
from typing import Any

from mlops_spec.render.escaping import FILTERS, Escaped


class RawValueError(TypeError):
    """A template tried to output a value that did not pass an escaping filter."""


def _finalize(value: Any) -> Any:
    # Numbers and booleans carry no syntax; any text must have been escaped on purpose.
    if isinstance(value, Escaped) or (isinstance(value, int | float) and
                                      not isinstance(value, bool)):
        return value
    raise RawValueError(
        f"template output {value!r} without an escaping filter "
        "(use |yaml, |gha, |sh, |groovy or |comment, or literal() for constants)")


@cache
def environment() -> Any:
    """A cached Jinja2 environment over ``templates/`` (Jinja2 is imported only here)."""
    import jinja2

    from mlops_spec.resources import resource_dir

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_dir("templates"))),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env


def render_template(name: str, **context: Any) -> str:
    text: str = environment().get_template(name).render(**context)
    return text
