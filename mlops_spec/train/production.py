"""The champion ``train`` and ``evaluate`` compare with when no ``--champion DIR`` is given:
the version production serves (``mlops_spec.store.champion``), fetched into a temporary
directory for the run.

Production serving nothing yet gives no champion (the vs_production check is not
applicable). A store that cannot be reached or read — pull-request CI often has no store
credentials, or the backend's extra is not installed — is a warning (T016) and no champion,
never a failed run: the evidence then says ``champion: null``, and the gate holds the pull
request pending (G270) while the base branch says production serves a version. A
malformed ``model-version.env``, or a store that answers but lacks production's version
(A011), is still an error.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mlops_spec.diagnostics import MissingExtra, UserError
from mlops_spec.spec.sections import Spec
from mlops_spec.train.progress import Progress


@dataclass(frozen=True)
class ChampionDir:
    directory: Path
    version: str | None  # the store's version; None for a --champion DIR given by hand


@contextlib.contextmanager
def champion_dir(spec: Spec, spec_file: Path, given: Path | None,
                 progress: Progress) -> Iterator[ChampionDir | None]:
    """``given`` as is, else production's version fetched for the run (or None)."""
    if given is not None:
        yield ChampionDir(given, None)
        return
    from mlops_spec.store.champion import fetch_champion, resolve

    if resolve(spec, spec_file) is None:  # A011 on a malformed version file propagates
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="mlops-spec-champion-") as tmp:
        target = Path(tmp) / "champion"
        progress.step("fetching production's version (the champion)")
        try:
            version = fetch_champion(spec, spec_file, target)
        except (UserError, MissingExtra) as exc:
            if any(d.code == "A011" for d in exc.diagnostics):
                raise  # the store answered: the version production serves is not there
            _warn(exc)
            version = None
        yield ChampionDir(target, version) if version else None


def _warn(exc: UserError) -> None:
    first = exc.diagnostics[0] if exc.diagnostics else None
    why = f"{first.code} {first.message}" if first else str(exc)
    print(f"warning: T016 no champion: the store could not give production's version "
          f"({why}); evaluation.json records champion null and vs_production is not "
          "checked, so the gate stays pending while production serves a version (pass "
          "--champion DIR, or give this job read access to the store)",
          file=sys.stderr)
