"""Build an output directory beside its target and move it into place at the end.

Everything is written into a temporary sibling directory; only when every file is there is
the previous directory swapped out and the new one renamed in (a rename on one file
system), so a failed run leaves ``--out`` exactly as it was. A non-empty directory that
does not look like an output of ours (no ``evaluation.json``) is never replaced (T008):
``--out .`` must not wipe a repository.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlops_spec.evaluation import FILENAME
from mlops_spec.train import TrainError


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise TrainError.single("T008", "the output path is a file", str(out),
                                hint="pass a directory for --out")
    if out.is_dir() and any(out.iterdir()) and not (out / FILENAME).exists():
        raise TrainError.single(
            "T008", "refusing to replace a non-empty directory mlops-spec did not write",
            str(out), hint="pass a new or empty directory (e.g. .mlops-spec/out)")


@contextlib.contextmanager
def staged(out: Path) -> Iterator[Path]:
    """Yield a temporary directory; on success it becomes ``out``."""
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield tmp
        _readable(tmp)
        if out.exists():
            old = out.with_name(f".{out.name}.old-{tmp.name}")
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _readable(root: Path) -> None:
    """Give the staged tree the modes a normal ``mkdir``/``open`` would (mkdtemp and
    mkstemp create them private to the user)."""
    import os

    mask = os.umask(0)
    os.umask(mask)
    for path in [root, *root.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False,
                               default=str) + "\n", encoding="utf-8", newline="\n")
    return path
