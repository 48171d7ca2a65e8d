"""The KServe canary finishes: the step plan, and `mlops-spec rollout` walking it.

kubectl is a recording stand-in on PATH (there is no cluster in the tests): the test checks
the exact command sequence the pipeline runs, the readiness checks between steps and the
rollback to the previous revision when a check fails.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import cli
from kubernetes_cases import example_data, kustomize, matrix_data, render_case, validated

from mlops_spec.render.kubernetes import canary

FAKE_KUBECTL = f"""#!{sys.executable}
import json, os, sys
log = os.environ["FAKE_KUBECTL_LOG"]
calls = [json.loads(line) for line in open(log)] if os.path.exists(log) else []
with open(log, "a") as out:
    out.write(json.dumps(sys.argv[1:]) + "\\n")
waits = sum(1 for c in calls if c[0] == "wait") + (sys.argv[1] == "wait")
if sys.argv[1] == "wait" and str(waits) == os.environ.get("FAKE_KUBECTL_FAIL_WAIT", ""):
    sys.exit("error: timed out waiting for the condition")
if sys.argv[1] == "get" and "--ignore-not-found" in sys.argv:
    print(os.environ.get("FAKE_KUBECTL_LIVE", ""))
elif sys.argv[1] == "get":
    print("credit-risk-predictor-00002 credit-risk-predictor-00002")
