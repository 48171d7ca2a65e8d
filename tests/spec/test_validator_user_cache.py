"""The validator cache of an install whose pydantic is not the pinned one (user cache dir)."""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from pathlib import Path

import pytest
from variants import EXAMPLE

from mlops_spec.spec import compiled
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.validate import validate_file

OTHER_PYDANTIC = "0" * 64
"""A fingerprint the committed cache does not match, as with any unpinned pydantic."""


@pytest.fixture
def unpinned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """XDG_CACHE_HOME in tmp, and a pydantic the committed cache was not built for."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(compiled, "fingerprint", lambda: OTHER_PYDANTIC)
    compiled.spec_validator.cache_clear()
    yield tmp_path / "cache" / "mlops-spec"
    compiled.spec_validator.cache_clear()


def _builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count pydantic's (slow) builds of the Spec validator."""
    calls: list[int] = []
    real = Spec.model_rebuild

    def counting(**kwargs: object) -> bool | None:
        calls.append(1)
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Spec, "model_rebuild", counting)
    return calls


def test_first_run_builds_and_stores_later_runs_read_it(
        unpinned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builds = _builds(monkeypatch)
    assert validate_file(EXAMPLE).ok
    assert len(builds) == 1
    [stored] = unpinned.iterdir()
    assert stored.name.endswith(f"-{OTHER_PYDANTIC[:32]}.marshal")
    assert not [p for p in unpinned.iterdir() if p.name.startswith(".")]  # no temp left
    compiled.spec_validator.cache_clear()
    result = validate_file(EXAMPLE)
    assert result.ok and result.spec is not None and result.spec.name == "credit-risk"
    assert len(builds) == 1  # read back, not rebuilt


def test_the_stored_validator_rejects_what_pydantic_rejects(unpinned: Path) -> None:
    validate_file(EXAMPLE)
    compiled.spec_validator.cache_clear()
    broken = EXAMPLE.read_text().replace("risk_tier: high", "risk_tier: extreme")
    path = unpinned.parent / "mlops.yaml"
    path.write_text(broken)
    result = validate_file(path)
    assert not result.ok and any(d.path[:1] == ("risk_tier",) for d in result.diagnostics)


def test_an_unwritable_cache_dir_falls_back_silently(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setattr(compiled, "fingerprint", lambda: OTHER_PYDANTIC)
    compiled.spec_validator.cache_clear()
    try:
        assert validate_file(EXAMPLE).ok
    finally:
        compiled.spec_validator.cache_clear()


@pytest.mark.parametrize("content", [b"garbage", marshal.dumps(compile("1", "x", "eval")),
                                     marshal.dumps({"type": "any", "f": b"bytes"})])
def test_a_corrupt_or_hostile_cache_file_is_not_used(
        unpinned: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> None:
    path = compiled.user_cache_file(OTHER_PYDANTIC)
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    builds = _builds(monkeypatch)
    assert validate_file(EXAMPLE).ok
    assert len(builds) == 1  # built the normal way, and the file replaced
    assert marshal.loads(path.read_bytes())["type"] == "definitions"


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    path = compiled.user_cache_file(OTHER_PYDANTIC)
    assert path is not None and path.parent == tmp_path / ".cache" / "mlops-spec"
