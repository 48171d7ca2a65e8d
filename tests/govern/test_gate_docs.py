"""The docs move with the code: every class, check and G code is documented as it is."""

from __future__ import annotations

import re

from helpers import REPO

from mlops_spec.govern.checks import CHECKS
from mlops_spec.govern.classes import CLASSES
from mlops_spec.govern.policy import FLOORS
from mlops_spec.spec.checklist import BUILTIN_CHECKS

GOVERNANCE = (REPO / "docs" / "governance.md").read_text()
DIAGNOSTICS = (REPO / "docs" / "diagnostics.md").read_text()


def test_every_class_is_documented_with_its_roles() -> None:
    for name, row in CLASSES.items():
        line = next((x for x in GOVERNANCE.splitlines() if x.startswith(f"| `{name}` |")), None)
        assert line is not None, name
        roles_cell = line.rsplit("|", 2)[-2]
        assert set(re.findall(r"`([a-z_]+)`", roles_cell)) >= set(row.roles), name


def test_every_check_is_registered_documented_and_known_to_the_validator() -> None:
    assert set(CHECKS) == set(BUILTIN_CHECKS)
    for check_id in CHECKS:
        assert f"| `{check_id}` |" in GOVERNANCE, check_id
    for tier, ids in FLOORS.items():
        line = next(x for x in GOVERNANCE.splitlines() if x.startswith(f"| `{tier}` |"))
        assert set(re.findall(r"`([a-z-]+)`", line)) - {tier} == set(ids)


def test_every_g_code_is_documented() -> None:
    used = set()
    for path in [*(REPO / "mlops_spec" / "govern").glob("*.py"), REPO / "mlops_spec" / "git.py",
                 REPO / "mlops_spec" / "gate_inputs.py", REPO / "mlops_spec" / "commands" /
                 "check.py"]:
        used |= set(re.findall(r'"(G\d{3})"', path.read_text()))
    assert used
    for code in used:
        assert f"| {code} |" in DIAGNOSTICS, code
