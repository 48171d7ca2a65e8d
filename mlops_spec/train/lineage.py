"""``lineage.json``: where a model came from (the machine-dependent facts live here, not in
``evaluation.json``): spec and data digests, the git commit and whether the tree was dirty,
package versions, seed, wall time and host."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT = "mlops-spec/lineage/v1"
PACKAGES = ("mlops-spec", "scikit-learn", "numpy", "pandas", "scipy", "skops", "pyarrow",
            "joblib")


def git_state(directory: Path) -> dict[str, Any] | None:
    """``{commit, dirty}`` of the repository holding ``directory``, or None outside one."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=directory, capture_output=True,
                                  text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def record(*, spec_path: str, spec_digest: str, data: list[dict[str, Any]], seed: int,
           started: datetime, spec_dir: Path, artifact: dict[str, Any],
           runner: str) -> dict[str, Any]:
    ended = datetime.now(UTC)
    return {
        "format": FORMAT,
        "spec": {"path": spec_path, "digest": spec_digest},
        "data": data,
        "git": git_state(spec_dir),
        "packages": versions(),
        "seed": seed,
        "runner": runner,
        "artifact": artifact,
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round((ended - started).total_seconds(), 3),
        "host": {"name": platform.node(), "platform": platform.platform(),
                 "cpus": os.cpu_count(), "python": sys.executable},
    }
