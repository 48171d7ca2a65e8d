"""Synthetic credit data and the drift CLI in a subprocess, shared by the drift and store
tests."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
HEADER = ["income", "loan_amount", "employment_years", "debt_to_income", "home_ownership",
          "defaulted", "prediction"]


def write_data(path: Path, rows: int, seed: int, *, shift: float = 0.0,
               ownership: tuple[float, float, float] = (0.5, 0.3, 0.2),
               good_model: bool = True) -> Path:
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10.0 + shift, 0.5, rows)
    loan = rng.normal(20000.0 + shift * 10000.0, 5000.0, rows)
    years = rng.integers(0, 30, rows) + int(shift * 10)
    dti = rng.uniform(0.0, 1.0, rows) + shift
    home = rng.choice(["own", "rent", "mortgage"], rows, p=ownership)
    label = rng.integers(0, 2, rows)
    noise = rng.uniform(0.0, 1.0, rows)
    score = np.clip(label * 0.6 + noise * 0.5, 0, 1) if good_model else noise
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow([f"{income[i]:.2f}" if i % 40 else "", f"{loan[i]:.1f}",
                             years[i], f"{dti[i]:.4f}", home[i], label[i], f"{score[i]:.3f}"])
    return path


def drift(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlops_spec", "drift", *map(str, args)],
                          capture_output=True, text=True, check=False, cwd=REPO)


def drift_workspace(root: Path, rows: int) -> Path:
    """``root`` with the example spec, ``rows`` of training data and the reference profile
    built from them by the real CLI (``model.profile.npz``)."""
    import shutil

    shutil.copy(REPO / "example-repo" / "mlops.yaml", root / "mlops.yaml")
    write_data(root / "train.csv", rows, seed=1)
    result = drift(root / "mlops.yaml", "--reference", root / "model.profile.npz",
                   "--training", root / "train.csv")
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    return root
