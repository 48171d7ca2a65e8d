"""Bars: the JSON report validates against its published schema; the Markdown stays under
GitHub's comment limit with balanced <details>, and user values cannot inject markup."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from gate_helpers import GateRepo, spec_of
from helpers import REPO, example_text, mutate

SCHEMA = json.loads((REPO / "schemas" / "gate-report.schema.json").read_text())


def _valid(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)


def _balanced(markdown: str) -> bool:
    depth = 0
    for tag in re.findall(r"</?details>", markdown):
        depth += 1 if tag == "<details>" else -1
        if depth < 0:
            return False
    return depth == 0


def test_reports_of_every_kind_validate_against_the_schema(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")
    repo.edit(("max_iter: 200", "max_iter: 300"),
              ("      evidence: https://wiki.acme.example/datasets/applications\n", ""))
    head = repo.commit()
    repo.write(mutate(example_text(), ("name: credit-risk", "name: fraud")),
               "models/fraud/mlops.yaml")
    # (an invalid value, not missing sections: describing those builds pydantic models,
    # which changes compiled.cache_text() for test_generated later in the same process)
    repo.write(mutate(example_text(), ("name: credit-risk", "name: Bad Name")),
               "models/bad/mlops.yaml")
    code, report = repo.check("--approvals", repo.approvals(("sam", "APPROVED", head),
                                                           ("zed", "CHANGES_REQUESTED", head)),
                              "--evaluation", repo.evaluation())
    assert code == 1 and report["verdict"] == "fail"
    assert {s["verdict"] for s in report["specs"]} == {"fail", "pending"}
    _valid(report)
    assert re.fullmatch(r"[0-9a-f]{40}", report["base"]["sha"])
    assert report["head"]["sha"] == head and report["base"]["ref"] == "main"
    bad = spec_of(report, "models/bad/mlops.yaml")
    assert bad["verdict"] == "fail" and any(d["code"].startswith("S") for d in bad["diagnostics"])
    (repo.root / repo.path).unlink()
    code, report = repo.check()
    _valid(report)
    code, report = repo.check(base=None)  # no --base: every spec, as new
    _valid(report)
    assert report["base"] == {"ref": None, "sha": None}


def test_markdown_of_5000_features_stays_under_the_limit(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")
    columns = "".join(f"    - {{name: feature_{i:04d}_{'x' * 40}, source: applications, "
                      f"type: numeric, transform: standard}}\n" for i in range(5000))
    text = repo.text()
    start = text.index("  columns:\n") + len("  columns:\n")
    end = text.index("\nmodel:")
    repo.write(text[:start] + columns + text[end:])
    code, report = repo.check()
    spec = spec_of(report)
    assert len(spec["changes"]) >= 5000
    markdown = spec["markdown"]
    assert len(markdown) <= 65_000
    assert _balanced(markdown)
    assert "more rows are not shown" in markdown
    _valid(report)
    code, out, _ = repo.run("check", "--base", "main", "--format", "markdown")
    assert code == 1 and len(out) <= 65_536 and _balanced(out)


def test_markdown_has_every_part_and_escapes_user_values(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")
    hostile = ("Predicts @everyone <img src=x onerror=alert(1)> </details> | [x](https://evil)"
               " `code` *bold*")
    repo.edit(("Predicts 12-month default risk for consumer loan applications.",
               json.dumps(hostile)), ("max_iter: 200", "max_iter: 300"))
    head = repo.commit()
    evidence = repo.evaluation(champion={"roc_auc": 0.85, "f1": 0.6})
    code, report = repo.check("--approvals", repo.approvals(("sam", "APPROVED", head)),
                              "--evaluation", evidence)
    markdown = spec_of(report)["markdown"]
    assert code == 1
    assert "mlops-spec gate: **pending**" in markdown
    for part in ("Checks", "Required approvals", "Semantic diff",
                 "Evaluation against thresholds and production"):
        assert part in markdown
    assert "`@ari`" in markdown  # who can approve, as a code span: never a mention
    # Values stay literal inside code spans; outside them no markup, HTML or mention forms.
    outside_code = re.sub(r"(`+).*?\1", "", markdown)
    assert "<img" not in outside_code and "</details> |" not in outside_code
    assert _balanced(outside_code)
    assert "@everyone" not in outside_code and "@ari" not in outside_code
    assert "[x](https://evil)" not in outside_code
    assert "`0.86`" in markdown and "min 0.8" in markdown and "`0.85`" in markdown


def test_text_and_github_formats(tmp_path: Path) -> None:
    repo = GateRepo(tmp_path / "repo")
    repo.edit(("      evidence: https://wiki.acme.example/datasets/applications\n", ""))
    code, out, _ = repo.run("check", "--base", "main")
    assert code == 1 and "check   fail            data-provenance" in out
    assert "models/credit/mlops.yaml:19:" in out  # located, with the source line
    code, out, _ = repo.run("check", "--base", "main", "--format", "github")
    assert code == 1
    assert re.search(r"^::error file=models/credit/mlops.yaml,line=19,col=\d+,", out, re.M)
    assert ("::error title=mlops-spec gate credit-risk::fail — checks failing: "
            "data-provenance") in out
    code, out, _ = repo.run("check", "--base", "main", "--format", "json")
    assert json.loads(out)["verdict"] == "fail"
