"""The real `train` output through the local store: upload then fetch restores it
byte-identical, and the next train compares with production's version from that store.
(An embedded model: a spec served from a cluster needs a remote store, M025; the S3
round trip of the example itself is in test_train_store.)"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import cli
from test_train_embedded import EMBEDDED, LOGISTIC
from train_fixtures import write_project

LOCAL_STORE = ('store: "s3://acme-models/credit-risk"', 'store: ".mlops-spec/store"')


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_train_upload_fetch_round_trip_and_champion_on_a_local_store(tmp_path: Path) -> None:
    spec = write_project(tmp_path / "p", *EMBEDDED, LOGISTIC, LOCAL_STORE, rows=1000)
    assert cli("train", spec, "--out", tmp_path / "v1", "--quiet").code == 0
    uploaded = cli("upload", spec, "--from", tmp_path / "v1", "--version", "v1")
    assert uploaded.code == 0 and "A014" not in uploaded.err, uploaded.err  # no runtime
    assert (tmp_path / "p" / ".mlops-spec" / "store" / "v1" / "manifest.json").is_file()
    fetched = cli("fetch", spec, "--version", "v1", "--to", tmp_path / "fetched")
    assert fetched.code == 0, fetched.err
    restored = _tree(tmp_path / "fetched")
    restored.pop("manifest.json", None)
    assert restored == _tree(tmp_path / "v1") and "model.skops" in restored

    (tmp_path / "p" / "mlops.yaml").write_text(
        (tmp_path / "p" / "mlops.yaml").read_text().replace(
            "    - {name: production, namespace: ml-prod,",
            "    - {name: production, namespace: ml-prod, model_version: v1,"),
        encoding="utf-8")
    second = cli("train", spec, "--out", tmp_path / "v2", "--quiet")
    assert second.code == 0, second.err
    first = json.loads((tmp_path / "v1" / "evaluation.json").read_text())
    evaluated = json.loads((tmp_path / "v2" / "evaluation.json").read_text())
    assert evaluated["champion"] == {"version": "v1", "metrics": first["metrics"]}
    assert evaluated["vs_production"]["passed"] is True
