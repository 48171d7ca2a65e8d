"""Fixtures of the store tests: a spec on disk, the directory `train --out` writes (a
real fitted scikit-learn model, skops-dumped, and its evaluation.json for that spec), and
the loopback servers the backends talk to (moto's S3, `mlflow server`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from variants import dump, variant

from mlops_spec import evaluation
from mlops_spec.spec.validate import validate_file
from mlops_spec.store.manifest import file_digest

Data = dict[str, Any]


def write_spec(root: Path, data: Data) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "mlops.yaml"
    path.write_text(dump(data), encoding="utf-8")
    result = validate_file(path)
    assert result.ok, [d.message for d in result.diagnostics]
    return path


def embedded_spec(store: str | None = None) -> Data:
    data = variant("embedded-minimal")
    if store is not None:
        data["model"]["artifact"]["store"] = store
    return data


def train_out(spec_file: Path, out: Path, seed: int = 0) -> Path:
    """What `mlops-spec train --out` writes, built here with a really fitted model (the
    train command is built in parallel; the lead adds a test with it at merge)."""
    import joblib
    import numpy as np
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    spec = validate_file(spec_file).spec
    assert spec is not None
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(200, 3))
    labels = (features[:, 0] + 0.5 * features[:, 1] > 0).astype(int)
    model = LogisticRegression(max_iter=200).fit(features, labels)
    out.mkdir(parents=True)
    sio.dump(model, out / "model.skops")
    (out / "serving").mkdir()
    joblib.dump(model, out / "serving" / "model.joblib")
    (out / "model-card.md").write_text(f"# {spec.name}\n", encoding="utf-8")
    (out / "model-card.json").write_text(json.dumps({"model": spec.name}), encoding="utf-8")
    # As the pipelines train: with the scikit-learn the serving runtime carries (the real
    # train output, recording this environment's version, is tests/train/test_train_store).
    import sklearn

    from mlops_spec.render.kubernetes.runtimes import sklearn_version
    trained_with = sklearn_version(spec) or sklearn.__version__
    (out / "lineage.json").write_text(json.dumps(
        {"seed": seed, "packages": {"scikit-learn": trained_with}}), encoding="utf-8")
    (out / "reference.profile.npz").write_bytes(b"PK\x05\x06" + bytes(18))
    (out / "datasheets").mkdir()
    (out / "datasheets" / "applications.json").write_text("{}\n", encoding="utf-8")
    accuracy = float(model.score(features, labels))
    record = evaluation.Evaluation(
        format="mlops-spec/evaluation/v1", model=spec.name,
        spec=evaluation.SpecRef(path="mlops.yaml", digest=evaluation.spec_digest(spec)),
        data=[], task=spec.model.task, estimator=spec.model.estimator,
        rows=evaluation.Rows(train=150, test=50), metrics={"accuracy": accuracy},
        thresholds=[], champion=None, vs_production=None, decision="pass",
        artifact=evaluation.ArtifactRecord(file="model.skops", format="skops",
                                           sha256=file_digest(out / "model.skops")[0]),
        tool=evaluation.Tool(name="mlops-spec", version="test"))
    evaluation.write(record, out)
    return out


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- moto's S3 server -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], str]:
    """``s3(bucket)``: creates the bucket on the loopback server and points the AWS
    environment at it; returns ``s3://bucket``."""
    import boto3

    env = {"AWS_ACCESS_KEY_ID": "testing-key-id", "AWS_SECRET_ACCESS_KEY": "testing-secret",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": s3_endpoint}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)

    def make(bucket: str) -> str:
        boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
        return f"s3://{bucket}"

    return make


# --- mlflow server --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mlflow")
    port = free_port()
    command = [str(Path(sys.executable).parent / "mlflow"), "server",
               "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
               "--default-artifact-root", (root / "artifacts").as_uri(),
               "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    log = (root / "server.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("mlflow server did not start:\n"
                            + (root / "server.log").read_text(errors="replace")[-3000:])
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