"""


def _spec_file(tmp_path: Path, steps: list[dict[str, Any]]) -> Path:
    data = example_data()
    data["deployment"]["strategy"] = {"type": "canary", "steps": steps}
    spec_file = tmp_path / "mlops.yaml"
    render_case(data, tmp_path)
    return spec_file


@pytest.fixture
def kubectl_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    kubectl = bin_dir / "kubectl"
    kubectl.write_text(FAKE_KUBECTL, encoding="utf-8")
    kubectl.chmod(kubectl.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "kubectl.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_KUBECTL_LOG", str(log))
    return log


def _calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def _percents(calls: list[list[str]]) -> list[int]:
    return [json.loads(c[c.index("-p") + 1])["spec"]["predictor"]["canaryTrafficPercent"]
            for c in calls if c[0] == "patch"]


def test_the_plan_walks_every_step_and_ends_promoted() -> None:
    spec = validated(example_data()).spec
    assert spec is not None
    assert canary.plan(spec) == [canary.Step(10, 900), canary.Step(50, 1800),
                                 canary.Step(100, 0)]
    data = example_data()
    data["deployment"]["strategy"]["steps"] = [{"weight": 5, "pause": "2h"}, {"weight": 40},
                                               {"weight": 100}]
    spec = validated(data).spec
    assert spec is not None
    assert canary.plan(spec) == [canary.Step(5, 7200), canary.Step(40, None),
                                 canary.Step(100, 0)]


@pytest.mark.slow
def test_only_production_starts_as_a_canary(tmp_path: Path) -> None:
    model_dir = render_case(example_data(), tmp_path)
    for env, expected in (("staging", None), ("production", 10)):
        [isvc] = [d for d in kustomize(model_dir / "deploy" / env)
                  if d["kind"] == "InferenceService"]
        assert isvc["spec"]["predictor"].get("canaryTrafficPercent") == expected, env
        assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == (
            "Knative")


@pytest.mark.slow
def test_argo_canary_pauses_only_in_production(tmp_path: Path) -> None:
    model_dir = render_case(matrix_data("realtime", "kubernetes", "canary", "none", "ci"),
                            tmp_path)
    steps = {}
    for env in ("staging", "production"):
        [rollout] = [d for d in kustomize(model_dir / "deploy" / env) if d["kind"] == "Rollout"]
        steps[env] = [next(iter(step)) for step in rollout["spec"]["strategy"]["canary"]["steps"]]
    assert steps["staging"] == ["setWeight", "analysis"]
    assert steps["production"] == ["setWeight", "analysis", "pause", "setWeight", "pause"]


def test_rollout_walks_the_steps_with_readiness_checks(tmp_path: Path,
                                                       kubectl_log: Path) -> None:
    spec_file = _spec_file(tmp_path, [{"weight": 10, "pause": "1s"}, {"weight": 50,
                                                                      "pause": "1s"}])
    run = cli("rollout", spec_file, "--environment", "production")
    assert run.code == 0, run.err
    assert "promoted" in run.out
    calls = _calls(kubectl_log)
    assert _percents(calls) == [10, 50, 100]
    assert [c[0] for c in calls] == [
        "patch", "wait", "get", "wait", "get",      # 10%: ready, watched, still ready
        "patch", "wait", "get", "wait", "get",      # 50%
        "patch", "wait", "get"]                     # 100%
    assert all(c[-2:] == ["-n", "ml-prod"] for c in calls)


def test_a_failed_check_sends_all_traffic_back(tmp_path: Path, kubectl_log: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    spec_file = _spec_file(tmp_path, [{"weight": 10, "pause": "1s"}, {"weight": 50,
                                                                      "pause": "1s"}])
    monkeypatch.setenv("FAKE_KUBECTL_FAIL_WAIT", "3")  # the first wait at 50%
    run = cli("rollout", spec_file, "--environment", "production")
    assert run.code == 1
    assert "back on the previous revision" in run.err
    assert _percents(_calls(kubectl_log)) == [10, 50, 0]


def test_a_step_without_pause_stops_for_a_person(tmp_path: Path, kubectl_log: Path) -> None:
    spec_file = _spec_file(tmp_path, [{"weight": 10, "pause": "1s"}, {"weight": 50}])
    run = cli("rollout", spec_file, "--environment", "production")
    assert run.code == 0, run.err
    assert "--from-step 3" in run.out
    assert _percents(_calls(kubectl_log)) == [10, 50]
    kubectl_log.unlink()
    run = cli("rollout", spec_file, "--environment", "production", "--from-step", "3")
    assert run.code == 0, run.err
    assert _percents(_calls(kubectl_log)) == [100]


def test_earlier_environments_only_wait(tmp_path: Path, kubectl_log: Path) -> None:
    spec_file = _spec_file(tmp_path, [{"weight": 10, "pause": "1s"}])
    run = cli("rollout", spec_file, "--environment", "staging")
    assert run.code == 0, run.err
    assert [c[0] for c in _calls(kubectl_log)] == ["wait", "get"]


def test_dry_run_prints_the_kubectl_sequence(tmp_path: Path) -> None:
    spec_file = _spec_file(tmp_path, [{"weight": 10, "pause": "15m"}])
    run = cli("rollout", spec_file, "--environment", "production", "--dry-run")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == ("kubectl patch inferenceservice credit-risk --type merge -p "
                        '{"spec":{"predictor":{"canaryTrafficPercent":10}}} -n ml-prod')
    assert ("kubectl wait --for=condition=Ready inferenceservice/credit-risk --timeout=600s "
            "-n ml-prod") in lines


def test_unknown_environment_is_a_usage_error(tmp_path: Path) -> None:
    spec_file = _spec_file(tmp_path, [{"weight": 10}])
    run = cli("rollout", spec_file, "--environment", "prod", "--dry-run")
    assert run.code == 2
    assert "R102" in run.err and "staging, production" in run.err


def _set_version(spec_file: Path, env: str, version: str) -> None:
    (spec_file.parent / "deploy" / env / "model-version.env").write_text(
        f"MODEL_VERSION={version}\n", encoding="utf-8")


def test_apply_then_walk_when_the_version_is_new(tmp_path: Path, kubectl_log: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    spec_file = _spec_file(tmp_path, [{"weight": 10, "pause": "1s"}])
    _set_version(spec_file, "production", "c0ffee")
    monkeypatch.setenv("FAKE_KUBECTL_LIVE", "beef01 100")
    run = cli("rollout", spec_file, "--environment", "production", "--apply")
    assert run.code == 0, run.err
    calls = _calls(kubectl_log)
    assert calls[1][:2] == ["apply", "-k"]
    assert calls[1][2] == str(tmp_path / "deploy" / "production")
    assert _percents(calls) == [10, 100]


@pytest.mark.parametrize(("live", "says"), [("c0ffee 100", "already serves"),
                                            ("c0ffee ", "already serves"),
                                            ("c0ffee 10", "is rolling out (10%)")])
def test_apply_leaves_an_environment_on_its_version_alone(
        tmp_path: Path, kubectl_log: Path, monkeypatch: pytest.MonkeyPatch, live: str,
        says: str) -> None:
    spec_file = _spec_file(tmp_path, [{"weight": 10, "pause": "1s"}])
    _set_version(spec_file, "production", "c0ffee")
    monkeypatch.setenv("FAKE_KUBECTL_LIVE", live)
    run = cli("rollout", spec_file, "--environment", "production", "--apply")
    assert run.code == 0, run.err
    assert says in run.out
    assert [c[0] for c in _calls(kubectl_log)] == ["get"]  # no apply, no patch


def test_apply_needs_the_version_set(tmp_path: Path, kubectl_log: Path) -> None:
    spec_file = _spec_file(tmp_path, [{"weight": 10, "pause": "1s"}])
    run = cli("rollout", spec_file, "--environment", "production", "--apply")
    assert run.code == 2
    assert "R104" in run.err
    assert not kubectl_log.exists()
