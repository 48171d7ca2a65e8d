"""The one table of GitHub Actions that generated workflows use, pinned to commit SHAs.

Every SHA here is copied from the reference table vendored at
``tests/fixtures/action-pins.md`` (read from each action's own repository; a test keeps
the two equal). Never invent or guess one: a SHA that is not a real commit of the action
fails only at run time on GitHub, and no offline check can tell. Prefer a plain ``run:``
step with what GitHub-hosted runners already have (``gh``, ``kubectl``, ``python``) over
adding an action here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops_spec.render.escaping import Escaped, literal


@dataclass(frozen=True, slots=True)
class Pin:
    action: str
    tag: str
    sha: str

    def uses(self) -> Escaped:
        """``owner/repo@<sha> # vX.Y.Z`` for a ``uses:`` line."""
        return literal(f"{self.action}@{self.sha} # {self.tag}")


PINS: dict[str, Pin] = {pin.action: pin for pin in (
    Pin("actions/checkout", "v7.0.1", "3d3c42e5aac5ba805825da76410c181273ba90b1"),
    Pin("actions/setup-python", "v7.0.0", "5fda3b95a4ea91299a34e894583c3862153e4b97"),
    Pin("actions/upload-artifact", "v7.0.0", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f"),
    Pin("actions/download-artifact", "v8.0.1", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c"),
)}

_SHA = re.compile(r"^[0-9a-f]{40}$")
_TAG = re.compile(r"^v[0-9]+\.[0-9]+\.[0-9]+$")
assert all(_SHA.match(p.sha) and _TAG.match(p.tag) for p in PINS.values())


def uses(action: str) -> Escaped:
    return PINS[action].uses()
