"""`make example` ends by saying what was produced and where."""

from __future__ import annotations

import re
from pathlib import Path

from mlops_spec.tools.example_summary import summary

REPO = Path(__file__).resolve().parents[1]


def test_summary_lists_each_target_with_its_files_and_place() -> None:
    text = summary(REPO / "example-repo")
    rows = {line.split()[1]: line.split() for line in text.splitlines()[2:]
            if line.startswith("  mlops.yaml")}
    assert rows["github_actions"][2:4] == ["3", ".github/workflows/"]
    assert rows["jenkins"][2:4] == ["1", "Jenkinsfile"]
    assert rows["kubernetes"][2] == "7" and "deploy/base/," in rows["kubernetes"]
    assert re.search(r"^\s+codeowners\s+1\s+\.github/CODEOWNERS", text, re.M)


def test_make_example_prints_it() -> None:
    makefile = (REPO / "Makefile").read_text()
    target = makefile.split("\nexample:", 1)[1].split("\n\n", 1)[0]
    assert "mlops_spec.tools.example_summary example-repo" in target
