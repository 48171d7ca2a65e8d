"""docs/reference.md says what a new user looks for: the built-in check ids, every place a
section lives, and the range of every number."""

from __future__ import annotations

from mlops_spec.spec.checklist import BUILTIN_CHECKS
from mlops_spec.tools.generated_docs import reference_markdown


def _section(text: str, name: str) -> str:
    return text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]


def test_check_section_lists_the_built_in_ids() -> None:
    check = _section(reference_markdown(), "Check")
    for name in BUILTIN_CHECKS:
        assert f"| `{name}` |" in check, name
    assert "| `attested_by` |" in check and "| `id` |" in check


def test_resources_names_every_place_it_lives() -> None:
    resources = _section(reference_markdown(), "Resources")
    assert resources.lstrip().startswith("At `training.resources`, `deployment.resources` and "
                                         "`deployment.environments.resources`.")


def test_numbers_show_their_range() -> None:
    text = reference_markdown()
    assert "| `retention_days` | integer (1 to 36,500) |" in text
    assert "| `timeout_minutes` | integer (1 to 1,440) |" in text
