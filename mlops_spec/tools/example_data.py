"""The example's training data: a seeded, synthetic consumer-credit table.

``python -m mlops_spec.tools.example_data`` writes ``example-repo/data/applications.csv``
(5,000 rows). Nothing in it is real: names, e-mail addresses and zip codes are generated.
The generator is committed so the file can be rebuilt byte for byte, and so tests and
benchmarks can make larger tables with the same shape (``rows=1_000_000``).

How the columns relate (so a model has something to learn):

* ``employment_years``: exponential-ish (mean ~7), capped at 45, 4% missing;
* ``income``: log-normal around 48k, rising with employment years, 3% missing;
* ``home_ownership``: own / mortgage / rent / other, richer applicants own more often,
  1% missing;
* ``loan_amount``: log-normal, scaled with income;
* ``debt_to_income``: beta-distributed, higher for renters, 2% missing;
* ``defaulted``: a logistic function of debt-to-income, loan-to-income, income, employment
  and renting, plus noise; about 30% of rows default.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from typing import Any

COLUMNS = ("application_id", "income", "loan_amount", "employment_years", "debt_to_income",
           "home_ownership", "email", "zip_code", "defaulted")
OWNERSHIP = ("own", "mortgage", "rent", "other")
DOMAINS = ("example.com", "mail.example", "post.example", "inbox.example")
DEFAULT_ROWS = 5_000
DEFAULT_SEED = 20240601
EXAMPLE_FILE = Path("example-repo/data/applications.csv")


def generate(rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Columns as numpy arrays (floats with NaN for missing, strings for labels)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    employment = np.minimum(rng.gamma(1.6, 4.5, rows), 45.0).round(1)
    income = np.exp(rng.normal(10.8 + 0.025 * employment, 0.45)).round(-2)
    wealth = (np.log(income) - 10.8) / 0.45
    weights = np.stack([0.18 + 0.08 * np.tanh(wealth), 0.37 + 0.08 * np.tanh(wealth),
                        0.38 - 0.14 * np.tanh(wealth), np.full(rows, 0.07)], axis=1)
    weights /= weights.sum(axis=1, keepdims=True)
    cumulative = weights.cumsum(axis=1)
    ownership = np.array(OWNERSHIP, dtype=object)[
        (rng.random(rows)[:, None] > cumulative).sum(axis=1)]
    renting = ownership == "rent"
    loan = np.exp(rng.normal(np.log(income * 0.35), 0.5)).round(-2).clip(1_000, 250_000)
    dti = rng.beta(2.2 + 0.8 * renting, 5.5, rows).round(3)

    logit = (-1.3 + 7.5 * (dti - 0.3) + 1.6 * np.log(loan / income / 0.35)
             - 0.9 * wealth - 0.06 * (employment - 7) + 0.5 * renting
             + rng.normal(0, 0.3, rows))
    defaulted = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)

    def missing(values: Any, share: float) -> Any:
        out = values.astype(float)
        out[rng.random(rows) < share] = np.nan
        return out

    ids = np.arange(1, rows + 1)
    emails = np.array([f"applicant{n:07d}@{DOMAINS[n % len(DOMAINS)]}" for n in ids],
                      dtype=object)
    zips = np.array([f"{z:05d}" for z in rng.integers(1000, 99_999, rows)], dtype=object)
    ownership[rng.random(rows) < 0.01] = ""  # 1% not recorded
    return {
        "application_id": ids, "income": missing(income, 0.03), "loan_amount": loan,
        "employment_years": missing(employment, 0.04), "debt_to_income": missing(dti, 0.02),
        "home_ownership": ownership, "email": emails, "zip_code": zips,
        "defaulted": defaulted,
    }


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if value != value else repr(round(value, 3))  # NaN -> empty cell
    return str(value)


def to_csv(columns: dict[str, Any]) -> str:
    """Deterministic CSV text (LF line ends, empty cells for missing values)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    lists = [columns[name].tolist() for name in COLUMNS]
    writer.writerows([_cell(value) for value in row] for row in zip(*lists, strict=True))
    return buffer.getvalue()


def write(path: Path, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(to_csv(generate(rows, seed)), encoding="utf-8", newline="\n")
    tmp.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=EXAMPLE_FILE)
    args = parser.parse_args()
    print(f"wrote {write(args.out, args.rows, args.seed)}")


if __name__ == "__main__":
    main()
