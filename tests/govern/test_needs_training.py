"""``mlops-spec needs-training``: a main-branch push trains only when the model's training
inputs changed. Real git repositories in temporary directories: the example committed under
``models/credit/`` with its data, code and a README."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from gate_helpers import SPEC, GateRepo
from helpers import example_text, mutate

from mlops_spec.main import main

MODEL_DIR = "models/credit"
PINNED = mutate(example_text(), (
    "- {name: staging, namespace: ml-staging, auto_deploy: true}",
    "- {name: staging, namespace: ml-staging, auto_deploy: true, model_version: 1a2b3c4}"))


@pytest.fixture
def repo(tmp_path: Path) -> GateRepo:
    """main with the spec, its data source, code, requirements and a README; HEAD on main."""
    repo = GateRepo(tmp_path / "repo")
    repo.git("checkout", "-q", "main")
    repo.write("applicant_id,income\n1,10\n", f"{MODEL_DIR}/data/applications.csv")
    repo.write("def features(frame):\n    return frame\n", f"{MODEL_DIR}/features.py")
    repo.write("scikit-learn==1.5.2\n", f"{MODEL_DIR}/requirements.txt")
    repo.write("# credit\n", f"{MODEL_DIR}/README.md")
    repo.base = repo.commit("inputs")
    return repo


def needs(repo: GateRepo, base: str, *extra: str, spec: str = SPEC) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with (contextlib.chdir(repo.root), contextlib.redirect_stdout(out),
          contextlib.redirect_stderr(err)):
        code = main(["needs-training", spec, "--base", base, *extra])
    return code, out.getvalue(), err.getvalue()


def decision(repo: GateRepo, base: str) -> dict[str, Any]:
    code, out, err = needs(repo, base, "--format", "json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def outputs(text: str) -> dict[str, str]:
    """The key=value lines as $GITHUB_OUTPUT reads them."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        assert key not in out, f"{key} set twice"
        out[key] = value
    return out


def test_a_promotion_that_only_pins_a_version_trains_nothing(repo: GateRepo) -> None:
    repo.write(PINNED)
    # A promotion pull request also carries the files the pin re-renders.
    repo.write("MODEL_VERSION=1a2b3c4\n", f"{MODEL_DIR}/deploy/staging/model-version.env")
    repo.commit("promote staging")
    code, out, err = needs(repo, repo.base)
    assert (code, err) == (0, "")
    assert outputs(out)["train"] == "false"
    assert repo.base[:12] in outputs(out)["reason"]
    assert needs(repo, repo.base, "--exit-code")[0] == 0


def test_a_parameter_change_trains(repo: GateRepo) -> None:
    repo.write(mutate(PINNED, ("max_iter: 200", "max_iter: 300")))
    repo.commit("more iterations, and a pin")
    data = decision(repo, repo.base)
    assert data["train"] is True
    assert data["changes"] == ["model.params.max_iter"]  # the pin is not a training input
    assert "model.params.max_iter" in data["reason"]
    assert needs(repo, repo.base, "--exit-code")[0] == 1


@pytest.mark.parametrize("path", [f"{MODEL_DIR}/data/applications.csv",
                                  f"{MODEL_DIR}/features.py",
                                  f"{MODEL_DIR}/pipeline/steps.py",
                                  f"{MODEL_DIR}/requirements.txt"])
def test_a_data_code_or_requirements_change_trains(repo: GateRepo, path: str) -> None:
    repo.write("changed\n", path)
    repo.commit("an input")
    data = decision(repo, repo.base)
    assert (data["train"], data["changes"], data["files"]) == (True, [], [path])
    assert path in data["reason"]


def test_a_readme_or_a_layout_change_trains_nothing(repo: GateRepo) -> None:
    repo.write("# credit, explained\n", f"{MODEL_DIR}/README.md")
    repo.write("# a comment\n" + example_text().replace("max_iter: 200", "max_iter:   200"))
    repo.write("def other():\n    pass\n", "models/other/code.py")  # another model's code
    repo.commit("docs")
    data = decision(repo, repo.base)
    assert (data["train"], data["changes"], data["files"]) == (False, [], [])


def test_a_new_spec_trains(repo: GateRepo) -> None:
    before = repo.base
    repo.write(example_text(), "models/second/mlops.yaml")
    repo.commit("a second model")
    # The example's own spec is unchanged; the new one is new since the base.
    assert outputs(needs(repo, before)[1])["train"] == "false"
    code, out, err = needs(repo, before, spec="models/second/mlops.yaml")
    assert (code, err) == (0, "")
    assert outputs(out)["train"] == "true"
    assert "new since" in outputs(out)["reason"]


@pytest.mark.parametrize("base", ["", "0" * 40, "  "])
def test_no_previous_commit_trains(repo: GateRepo, base: str) -> None:
    data = decision(repo, base)
    assert (data["train"], data["base"]) == (True, None)
    assert "no previous commit" in data["reason"]


def test_a_commit_this_clone_does_not_have_trains(repo: GateRepo) -> None:
    missing = "d" * 40  # a force push's old head, or a commit a shallow clone lacks
    data = decision(repo, missing)
    assert data["train"] is True and data["base"] is None
    assert "not in this clone" in data["reason"] and "fetch the full history" in data["reason"]


def test_rewritten_history_trains(repo: GateRepo) -> None:
    repo.git("checkout", "-q", "-b", "side", repo.base)
    repo.write("# side\n", f"{MODEL_DIR}/README.md")
    side = repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.git("reset", "-q", "--hard", "HEAD~1")  # main no longer contains `side`
    data = decision(repo, side)
    assert data["train"] is True and data["base"] == side
    assert "not an ancestor" in data["reason"]


def test_an_invalid_spec_at_head_trains_so_validation_reports_it(repo: GateRepo) -> None:
    repo.write(mutate(example_text(), ("max_iter: 200", "max_iter: [200")))
    repo.commit("broken")
    data = decision(repo, repo.base)
    assert data["train"] is True and "does not validate" in data["reason"]


def test_a_reason_stays_one_output_line(repo: GateRepo) -> None:
    # File names come from the pushed commits: a line break must not add an output.
    repo.write("x = 1\n", f"{MODEL_DIR}/weird\ntrain=false.py")
    repo.commit("code")
    code, out, _ = needs(repo, repo.base)
    assert code == 0
    assert out.count("\n") == 2 and outputs(out)["train"] == "true"
    assert f"{MODEL_DIR}/weird train=false.py" in outputs(out)["reason"]


def test_the_spec_must_exist_at_head(repo: GateRepo) -> None:
    code, _out, err = needs(repo, repo.base, "--head", repo.git("rev-list", "--max-parents=0",
                                                                "HEAD"))
    # The first commit holds the spec, so that head works; a missing spec is an input error.
    assert code == 0, err
    repo.git("rm", "-q", SPEC)
    repo.commit("gone")
    code, _out, err = needs(repo, repo.base)
    assert code == 2
    assert "G210" in err and SPEC in err
