"""Latency of `mlops-spec check --base`, as a ratio to `mlops-spec validate` in the same run.

(a) The example: a temporary git repository with the example committed on ``main`` and a
    PR branch changing one parameter; ``check SPEC --base main`` against ``validate SPEC``
    (median of interleaved runs after warm-up). Goal: <= 3x.
(b) A monorepo of 500 specs (copies of the example under their own names) on ``main``, a
    PR touching 50 of them; ``check --base main`` (it finds the 50 itself) against
    ``validate`` of those same 50 files. Goal: <= 3x.

Both run with a private bytecode cache. This script reports; it always exits 0.

Usage: .venv/bin/python bench/gate_latency.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "example-repo" / "mlops.yaml"
CLI = Path(sys.executable).parent / "mlops-spec"
GOAL = 3.0
GIT_ENV = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()}")
    return time.perf_counter() - start


def compare(name: str, gate: list[str], baseline: list[str], cwd: Path, runs: int,
            env: dict[str, str]) -> None:
    for _ in range(2):
        timed(gate, cwd, env)
        timed(baseline, cwd, env)
    ours, base = [], []
    for _ in range(runs):
        ours.append(timed(gate, cwd, env))
        base.append(timed(baseline, cwd, env))
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"{name}: check {statistics.median(ours) * 1000:.0f} ms, validate "
          f"{statistics.median(base) * 1000:.0f} ms, ratio {ratio:.2f}x (goal <= {GOAL:g}x: "
          f"{'PASS' if ratio <= GOAL else 'FAIL'})")


def example_repo(root: Path) -> None:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "mlops.yaml").write_text(EXAMPLE.read_text())
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "pr")
    text = (root / "mlops.yaml").read_text().replace("max_iter: 200", "max_iter: 300")
    (root / "mlops.yaml").write_text(text)


def monorepo(root: Path, specs: int, touched: int) -> list[str]:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    text = EXAMPLE.read_text()
    paths = []
    for i in range(specs):
        path = root / "models" / f"m{i:03d}" / "mlops.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(text.replace("name: credit-risk", f"name: model-{i:03d}"))
        paths.append(path)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "pr")
    for path in paths[:touched]:
        path.write_text(path.read_text().replace("max_iter: 200", "max_iter: 300"))
    git(root, "commit", "-q", "-am", "touch")
    return [str(p.relative_to(root)) for p in paths[:touched]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache")}
        one = Path(tmp) / "example"
        example_repo(one)
        compare("example (1 spec)", [str(CLI), "check", "mlops.yaml", "--base", "main"],
                [str(CLI), "validate", "mlops.yaml"], one, args.runs, env)
        mono = Path(tmp) / "mono"
        touched = monorepo(mono, 500, 50)
        compare("monorepo (50 of 500 specs touched)", [str(CLI), "check", "--base", "main"],
                [str(CLI), "validate", *touched], mono, max(3, args.runs // 3), env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
