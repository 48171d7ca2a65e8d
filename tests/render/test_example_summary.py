"""`make example` ends by saying what was produced and where."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from mlops_spec.tools.example_summary import summary

REPO = Path(__file__).resolve().parents[2]


def test_summary_lists_each_target_with_its_files_and_place() -> None:
    text = summary(REPO / "example-repo")
    rows = {line.split()[1]: line.split() for line in text.splitlines()[2:]
            if line.startswith("  mlops.yaml")}
    manifest = json.loads((REPO / "example-repo/.mlops-spec/manifest.json").read_text())
    counts = Counter(entry["target"]
                     for entry in manifest["specs"]["mlops.yaml"]["files"].values())
    assert rows["github_actions"][2:4] == [str(counts["github_actions"]), ".github/workflows/"]
    assert rows["jenkins"][2:4] == [str(counts["jenkins"]), "Jenkinsfile"]
    assert rows["kubernetes"][2] == str(counts["kubernetes"])
    assert "deploy/base/," in rows["kubernetes"]
    assert re.search(r"^\s+codeowners\s+1\s+\.github/CODEOWNERS", text, re.M)


def test_make_example_runs_the_loop_which_prints_it() -> None:
    makefile = (REPO / "Makefile").read_text()
    target = makefile.split("\nexample:", 1)[1].split("\n\n", 1)[0]
    assert "mlops_spec.tools.example_loop example-repo" in target
    loop = (REPO / "mlops_spec/tools/example_loop.py").read_text()
    assert "from mlops_spec.tools.example_summary import summary" in loop
