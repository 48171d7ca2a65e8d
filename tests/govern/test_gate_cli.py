"""Bars: `check` on the example without --base; evidence rules; exit code 2 for unusable
input; every `check`/`diff` line the pipelines render parses with the real CLI."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from gate_helpers import GateRepo, spec_of, status
from helpers import EXAMPLE, REPO

from mlops_spec.main import build_parser


@pytest.fixture
def repo(tmp_path: Path) -> GateRepo:
    return GateRepo(tmp_path / "repo")


def test_example_without_base_says_what_is_pending_then_passes(tmp_path: Path) -> None:
    plain = tmp_path / "plain"  # not a git repository: nothing to compare with
    plain.mkdir()
    shutil.copy(EXAMPLE, plain / "mlops.yaml")
    repo = GateRepo.__new__(GateRepo)
    repo.root, repo.path = plain, "mlops.yaml"
    code, out, _ = repo.run("check", "mlops.yaml")
    assert code == 1
    assert "pending         promotion-thresholds: no evaluation" in out
    assert ("pending         fairness-review: awaiting attestation by sme "
            "(@acme/credit-analysts)") in out
    for role, member in (("sme", "@acme/credit-analysts"), ("data_engineer", "@dana"),
                         ("data_scientist", "@sam"), ("ml_engineer", "@acme/ml-platform"),
                         ("architect", "@ari")):
        assert re.search(rf"approve {role} +pending; members: {member}", out), role
    assert "no --base given: everything in the policy applies" in out
    code, report = repo.check("mlops.yaml", base=None)
    assert report["head"] == {"sha": None}
    head = "f" * 40
    approvals = repo.approvals(*[(m, "APPROVED", head) for m in ("carol", "dana", "sam", "mo",
                                                                 "ari")], head=head)
    code, report = repo.check("mlops.yaml", "--approvals", approvals,
                              "--evaluation", repo.evaluation(), base=None)
    assert code == 0 and report["verdict"] == "pass", spec_of(report, "mlops.yaml")["summary"]


def test_stale_evidence_is_pending_and_never_trusted(repo: GateRepo) -> None:
    stale = repo.evaluation()  # made from the base's spec
    repo.edit(("max_iter: 200", "max_iter: 300"))
    code, report = repo.check("--evaluation", stale)
    spec = spec_of(report)
    assert code == 1
    assert status(spec, "promotion-thresholds") == "pending"
    assert "stale evidence" in next(c["reason"] for c in spec["checks"]
                                    if c["id"] == "promotion-thresholds")
    assert any(d["code"] == "G017" for d in spec["diagnostics"])


def test_thresholds_are_recomputed_not_read_from_the_file(repo: GateRepo) -> None:
    repo.edit(("max_iter: 200", "max_iter: 300"))
    # The file says decision: pass, but roc_auc is under the base's min 0.80.
    code, report = repo.check("--evaluation", repo.evaluation(
        {"roc_auc": 0.79, "f1": 0.7, "precision": 0.7, "recall": 0.7}))
    spec = spec_of(report)
    assert code == 1 and status(spec, "promotion-thresholds") == "fail"
    assert "roc_auc 0.79 < min 0.8" in next(c["reason"] for c in spec["checks"]
                                            if c["id"] == "promotion-thresholds")


def test_a_lowered_threshold_is_not_in_force_until_merged(repo: GateRepo) -> None:
    repo.edit(("roc_auc: {min: 0.80}", "roc_auc: {min: 0.70}"))
    code, report = repo.check("--evaluation", repo.evaluation(
        {"roc_auc": 0.75, "f1": 0.7, "precision": 0.7, "recall": 0.7}))
    assert code == 1 and status(spec_of(report), "promotion-thresholds") == "fail"


def test_champion_challenger_compares_with_production(repo: GateRepo) -> None:
    repo.edit(("    - monitoring-configured\n",
               "    - monitoring-configured\n    - champion-challenger\n"),
              ("max_iter: 200", "max_iter: 300"))
    worse = repo.evaluation(champion={"roc_auc": 0.90, "f1": 0.6})
    code, report = repo.check("--evaluation", worse)
    spec = spec_of(report)
    assert status(spec, "champion-challenger") == "fail"
    assert "roc_auc drops 0.04" in next(c["reason"] for c in spec["checks"]
                                        if c["id"] == "champion-challenger")
    close = repo.evaluation(champion={"roc_auc": 0.865, "f1": 0.6})
    code, report = repo.check("--evaluation", close)
    assert code == 1  # approvals are still pending
    assert status(spec_of(report), "champion-challenger") == "pass"


def test_unusable_input_exits_2_naming_it(repo: GateRepo, tmp_path: Path) -> None:
    code, _, err = repo.run("check", "--base", "no-such-branch")
    assert code == 2 and "G002" in err and "no-such-branch" in err
    code, _, err = repo.run("check", "--base", "--evil")
    assert code == 2
    bad = tmp_path / "bad.json"
    for text, needle in (("{", "not valid JSON"), ('{"reviews": 1}', "reviews list"),
                         ('{"author": "a", "head_sha": "b", "reviews": [{"login": "x", '
                          '"state": "LGTM", "commit_id": "c"}]}', "LGTM")):
        bad.write_text(text)
        code, _, err = repo.run("check", "--base", "main", "--approvals", bad)
        assert code == 2 and "G004" in err and needle in err, err
    code, _, err = repo.run("check", "--base", "main", "--approvals", tmp_path / "none.json")
    assert code == 2 and "G004" in err
    bad.write_text('{"format": "mlops-spec/evaluation/v1"}')
    code, _, err = repo.run("check", "--base", "main", "--evaluation", bad)
    assert code == 2 and "E001" in err
    code, _, err = repo.run("check", "--base", "main", "models/none/mlops.yaml")
    assert code == 2 and "G005" in err
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(EXAMPLE, outside / "mlops.yaml")
    other = GateRepo.__new__(GateRepo)
    other.root = outside
    code, _, err = other.run("check", "--base", "main")
    assert code == 2 and "G001" in err and "not inside a git repository" in err


def test_a_base_spec_that_cannot_be_loaded_exits_2(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo", "name: [unclosed\n")
    shutil.copy(EXAMPLE, repo.root / repo.path)
    code, _, err = repo.run("check", "--base", "main")
    assert code == 2 and "G003" in err and "unreadable" in err


def test_an_invalid_head_is_a_failing_finding(repo: GateRepo) -> None:
    repo.edit(("risk_tier: high", "risk_tier: extreme"))
    code, report = repo.check()
    spec = spec_of(report)
    assert code == 1 and spec["verdict"] == "fail"
    assert any(d["code"] == "S003" and d["line"] == 8 for d in spec["diagnostics"])
    code, out, _ = repo.run("diff", "--base", "main")
    assert code == 1 and "S003" in out


def test_diff_reads_the_base_from_git_not_the_working_tree(repo: GateRepo) -> None:
    repo.edit(("max_iter: 200", "max_iter: 300"))
    repo.commit()
    repo.edit(("seed: 42", "seed: 7"))  # uncommitted: gated like a committed edit
    code, out, _ = repo.run("diff", "--base", "main", "--format", "json")
    changes = json.loads(out)["changes"]
    assert code == 0
    assert {(c["path"], c["before"], c["after"]) for c in changes} == {
        ("model.params.max_iter", 200, 300), ("model.split.seed", 42, 7)}


def _rendered_lines() -> list[list[str]]:
    """The argv of every `mlops-spec check|diff` the example's pipelines run."""
    import yaml

    runs = []
    for workflow in (REPO / "example-repo" / ".github" / "workflows").glob("*.yml"):
        for job in yaml.safe_load(workflow.read_text())["jobs"].values():
            runs += [step["run"] for step in job.get("steps", []) if "run" in step]
    jenkins = (REPO / "example-repo" / "Jenkinsfile").read_text()
    runs += jenkins.replace("\\\\\n", " ").splitlines()  # Groovy '\\' + newline: continued
    found = []
    for run in runs:
        for line in run.splitlines():
            match = re.search(r"mlops-spec ((check|diff) .*)", line)
            if match:
                found.append(shlex.split(match.group(1).rstrip("'")))
    return found


def test_every_rendered_check_and_diff_line_parses() -> None:
    lines = _rendered_lines()
    assert len(lines) >= 2  # the GitHub PR workflow and the Jenkinsfile
    for argv in lines:
        args = build_parser(argv[0]).parse_args(argv)
        if args.promotion:  # main, after training: the trained model alone
            assert args.evaluation and not args.base and not args.approvals, argv
            continue
        assert args.base, argv
        assert args.report and args.evaluation, argv


def test_the_example_gates_clean_against_itself(repo: GateRepo) -> None:
    code, report = repo.check()
    assert code == 0 and report["specs"] == []  # nothing touched: nothing to gate
    code, report = repo.check(repo.path)  # named: gated even when unchanged
    assert code == 0 and spec_of(report)["changes"] == []
