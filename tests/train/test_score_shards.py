"""Batch scoring: streamed chunks, CSV and Parquet, shards that add up to one run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import cli
from helpers import REPO
from train_fixtures import trained_example

from mlops_spec.spec.validate import validate_file
from mlops_spec.tools import example_data
from mlops_spec.train import artifact
from mlops_spec.train.batch import Shard, score
from mlops_spec.train.progress import Progress

SPEC = REPO / "example-repo" / "mlops.yaml"


@pytest.fixture(scope="module")
def scoring_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("score") / "input.csv"
    path.write_text(example_data.to_csv(example_data.generate(2_345, seed=7)),
                    encoding="utf-8")
    return path


def test_four_shards_together_are_one_unsharded_run(tmp_path: Path, scoring_input: Path
                                                    ) -> None:
    whole = tmp_path / "all.csv"
    run = cli("score", SPEC, "--model", trained_example(), "--input", scoring_input,
              "--output", whole, "--quiet")
    assert run.code == 0, run.err
    parts = []
    for index in range(4):
        out = tmp_path / f"part-{index}.csv"
        run = cli("score", SPEC, "--model", trained_example(), "--input", scoring_input,
                  "--output", out, "--shard", f"{index}/4", "--quiet")
        assert run.code == 0, run.err
        parts.append(out.read_text().splitlines())
    joined = parts[0] + [line for part in parts[1:] for line in part[1:]]
    assert joined == whole.read_text().splitlines()
    assert len(joined) == 2_345 + 1
    assert [len(p) - 1 for p in parts] == [586, 586, 586, 587]


def test_scores_match_the_in_memory_pipeline_and_hide_pii(tmp_path: Path,
                                                          scoring_input: Path) -> None:
    result = validate_file(SPEC)
    assert result.spec is not None
    out = tmp_path / "scores.csv"
    rows = score(result.spec, trained_example(), scoring_input, out, None, Progress(True),
                 chunk_rows=500)  # several chunks, one partial
    assert rows == 2_345
    scored = pd.read_csv(out)
    assert "email" not in scored.columns and "zip_code" not in scored.columns
    assert list(scored.columns[-2:]) == ["prediction", "probability"]
    model = artifact.load(trained_example())
    frame = pd.read_csv(scoring_input, dtype={"home_ownership": object})
    expected = model.predict_proba(frame[list(model.feature_names_in_)])[:, 1]
    assert (abs(scored["probability"].to_numpy() - expected) < 1e-12).all()
    assert (scored["prediction"].to_numpy() == model.predict(
        frame[list(model.feature_names_in_)])).all()


def test_parquet_in_and_out_equals_csv(tmp_path: Path, scoring_input: Path) -> None:
    frame = pd.read_csv(scoring_input, dtype={"home_ownership": object, "zip_code": object,
                                              "email": object})
    parquet_in = tmp_path / "input.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), parquet_in,
                   row_group_size=700)
    run = cli("score", SPEC, "--model", trained_example(), "--input", parquet_in,
              "--output", tmp_path / "out.parquet", "--shard", "1/3", "--quiet")
    assert run.code == 0, run.err
    run = cli("score", SPEC, "--model", trained_example(), "--input", scoring_input,
              "--output", tmp_path / "out.csv", "--shard", "1/3", "--quiet")
    assert run.code == 0, run.err
    from_parquet = pq.read_table(tmp_path / "out.parquet").to_pandas()
    from_csv = pd.read_csv(tmp_path / "out.csv")
    assert len(from_parquet) == len(from_csv) == 782
    assert (from_parquet["probability"].to_numpy() == from_csv["probability"].to_numpy()).all()


def test_shard_bounds_cover_every_row_once() -> None:
    for rows in (0, 1, 7, 100, 2_345):
        for count in (1, 2, 3, 4, 9):
            covered = []
            for index in range(count):
                low, high = Shard(index, count).bounds(rows)
                covered += range(low, high)
            assert covered == list(range(rows))


def test_missing_feature_in_the_input(tmp_path: Path, scoring_input: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text(scoring_input.read_text().replace("loan_amount", "loan_amt", 1))
    run = cli("score", SPEC, "--model", trained_example(), "--input", broken,
              "--output", tmp_path / "o.csv", "--quiet")
    assert run.code == 2 and "T002" in run.err and "loan_amt" in run.err
    assert not (tmp_path / "o.csv").exists()
    assert list(tmp_path.glob(".o.csv*")) == []


def test_a_value_that_is_not_a_number_is_named(tmp_path: Path, scoring_input: Path) -> None:
    lines = scoring_input.read_text().splitlines()
    cells = lines[1500].split(",")
    cells[2] = "n/a-ish"  # loan_amount
    lines[1500] = ",".join(cells)
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines) + "\n")
    run = cli("score", SPEC, "--model", trained_example(), "--input", broken,
              "--output", tmp_path / "o.csv", "--quiet")
    assert run.code == 2 and "T004" in run.err
    assert "'loan_amount'" in run.err and "row 1500" in run.err and "'n/a-ish'" in run.err
