"""``python -m mlops_spec.tools.example_summary ROOT``: what ``render`` produced under ROOT,
and where, as a short table (``make example`` prints it after rendering).

Read from ``.mlops-spec/manifest.json``, the writer's record of every generated file, so it
shows what exists whether this run wrote the files or found them unchanged.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path, PurePosixPath

from mlops_spec.render.writer import MANIFEST

WHAT = {
    "argocd": "Argo CD AppProject and ApplicationSet (docs/delivery.md)",
    "github_actions": "GitHub Actions workflows (docs/github-actions.md)",
    "jenkins": "Jenkins pipeline (docs/jenkins.md)",
    "kubernetes": "Kubernetes manifests (docs/kubernetes.md)",
    "codeowners": "CODEOWNERS block: who reviews what (docs/rendering.md)",
}


def _where(paths: list[str]) -> str:
    """Directories of the files (a file at the top level is named itself)."""
    places = {f"{PurePosixPath(p).parent}/" if "/" in p else p for p in paths}
    return ", ".join(sorted(places))


def summary(root: Path) -> str:
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    rows: list[tuple[str, ...]] = [("spec", "target", "files", "where", "what")]
    for spec_path, entry in manifest["specs"].items():
        by_target: dict[str, list[str]] = defaultdict(list)
        for path, info in entry["files"].items():
            by_target[info["target"]].append(path)
        rows += [(spec_path, target, str(len(paths)), _where(paths), WHAT.get(target, ""))
                 for target, paths in sorted(by_target.items())]
    codeowners = root / ".github" / "CODEOWNERS"
    if codeowners.is_file() and "# BEGIN mlops-spec" in codeowners.read_text(encoding="utf-8"):
        rows.append(("", "codeowners", "1", ".github/CODEOWNERS", WHAT["codeowners"]))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"produced under {root}/:"]
    lines += ["  " + "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)),
                                row[4]]).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(summary(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
