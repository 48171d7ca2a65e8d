"""The monitor's reference: the profile stored with the version production serves.

`fetch --champion` and `drift --champion` on a really trained and uploaded version, in the
local store and on moto's S3 server: the fetched profile gives the same decision as the
profile `train` wrote; "production serves nothing yet" is a notice and exit 0, a pinned
version the store lacks is A011 (exit 2), a version without a profile A230.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import store_support
from conftest import cli
from store_support import tree, write_spec
from variants import variant

from mlops_spec.tools import example_data
from mlops_spec.tools.example_loop import shifted_sample

VERSION = "0123456789abcdef0123456789abcdef01234567"
s3 = store_support.s3  # moto's loopback S3 server (fixtures, by name)
s3_endpoint = store_support.s3_endpoint


def _project(root: Path, store: str) -> Path:
    """The example's features, embedded (no cluster, so a local store is allowed), trained
    on generated applications; retraining on drift."""
    example_data.write(root / "data" / "applications.csv", rows=1500)
    data = variant("embedded")
    data["model"]["artifact"]["store"] = store
    data["retrain"] = {"on": ["drift"]}
    data["model"]["params"]["max_iter"] = 40  # quick; the ONNX check is not under test
    data["deployment"]["embedded"] = {"tolerance": 0.5}
    return write_spec(root, data)


def _train_and_upload(spec: Path, out: Path, version: str = VERSION) -> None:
    trained = cli("train", spec, "--out", out, "--quiet")
    assert trained.code == 0, trained.err
    uploaded = cli("upload", spec, "--from", out, "--version", version,
                   "--allow-sklearn-mismatch")
    assert uploaded.code == 0, uploaded.err


def _serve(spec: Path, version: str) -> None:
    """What the deploy pipeline records for production (deploy/production/model-version.env)."""
    path = spec.parent / "deploy" / "production" / "model-version.env"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# generated\nMODEL_VERSION={version}\n", encoding="utf-8")


def _without_reference(report: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in report.items() if key != "reference"}


def _same_decisions(spec: Path, trained: Path, samples: list[Path]) -> list[int]:
    """For each sample: drift against the trainer's profile and against the stored one of
    production's version give the same report (but the reference's name)."""
    codes = []
    for sample in samples:
        local = cli("drift", spec, "--reference", trained / "reference.profile.npz",
                    "--current", sample, "--format", "json")
        stored = cli("drift", spec, "--champion", "--current", sample, "--format", "json")
        assert local.code in (0, 1), local.err
        assert stored.code == local.code, stored.err
        mine, theirs = json.loads(local.out), json.loads(stored.out)
        assert _without_reference(theirs) == _without_reference(mine)
        assert theirs["reference"]["rows"] == mine["reference"]["rows"]
        assert theirs["reference"]["file"].endswith(f"/{VERSION}/reference.profile.npz")
        assert f"the profile of version {VERSION}, which production serves" in stored.err
        codes.append(local.code)
    return codes


@pytest.fixture(scope="module")
def local_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("monitor-local")
    spec = _project(root / "repo", "store")
    _train_and_upload(spec, root / "trained")
    return spec, root / "trained"


def test_nothing_served_yet_is_a_notice_and_exit_0(local_project: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    spec, _trained = local_project
    version_file_path = spec.parent / "deploy" / "production" / "model-version.env"
    version_file_path.unlink(missing_ok=True)
    sample = example_data.write(tmp_path / "today.csv", rows=300, seed=7)
    for recorded in (None, "MODEL_VERSION=<unset>\n"):
        if recorded is not None:
            version_file_path.parent.mkdir(parents=True, exist_ok=True)
            version_file_path.write_text(recorded, encoding="utf-8")
        skipped = cli("drift", spec, "--champion", "--current", sample, "--format", "json")
        assert skipped.code == 0, skipped.err
        assert skipped.out == ""  # no report: there was nothing to compare with
        assert "notice: production (production) serves no model version yet" in skipped.err
        assert "drift check is skipped" in skipped.err
        assert ("model-version.env says <unset>" in skipped.err) == (recorded is not None)
        fetched = cli("fetch", spec, "--champion", "--to", tmp_path / f"champion-{recorded}")
        assert fetched.code == 0 and "nothing fetched" in fetched.err
        assert not (tmp_path / f"champion-{recorded}").exists()


def test_the_stored_profile_decides_as_the_trainers_one(local_project: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    spec, trained = local_project
    _serve(spec, VERSION)
    same = example_data.write(tmp_path / "same.csv", rows=1000,
                              seed=example_data.DEFAULT_SEED + 5)
    shifted = shifted_sample(tmp_path / "shifted.csv")
    assert _same_decisions(spec, trained, [same, shifted]) == [0, 1]
    # The stored profile is the trainer's, byte for byte (fetched and verified).
    fetched = cli("fetch", spec, "--champion", "--to", tmp_path / "champion")
    assert fetched.code == 0, fetched.err
    assert f"version {VERSION}" in fetched.out and "all digests verified" in fetched.out
    restored = tree(tmp_path / "champion")
    assert restored["reference.profile.npz"] == (trained / "reference.profile.npz").read_bytes()
    assert set(restored) == set(tree(trained))


def test_a_pin_wins_over_the_recorded_version(local_project: tuple[Path, Path],
                                             tmp_path: Path) -> None:
    spec, _trained = local_project
    _serve(spec, VERSION)
    pinned = spec.parent.parent / "pinned"
    shutil.copytree(spec.parent, pinned)
    text = (pinned / "mlops.yaml").read_text(encoding="utf-8")
    text = text.replace("namespace: ml-prod", "namespace: ml-prod\n    model_version: v9", 1)
    assert "model_version: v9" in text
    (pinned / "mlops.yaml").write_text(text, encoding="utf-8")
    sample = example_data.write(tmp_path / "today.csv", rows=300, seed=8)
    missing = cli("drift", pinned, "--champion", "--current", sample)
    assert missing.code == 2 and missing.out == ""
    assert "A011" in missing.err and "production serves version v9, which is not in the store" \
        in missing.err
    assert "Traceback" not in missing.err
    fetched = cli("fetch", pinned, "--champion", "--to", tmp_path / "champion")
    assert fetched.code == 2 and "A011" in fetched.err
    assert not (tmp_path / "champion").exists()


def test_a_damaged_version_file_is_an_error_not_a_skip(local_project: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    spec, _trained = local_project
    broken = spec.parent.parent / "broken"
    shutil.copytree(spec.parent, broken)
    (broken / "deploy" / "production").mkdir(parents=True, exist_ok=True)
    (broken / "deploy" / "production" / "model-version.env").write_text("MODEL_VERSION=$(id)\n")
    sample = example_data.write(tmp_path / "today.csv", rows=300, seed=9)
    result = cli("drift", broken, "--champion", "--current", sample)
    assert result.code == 2 and "A011" in result.err and "model-version.env:1" in result.err


def test_an_altered_stored_profile_is_refused(local_project: tuple[Path, Path],
                                              tmp_path: Path) -> None:
    spec, trained = local_project
    altered = spec.parent.parent / "altered"
    shutil.copytree(spec.parent, altered)
    _serve(altered / "mlops.yaml", VERSION)
    stored = altered / "store" / VERSION / "reference.profile.npz"
    assert stored.read_bytes() == (trained / "reference.profile.npz").read_bytes()
    original = stored.read_bytes()
    stored.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # same size, other bytes
    sample = example_data.write(tmp_path / "today.csv", rows=300, seed=10)
    result = cli("drift", altered, "--champion", "--current", sample)
    assert result.code == 2 and "A007" in result.err and result.out == ""
    assert "reference.profile.npz of this version does not match its sha256" in result.err


def test_a_version_without_a_profile_is_a230(tmp_path: Path) -> None:
    spec = _project(tmp_path / "repo", "store")
    trained = cli("train", spec, "--out", tmp_path / "out", "--quiet")
    assert trained.code == 0, trained.err
    (tmp_path / "out" / "reference.profile.npz").unlink()
    uploaded = cli("upload", spec, "--from", tmp_path / "out", "--version", "v1",
                   "--allow-sklearn-mismatch")
    assert uploaded.code == 0 and "reference.profile.npz is missing" in uploaded.err
    _serve(spec, "v1")
    sample = example_data.write(tmp_path / "today.csv", rows=300, seed=9)
    result = cli("drift", spec, "--champion", "--current", sample)
    assert result.code == 2 and "A230" in result.err
    assert "version v1 holds no reference.profile.npz" in result.err


def test_usage_errors_name_the_missing_option(local_project: tuple[Path, Path]) -> None:
    spec, _trained = local_project
    neither = cli("drift", spec, "--current", "x.csv")
    assert neither.code == 2 and "D007" in neither.err and "--champion" in neither.err
    both = cli("drift", spec, "--champion", "--reference", "p.npz")
    assert both.code == 2 and "not allowed with" in both.err
    training = cli("drift", spec, "--champion", "--training", "t.csv")
    assert training.code == 2 and "D007" in training.err
    assert cli("fetch", spec, "--to", "x").code == 2  # --version or --champion


@pytest.mark.slow
def test_on_s3_the_monitor_reads_production_profile(
        tmp_path: Path, s3: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> None:
    bucket = s3("monitor-models")
    spec = _project(tmp_path / "repo", f"{bucket}/credit-risk")
    sample = shifted_sample(tmp_path / "shifted.csv")
    # Before the first deploy: a notice, exit 0; nothing is read from the bucket.
    skipped = cli("drift", spec, "--champion", "--current", sample)
    assert skipped.code == 0 and "serves no model version yet" in skipped.err
    _train_and_upload(spec, tmp_path / "trained")
    _serve(spec, VERSION)
    same = example_data.write(tmp_path / "same.csv", rows=1000,
                              seed=example_data.DEFAULT_SEED + 5)
    assert _same_decisions(spec, tmp_path / "trained", [same, sample]) == [0, 1]
    # Production's version recorded, but not in the bucket (another store, a typo).
    _serve(spec, "deadbeef")
    missing = cli("drift", spec, "--champion", "--current", sample)
    assert missing.code == 2 and "A011" in missing.err
    assert "s3://monitor-models/credit-risk/deadbeef" in missing.err
    # No credentials: a store error naming the store, never a traceback.
    _serve(spec, VERSION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "wrong")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens
    unreachable = cli("drift", spec, "--champion", "--current", sample)
    assert unreachable.code == 2 and "A010" in unreachable.err
    assert "Traceback" not in unreachable.err and "wrong" not in unreachable.err
