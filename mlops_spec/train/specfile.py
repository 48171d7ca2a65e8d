"""Find and validate the spec a train/evaluate/score run uses (invalid -> T015, exit 2)."""

from __future__ import annotations

import sys
from pathlib import Path

from mlops_spec.diagnostics import require
from mlops_spec.spec.sections import Spec
from mlops_spec.train import TrainError


def load_spec(target: Path, command: str) -> tuple[Path, Spec]:
    from mlops_spec.spec.validate import discover, validate_file

    require("sklearn", "train", f"mlops-spec {command}")
    require("skops", "train", f"mlops-spec {command}")
    require("pandas", "train", f"mlops-spec {command}")
    path = target
    if target.is_dir():
        found = list(discover(target))
        if len(found) != 1:
            problem = "no mlops.yaml" if not found else f"{len(found)} specs"
            raise TrainError.single("T015", f"{problem} in this directory", str(target),
                                    hint="pass the spec file")
        path = found[0]
    result = validate_file(path)
    if result.spec is None or not result.ok:
        from mlops_spec.diagnostics.formatters import FORMATTERS

        sources = {result.file: result.document} if result.document else {}
        sys.stderr.write(FORMATTERS["text"](result.diagnostics, sources))
        raise TrainError.single("T015", "the spec is not valid", result.file,
                                hint=f"fix it (mlops-spec validate) before {command}")
    return path, result.spec
