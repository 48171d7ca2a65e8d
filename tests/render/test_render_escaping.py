"""The escaping filters and the strict template environment."""

from __future__ import annotations

import shlex

import pytest
import yaml

from mlops_spec.render.environment import RawValueError, environment
from mlops_spec.render.escaping import (
    Escaped,
    UnsafeValue,
    comment,
    github_secret,
    github_string,
    github_yaml,
    groovy,
    literal,
    shell,
    yaml_scalar,
)

NASTY = ["plain", "a: b", "# not a comment", "yes", "0755", "", " lead", "x\ny", "tab\there",
         "quote\" and 'single'", "back\\slash", "$(id)", "`id`", "*alias", "&anchor", "{a: 1}",
         "[1]", "- item", "null", "~", "line\u2028sep", "nel\u0085x", "emoji 🧪", "%TAG"]


@pytest.mark.parametrize("value", NASTY)
def test_yaml_scalar_round_trips(value: str) -> None:
    assert yaml.safe_load(f"key: {yaml_scalar(value)}\n") == {"key": value}


@pytest.mark.parametrize("value", [None, True, False, 0, 7, -3, 1.5, 1e-9])
def test_yaml_scalar_non_strings(value: object) -> None:
    assert yaml.safe_load(f"key: {yaml_scalar(value)}\n") == {"key": value}


def test_yaml_scalar_refuses_what_has_no_scalar() -> None:
    with pytest.raises(UnsafeValue):
        yaml_scalar(float("nan"))
    with pytest.raises(UnsafeValue):
        yaml_scalar([1])


def test_github_yaml_refuses_expressions() -> None:
    with pytest.raises(UnsafeValue, match="GitHub would evaluate"):
        github_yaml("${{ github.event.pull_request.title }}")
    assert github_yaml("$ {{ fine }}") == '"$ {{ fine }}"'


def test_github_string_literal() -> None:
    assert github_string("0 6 * * *") == "'0 6 * * *'"
    assert github_string("it's") == "'it''s'"
    for bad in ["a}}b", "{{", "x\ny", "\x00"]:
        with pytest.raises(UnsafeValue):
            github_string(bad)


def test_github_secret_reference() -> None:
    assert github_secret("KUBECONFIG_STAGING") == "${{ secrets.KUBECONFIG_STAGING }}"
    for bad in ["A B", "A}}", "1A", "A-B", "${{x}}", ""]:
        with pytest.raises(UnsafeValue):
            github_secret(bad)


@pytest.mark.parametrize("value", NASTY)
def test_shell_word_round_trips(value: str) -> None:
    assert shlex.split(f"echo {shell(value)}") == ["echo", value]


def test_groovy_literal_has_no_interpolation() -> None:
    assert groovy("${env.X} 'q' \\ \n") == "'${env.X} \\'q\\' \\\\ \\n'"
    assert groovy("\u2028") == "'\\u2028'"


def test_comment_stays_on_one_line() -> None:
    assert comment("a\nb\rc\u2028d") == "a b c d"


def test_template_refuses_raw_strings() -> None:
    env = environment()
    with pytest.raises(RawValueError, match="without an escaping filter"):
        env.from_string("{{ value }}").render(value="raw")
    assert env.from_string("{{ value | yaml }} {{ n }}").render(value="a: b", n=3) == (
        '"a: b" 3')
    assert env.from_string("{{ value }}").render(value=literal("ok")) == "ok"
    assert isinstance(literal("x"), Escaped)
    with pytest.raises(RawValueError):
        env.from_string("{{ flag }}").render(flag=True)  # booleans are not numbers
