"""The champion: production's pinned or deployed version, fetched for the trainer."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_support import embedded_spec, train_out, tree, write_spec

from mlops_spec.diagnostics import UserError
from mlops_spec.spec.sections import Spec
from mlops_spec.spec.validate import validate_file
from mlops_spec.store import open_store
from mlops_spec.store.champion import fetch_champion, resolve, version_file

DEPLOYED = "fedcba9876543210fedcba9876543210fedcba98"


def load(spec_file: Path) -> Spec:
    spec = validate_file(spec_file).spec
    assert spec is not None
    return spec


def test_no_production_version_yet_is_none(tmp_path: Path) -> None:
    spec_file = write_spec(tmp_path / "repo", embedded_spec())
    spec = load(spec_file)
    assert resolve(spec, spec_file) is None
    version_file(spec, spec_file).parent.mkdir(parents=True)
    version_file(spec, spec_file).write_text("# generated\nMODEL_VERSION=<unset>\n")
    assert resolve(spec, spec_file) is None
    assert fetch_champion(spec, spec_file, tmp_path / "champion") is None
    assert not (tmp_path / "champion").exists()


def test_the_deployed_version_is_fetched(tmp_path: Path) -> None:
    spec_file = write_spec(tmp_path / "repo", embedded_spec())
    spec = load(spec_file)
    out = train_out(spec_file, tmp_path / "out")
    open_store(spec, spec_file).upload(DEPLOYED, out)
    version_file(spec, spec_file).parent.mkdir(parents=True)
    version_file(spec, spec_file).write_text(f"MODEL_VERSION={DEPLOYED}\n")
    assert resolve(spec, spec_file) == DEPLOYED
    assert fetch_champion(spec, spec_file, tmp_path / "champion") == DEPLOYED
    assert tree(tmp_path / "champion") == tree(out)


def test_a_pin_wins_and_a_missing_version_is_a_clear_error(tmp_path: Path) -> None:
    data = embedded_spec()
    data["deployment"]["environments"][-1]["model_version"] = "v2"
    spec_file = write_spec(tmp_path / "repo", data)
    spec = load(spec_file)
    version_file(spec, spec_file).parent.mkdir(parents=True)
    version_file(spec, spec_file).write_text(f"MODEL_VERSION={DEPLOYED}\n")
    assert resolve(spec, spec_file) == "v2"
    with pytest.raises(UserError) as caught:
        fetch_champion(spec, spec_file, tmp_path / "champion")
    assert caught.value.diagnostics[0].code == "A011"
    assert "production serves version v2, which is not in the store" in str(caught.value)


def test_a_damaged_version_file_names_its_line(tmp_path: Path) -> None:
    spec_file = write_spec(tmp_path / "repo", embedded_spec())
    spec = load(spec_file)
    version_file(spec, spec_file).parent.mkdir(parents=True)
    version_file(spec, spec_file).write_text("# x\nMODEL_VERSION=$(id)\n")
    with pytest.raises(UserError) as caught:
        resolve(spec, spec_file)
    diagnostic = caught.value.diagnostics[0]
    assert (diagnostic.code, diagnostic.line) == ("A011", 2)
