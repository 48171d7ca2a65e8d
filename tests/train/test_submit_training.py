"""submit-training: a Job really trained (tests/support/fake_cluster.py runs the pod's
containers as local processes: `mlops-spec train`, then `mlops-spec upload --run` to moto's
S3 server), its outputs fetched into --out for the pipeline's next steps; failures, a
timeout, a missing kubectl and missing outputs each a T code with --out untouched."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import cli
from fake_cluster import FakeCluster
from variants import dump, variant

from mlops_spec import evaluation
from mlops_spec.render.kubernetes.training import RUN_LABEL
from mlops_spec.tools import example_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
import store_support  # tests/store: the loopback servers, shared

s3 = store_support.s3
s3_endpoint = store_support.s3_endpoint
pytestmark = pytest.mark.slow  # real training in a subprocess, moto's server

NAMESPACE = "ml-staging"
DATA = "s3://acme-data/credit-risk/applications.csv"


def cluster_spec(root: Path, data_uri: str = DATA) -> Path:
    data: dict[str, Any] = variant("example")
    data["data"]["sources"][0]["uri"] = data_uri
    data["training"] = {"runner": "builtin", "platform": "kubernetes",
                        "image": "ghcr.io/acme/credit-risk-train:1.4.0", "timeout_minutes": 20}
    return store_support.write_spec(root, data)


@pytest.fixture
def cluster(tmp_path: Path, s3: Callable[[str], str],
            monkeypatch: pytest.MonkeyPatch) -> FakeCluster:
    import boto3

    s3("acme-models")
    s3("acme-data")
    csv = example_data.to_csv(example_data.generate(600))
    boto3.client("s3").put_object(Bucket="acme-data", Key="credit-risk/applications.csv",
                                  Body=csv.encode())
    fake = FakeCluster(tmp_path / "cluster")
    for key, value in fake.env().items():
        monkeypatch.setenv(key, value)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.delenv("MODEL_VERSION", raising=False)
    fake.add(NAMESPACE, {"apiVersion": "v1", "kind": "ServiceAccount",
                         "metadata": {"name": "credit-risk-training"}})
    return fake


def _run_prefix_keys() -> list[str]:
    import boto3

    listed = boto3.client("s3").list_objects_v2(Bucket="acme-models",
                                                Prefix="credit-risk/_runs/")
    return [item["Key"] for item in listed.get("Contents", [])]


def test_the_job_trains_in_the_cluster_and_its_outputs_come_back(
        tmp_path: Path, cluster: FakeCluster) -> None:
    spec = cluster_spec(tmp_path / "project")
    out = tmp_path / "out"
    version = "0123456789abcdef0123456789abcdef01234567"
    run = cli("submit-training", spec, "--out", out, "--version", version)
    assert run.code == 0, run.err
    assert "trained credit-risk in the cluster" in run.out and "roc_auc" in run.out

    record = evaluation.read(out / "evaluation.json")  # the contract's own reader
    assert record.model == "credit-risk" and record.rows.test > 0
    assert record.spec.digest == evaluation.spec_digest(store_support.validate_file(
        spec).spec)  # type: ignore[arg-type]
    for name in ("model.skops", "model-card.md", "lineage.json", "reference.profile.npz",
                 "serving/model.joblib", "datasheets/applications.json"):
        assert (out / name).is_file(), name
    assert not (out / "manifest.json").exists()  # a train --out directory, not a version

    # One ConfigMap and one Job, named per run, labelled, with the Job's safety settings.
    created = cluster.created()
    assert [o["kind"] for o in created] == ["ConfigMap", "Job"]
    configmap, job = created
    labels = job["metadata"]["labels"]
    run_id = labels[RUN_LABEL]
    assert run_id.startswith(version[:12] + "-")
    assert labels["app.kubernetes.io/version"] == version
    assert job["metadata"]["name"].startswith("credit-risk-train-")
    assert job["metadata"]["namespace"] == NAMESPACE
    assert job["spec"]["backoffLimit"] == 0 and job["spec"]["ttlSecondsAfterFinished"] > 0
    pod = job["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "credit-risk-training"
    assert pod["initContainers"][0]["command"][:2] == ["mlops-spec", "train"]
    assert pod["containers"][0]["command"][-2:] == ["--run", run_id]
    assert pod["volumes"][0]["configMap"]["name"] == configmap["metadata"]["name"]

    # The run's spec ConfigMap is removed; the run left the store once fetched.
    assert f"ConfigMap/{configmap['metadata']['name']}" in cluster.deleted()
    assert _run_prefix_keys() == []

    # What came back is what the pipeline uploads next, unchanged.
    uploaded = cli("upload", spec, "--from", out, "--version", version,
                   "--allow-sklearn-mismatch")
    assert uploaded.code == 0, uploaded.err


def test_a_failed_job_shows_its_logs_and_leaves_out_untouched(
        tmp_path: Path, cluster: FakeCluster) -> None:
    spec = cluster_spec(tmp_path / "project", "s3://acme-data/credit-risk/missing.csv")
    out = tmp_path / "out"
    out.mkdir()
    run = cli("submit-training", spec, "--out", out, "--quiet")
    assert run.code == 2, run.err
    assert "T242" in run.err and "failed" in run.err
    assert "T001" in run.err and "missing.csv" in run.err  # the pod's own diagnostic
    assert "[pod/credit-risk-train-" in run.err  # the logs, per container
    assert list(out.iterdir()) == []
    assert list(tmp_path.glob(".out.run-*")) == []


def test_a_job_over_its_time_is_deleted(tmp_path: Path, cluster: FakeCluster) -> None:
    spec = cluster_spec(tmp_path / "project")
    cluster.override("train", [sys.executable, "-c", "import time; time.sleep(120)"])
    run = cli("submit-training", spec, "--out", tmp_path / "out", "--timeout", "3",
              "--quiet")
    assert run.code == 2 and "T243" in run.err, run.err
    [job] = [o for o in cluster.created() if o["kind"] == "Job"]
    assert f"Job/{job['metadata']['name']}" in cluster.deleted()
    cluster.wait_idle(10)
    assert not (tmp_path / "out").exists()


def test_kubectl_missing_exits_2_saying_what_to_install(
        tmp_path: Path, cluster: FakeCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = cluster_spec(tmp_path / "project")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    run = cli("submit-training", spec, "--out", tmp_path / "out")
    assert run.code == 2 and "T240" in run.err and "install kubectl" in run.err
    assert cluster.created() == []


def test_no_kubeconfig_is_refused_before_anything_is_created(
        tmp_path: Path, cluster: FakeCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = cluster_spec(tmp_path / "project")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "nowhere"))
    run = cli("submit-training", spec, "--out", tmp_path / "out")
    assert run.code == 2 and "T241" in run.err
    assert cluster.created() == []


def test_a_missing_service_account_is_named(tmp_path: Path, cluster: FakeCluster) -> None:
    spec = cluster_spec(tmp_path / "project")
    (cluster.state / "objects" / NAMESPACE / "ServiceAccount"
     / "credit-risk-training.json").unlink()
    run = cli("submit-training", spec, "--out", tmp_path / "out")
    assert run.code == 2 and "T245" in run.err and "credit-risk-training" in run.err
    assert cluster.created() == []


def test_outputs_missing_in_the_store(tmp_path: Path, cluster: FakeCluster) -> None:
    spec = cluster_spec(tmp_path / "project")
    cluster.override("upload", [sys.executable, "-c", "print('uploaded nothing')"])
    run = cli("submit-training", spec, "--out", tmp_path / "out", "--quiet")
    assert run.code == 2 and "T244" in run.err and "_runs/" in run.err, run.err
    assert not (tmp_path / "out").exists()


def test_a_non_empty_out_is_refused_first(tmp_path: Path, cluster: FakeCluster) -> None:
    spec = cluster_spec(tmp_path / "project")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    run = cli("submit-training", spec, "--out", tmp_path / "out")
    assert run.code == 2 and "T008" in run.err
    assert cluster.created() == [] and (tmp_path / "out" / "keep.txt").read_text() == "mine"


def test_ci_training_is_not_submitted(tmp_path: Path, cluster: FakeCluster) -> None:
    data: dict[str, Any] = variant("example")
    spec = store_support.write_spec(tmp_path / "project", data)
    run = cli("submit-training", spec, "--out", tmp_path / "out")
    assert run.code == 2 and "T247" in run.err
    assert cluster.created() == []


@pytest.mark.parametrize(("store", "code"), [
    (None, "M240"), ("models/credit-risk", "M240"), ("file:///srv/models", "M240"),
    ("https://models.acme.example/credit-risk", "M241"),
])
def test_cluster_training_needs_a_store_the_pod_writes(store: str | None, code: str) -> None:
    from mlops_spec.spec.validate import validate_text

    data: dict[str, Any] = variant("embedded")
    data["data"]["sources"][0]["uri"] = DATA
    data["training"] = {"platform": "kubernetes", "image": "ghcr.io/acme/train:1.0.0"}
    if store is None:
        data["model"]["artifact"].pop("store")
    else:
        data["model"]["artifact"]["store"] = store
    result = validate_text("mlops.yaml", dump(data))
    assert code in {d.code for d in result.diagnostics}, [d.message for d in
                                                           result.diagnostics]
    data["model"]["artifact"]["store"] = "s3://acme-models/credit-risk"
    ok = validate_text("mlops.yaml", dump(data))
    assert not {"M240", "M241"} & {d.code for d in ok.diagnostics}


def test_the_writable_schemes_are_the_stores_backends() -> None:
    from mlops_spec.spec.rules.kubernetes import WRITABLE_STORE_SCHEMES
    from mlops_spec.store.location import BACKENDS

    assert set(WRITABLE_STORE_SCHEMES) == {s for s, b in BACKENDS.items() if b is not None}


def test_the_rendered_job_template_is_unchanged_by_submissions() -> None:
    from mlops_spec.render.kubernetes.training import job, submission
    from mlops_spec.spec.validate import validate_text

    data: dict[str, Any] = variant("example")
    data["data"]["sources"][0]["uri"] = DATA
    data["training"] = {"platform": "kubernetes", "image": "ghcr.io/acme/train:1.0.0"}
    spec = validate_text("mlops.yaml", dump(data)).spec
    assert spec is not None
    template = job(spec)
    assert template["metadata"]["name"] == "credit-risk-train"
    assert template["spec"]["template"]["spec"]["containers"][0]["command"][-1] == "/work/out"
    one, two = submission(spec, "abc-00000001"), submission(spec, "abc-00000002")
    assert one.job != two.job and one.configmap != two.configmap
    assert json.dumps(one.objects).count("<unset>") == 0  # valid label values throughout


def test_a_cancelled_submission_deletes_its_job(tmp_path: Path, cluster: FakeCluster) -> None:
    import os
    import signal
    import subprocess
    import time

    spec = cluster_spec(tmp_path / "project")
    cluster.override("train", [sys.executable, "-c", "import time; time.sleep(120)"])
    command = [sys.executable, "-m", "mlops_spec", "submit-training", str(spec),
               "--out", str(tmp_path / "out"), "--quiet"]
    process = subprocess.Popen(command, env=dict(os.environ), stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    while not any(o["kind"] == "Job" for o in cluster.created()):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr
        time.sleep(0.2)
    time.sleep(1.5)  # waiting on the Job now
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    assert process.returncode != 0
    [job] = [o for o in cluster.created() if o["kind"] == "Job"]
    assert f"Job/{job['metadata']['name']}" in cluster.deleted()
    cluster.wait_idle(10)
    assert not (tmp_path / "out").exists()
