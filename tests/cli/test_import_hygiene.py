"""`mlops-spec validate` must not import heavy or optional libraries.

Each check runs in a fresh interpreter (this test process has imported everything), calls
the CLI in-process and then lists which heavy top-level packages ended up in sys.modules.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, mutate

HEAVY = ("sklearn", "numpy", "scipy", "jinja2", "github3", "jsonschema", "requests")

PROBE = """
import contextlib, io, json, sys
from mlops_spec.main import main
codes = []
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    for args in json.loads(sys.argv[1]):
        codes.append(main(args))
heavy = sorted(m for m in sys.modules if m.split(".")[0] in json.loads(sys.argv[2]))
print(json.dumps({"codes": codes, "heavy": heavy}))
"""


def probe(runs: list[list[str]]) -> tuple[list[int], list[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(runs), json.dumps(HEAVY)],
                          cwd=REPO, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    return result["codes"], result["heavy"]


def test_validate_imports_nothing_heavy() -> None:
    runs = [["validate", "example-repo/mlops.yaml"]] + [
        ["validate", "--format", fmt, "example-repo"] for fmt in ("json", "github", "markdown")]
    codes, heavy = probe(runs)
    assert codes == [0, 0, 0, 0]
    assert heavy == [], f"validate imported {heavy}"


def test_failing_validation_imports_nothing_heavy(tmp_path: Path, example: str) -> None:
    # error paths: did-you-mean, the estimator table, schema errors, YAML errors
    semantic = mutate(example, ("HistGradientBoostingClassifier",
                                "HistGradientBoostingClasifier"))
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "mlops.yaml").write_text(semantic, encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "mlops.yaml").write_text(
        mutate(example, ("format: csv", "format: parket")), encoding="utf-8")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "mlops.yaml").write_text("a: [\n", encoding="utf-8")
    codes, heavy = probe([["validate", "--format", fmt, str(tmp_path)]
                          for fmt in ("text", "json", "github", "markdown")])
    assert codes == [2, 2, 2, 2]
    assert heavy == [], f"validate imported {heavy}"


@pytest.mark.parametrize("command", ["schema", "--version"])
def test_other_light_commands(command: str) -> None:
    codes, heavy = probe([[command]])
    assert codes == [0]
    assert heavy == []
