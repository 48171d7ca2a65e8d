"""The repository is self-contained: nothing reads reference data beside the checkout."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"

# A path reaching outside the checkout: the reference folder beside it (relative or absolute),
# or `REPO.parent / ...`.
_OUTSIDE = re.compile(r"\.\./shared|/work/shared|\.parent\s*/\s*[\"']shared[\"']")


def _sources() -> list[Path]:
    roots = [REPO / "tests", REPO / "mlops_spec", REPO / ".ci", REPO / "Makefile"]
    files: list[Path] = []
    for root in roots:
        if root.is_file():
            files.append(root)
        elif root.is_dir():
            files += [p for p in root.rglob("*") if p.is_file() and p.suffix in {
                ".py", ".sh", ".mjs", ".md", ".j2", ""} and "__pycache__" not in p.parts]
    return files


def test_no_source_or_test_reads_outside_the_checkout() -> None:
    offenders = [f"{path.relative_to(REPO)}:{n}" for path in _sources()
                 if path != Path(__file__)
                 for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
                 if _OUTSIDE.search(line)]
    assert offenders == []


def test_vendored_crd_schemas_carry_their_provenance() -> None:
    readme = (FIXTURES / "crd-schemas" / "README.md").read_text(encoding="utf-8")
    schemas = sorted(p.name for p in (FIXTURES / "crd-schemas").glob("*.json"))
    assert schemas, "no vendored CRD schema"
    for name in schemas:
        [row] = [line for line in readme.splitlines() if line.startswith(f"| {name} |")]
        assert re.search(r"\| [0-9a-f]{40} \(\d{4}-\d\d-\d\d\) \|$", row), row
