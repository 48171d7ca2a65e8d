"""Render 500 specs, then time one `mlops-spec render DIR --check` over all of them.

A temporary monorepo holds 500 specs (every deployment mode, all targets); they are
rendered once, then checked in a single invocation, which must take under 5 seconds on
2 cores. Prints one comparable line (total and per-spec cost).

    python bench/render_scale.py [--specs N] [--budget SECONDS]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from variants import VARIANTS, variant, write_repo

MLOPS_SPEC = [sys.executable, "-m", "mlops_spec"]


def build(root: Path, count: int) -> None:
    names = list(VARIANTS)
    specs = {f"models/m{i:04d}/mlops.yaml": variant(names[i % len(names)], f"model-{i:04d}")
             for i in range(count)}
    write_repo(root, specs)
    subprocess.run([*MLOPS_SPEC, "render", "-q", str(root)], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=500)
    parser.add_argument("--budget", type=float, default=5.0, help="seconds allowed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlops-render-scale-") as temp:
        root = Path(temp)
        build(root, args.specs)
        files = sum(1 for path in root.rglob("*") if path.is_file())
        start = time.perf_counter()
        done = subprocess.run([*MLOPS_SPEC, "render", "-q", "--check", str(root)],
                              capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
        print(f"render --check exited {done.returncode}", file=sys.stderr)
        return 1
    verdict = "ok" if elapsed < args.budget else f"OVER the {args.budget:g} s budget"
    print(f"render_scale: {args.specs} specs ({files} files), render --check in one "
          f"invocation: {elapsed:.2f} s total, {elapsed / args.specs * 1000:.2f} ms per spec "
          f"({verdict})")
    return 0 if elapsed < args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
