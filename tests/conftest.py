"""Shared fixtures: the bundled example and a way to mutate it."""

from __future__ import annotations

import pytest
from helpers import Mutate, example_text, mutate


@pytest.fixture(scope="session")
def example() -> str:
    """The text of example-repo/mlops.yaml, which every mutation test starts from."""
    return example_text()


@pytest.fixture
def mutated(example: str) -> Mutate:
    """``mutated((old, new), ...)``: the example with each ``old`` (which must occur exactly
    once) replaced by ``new``."""

    def apply(*edits: tuple[str, str]) -> str:
        return mutate(example, *edits)

    return apply
