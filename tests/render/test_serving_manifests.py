"""Serving that works in a cluster: what each variant renders, checked by behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kubernetes_cases import (
    example_data,
    kustomize,
    matrix_data,
    overlays,
    render_case,
    renderable_cases,
    validated,
)

from mlops_spec import conventions
from mlops_spec.render.kubernetes import common, kserve, runtimes
from mlops_spec.render.kubernetes import kustomize as layout
from mlops_spec.render.kubernetes.batch import locations
from mlops_spec.spec.sections import Spec

WORKLOADS = {"InferenceService", "Deployment", "Rollout", "CronJob"}


def _spec(data: dict[str, Any]) -> Spec:
    spec = validated(data).spec
    assert spec is not None
    return spec


def _env_objects(data: dict[str, Any], env: int) -> dict[str, dict[str, Any]]:
    spec = _spec(data)
    scope = common.env_scope(spec, spec.deployment.environments[env])
    return {o["kind"]: o for o in layout.serving_objects(spec, scope)}


# --- runtime and scikit-learn pins ---------------------------------------------------------


def test_kserve_pins_the_runtime_whose_sklearn_training_installs() -> None:
    spec = _spec(example_data())
    isvc = _env_objects(example_data(), 1)["InferenceService"]
    model = isvc["spec"]["predictor"]["model"]
    pinned = runtimes.RUNTIMES["kserve"]
    assert (model["runtime"], model["runtimeVersion"]) == (pinned.name, pinned.version)
    assert pinned.image.endswith(f":{pinned.version}")
    assert isvc["metadata"]["annotations"]["mlops-spec/scikit-learn"] == pinned.sklearn
    assert runtimes.training_requirement(spec) == f"scikit-learn=={pinned.sklearn}"


def test_mlserver_image_is_the_table_entry() -> None:
    data = matrix_data("realtime", "kubernetes", "rolling", "none", "ci")
    pod = _env_objects(data, 0)["Deployment"]["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == runtimes.RUNTIMES["kubernetes"].image
    assert pod["initContainers"][0]["image"] == runtimes.STORAGE_INITIALIZER_IMAGE
    assert runtimes.training_requirement(_spec(data)) == (
        f"scikit-learn=={runtimes.RUNTIMES['kubernetes'].sklearn}")


def test_custom_image_declares_its_sklearn() -> None:
    data = matrix_data("realtime", "kubernetes", "rolling", "none", "ci")
    data["deployment"]["image"] = "ghcr.io/acme/serve@sha256:" + "a" * 64
    assert runtimes.training_requirement(_spec(data)) is None
    data["deployment"]["sklearn_version"] = "1.6.1"
    spec = _spec(data)
    assert runtimes.training_requirement(spec) == "scikit-learn==1.6.1"
    pod = _env_objects(data, 0)["Deployment"]["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == "ghcr.io/acme/serve@sha256:" + "a" * 64


def test_upload_check_refuses_another_sklearn() -> None:
    spec = _spec(example_data())
    expected = runtimes.RUNTIMES["kserve"].sklearn
    assert runtimes.check_artifact_runtime(spec, expected) is None
    problem = runtimes.check_artifact_runtime(spec, "1.9.1")
    assert problem is not None and "1.9.1" in problem and expected in problem
    assert runtimes.check_artifact_runtime(spec, None) is not None
    embedded = matrix_data("embedded", None, "rolling", "none", "ci")
    assert runtimes.check_artifact_runtime(_spec(embedded), "1.9.1") is None


def test_probabilities_are_served_where_the_metrics_need_them() -> None:
    isvc = _env_objects(example_data(), 0)["InferenceService"]
    assert {"name": "PREDICT_PROBA", "value": "true"} in (
        isvc["spec"]["predictor"]["model"]["env"])
    data = matrix_data("realtime", "kubernetes", "rolling", "none", "ci")
    env = {e["name"]: e["value"] for e in
           _env_objects(data, 0)["Deployment"]["spec"]["template"]["spec"]["containers"][0][
               "env"]}
    assert env["MLSERVER_MODEL_EXTRA"] == '{"predict_fn":"predict_proba"}'
    data = example_data()
    data["model"]["metrics"] = ["accuracy", "f1"]
    data["model"]["promotion"] = {"thresholds": {"f1": {"min": 0.5}}}
    data["monitoring"].pop("performance")
    data["retrain"]["on"] = ["drift"]
    isvc = _env_objects(data, 0)["InferenceService"]
    assert "env" not in isvc["spec"]["predictor"]["model"]


def test_serving_files_are_the_ones_the_manifests_load() -> None:
    spec = _spec(example_data())
    assert conventions.serving_files(spec) == (common.MODEL_FILE,)
    data = matrix_data("realtime", "kubernetes", "rolling", "none", "ci")
    env = {e["name"]: e["value"] for e in
           _env_objects(data, 0)["Deployment"]["spec"]["template"]["spec"]["containers"][0][
               "env"]}
    assert env["MLSERVER_MODEL_URI"] == f"{common.MODEL_DIR}/{common.MODEL_FILE}"
    assert conventions.serving_files(
        _spec(matrix_data("batch", "kubernetes", "rolling", "none", "ci"))) == ()


# --- one KServe mode -----------------------------------------------------------------------


def test_deployment_mode_is_one_per_spec_and_changes_are_visible() -> None:
    data = matrix_data("realtime", "kserve", "rolling", "none", "ci")
    spec = _spec(data)
    assert {kserve.deployment_mode(spec, env) for env in spec.deployment.environments} == {
        "Standard"}
    data["deployment"]["environments"][0]["autoscaling"] = {"min_replicas": 0,
                                                            "max_replicas": 2}
    spec = _spec(data)
    assert {kserve.deployment_mode(spec, env) for env in spec.deployment.environments} == {
        "Knative"}
    assert kserve.deployment_mode(_spec(matrix_data("realtime", "kubernetes", "rolling",
                                                    "none", "ci"))) is None
    before = _spec(matrix_data("realtime", "kserve", "rolling", "none", "ci"))
    assert kserve.mode_changes(before, spec) == [("staging", "Standard", "Knative"),
                                                 ("production", "Standard", "Knative")]
    assert kserve.mode_changes(spec, spec) == []


# --- network, availability, identity -------------------------------------------------------


def _pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    kind = workload["kind"]
    if kind == "InferenceService":
        labels: dict[str, str] = workload["spec"]["predictor"]["labels"]
        return labels
    if kind == "CronJob":
        return dict(workload["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"])
    return dict(workload["spec"]["template"]["metadata"]["labels"])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(renderable_cases()))
def test_every_serving_workload_has_its_network_policy(name: str, tmp_path: Path) -> None:
    model_dir = render_case(renderable_cases()[name], tmp_path)
    for overlay in overlays(model_dir):
        if overlay.name == "training":
            continue
        documents = kustomize(overlay)
        workloads = [d for d in documents if d["kind"] in WORKLOADS]
        policies = [d for d in documents if d["kind"] == "NetworkPolicy"]
        assert workloads, overlay
        for workload in workloads:
            labels = _pod_labels(workload)
            matching = [p for p in policies if all(
                labels.get(k) == v for k, v in p["spec"]["podSelector"]["matchLabels"].items())]
            assert len(matching) == 1, f"{name} {overlay.name} {workload['kind']}"
            if workload["kind"] in ("InferenceService", "Deployment", "Rollout"):
                assert any(d["kind"] == "PodDisruptionBudget" for d in documents)
            else:
                assert matching[0]["spec"]["ingress"] == []  # batch takes no traffic


def test_callers_become_the_only_peers() -> None:
    policy = _env_objects(example_data(), 0)["NetworkPolicy"]
    peers = policy["spec"]["ingress"][0]["from"]
    assert peers[0] == {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "loan-review"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "review-queue"}}}
    # Knative mode: the activator and the mesh gateways proxy requests.
    assert peers[1:] == [{"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": namespace}}}
        for namespace in ("knative-serving", "istio-system")]
    standard = matrix_data("realtime", "kserve", "rolling", "none", "ci")
    assert len(_env_objects(standard, 0)["NetworkPolicy"]["spec"]["ingress"][0]["from"]) == 1
    standard["deployment"]["expose"] = True
    assert _env_objects(standard, 0)["NetworkPolicy"]["spec"]["ingress"][0]["from"][-1] == {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}}}
    data = matrix_data("realtime", "kubernetes", "rolling", "none", "ci")
    data["deployment"].pop("callers")
    rule = _env_objects(data, 0)["NetworkPolicy"]["spec"]["ingress"][0]
    assert rule["from"] == [{"podSelector": {}}]  # the own namespace only
    assert [p["port"] for p in rule["ports"]] == [common.HTTP_PORT, common.GRPC_PORT]


def test_kserve_is_cluster_local_unless_exposed() -> None:
    isvc = _env_objects(example_data(), 0)["InferenceService"]
    assert isvc["metadata"]["labels"][kserve.VISIBILITY] == "cluster-local"
    data = example_data()
    data["deployment"]["expose"] = True
    assert kserve.VISIBILITY not in _env_objects(data, 0)["InferenceService"]["metadata"][
        "labels"]


def test_standard_mode_spreads_and_probes_startup() -> None:
    data = matrix_data("realtime", "kserve", "rolling", "none", "ci")
    predictor = _env_objects(data, 0)["InferenceService"]["spec"]["predictor"]
    keys = [c["topologyKey"] for c in predictor["topologySpreadConstraints"]]
    assert keys == ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
    assert predictor["model"]["startupProbe"]["httpGet"]["path"] == "/v2/health/live"
    pod = _env_objects(matrix_data("realtime", "kubernetes", "rolling", "none", "ci"), 0)[
        "Deployment"]["spec"]["template"]["spec"]
    assert pod["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "ScheduleAnyway"
    assert "startupProbe" in pod["containers"][0]


def test_workload_identity_annotations_and_no_credentials() -> None:
    data = matrix_data("realtime", "kubernetes", "rolling", "none", "ci")
    data["deployment"]["identity"] = {
        "gcp_service_account": "credit-risk@acme-ml.iam.gserviceaccount.com",
        "azure_client_id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}
    data["deployment"]["store_access"] = {"secret": "model-store",
                                          "endpoint": "https://minio.storage:9000",
                                          "region": "eu-west-1"}
    objects = _env_objects(data, 0)
    annotations = objects["ServiceAccount"]["metadata"]["annotations"]
    assert annotations == {
        "iam.gke.io/gcp-service-account": "credit-risk@acme-ml.iam.gserviceaccount.com",
        "azure.workload.identity/client-id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}
    pod = objects["Deployment"]["spec"]["template"]
    assert pod["metadata"]["labels"]["azure.workload.identity/use"] == "true"
    env = pod["spec"]["initContainers"][0]["env"]
    secrets = [e for e in env if "valueFrom" in e]
    assert {e["valueFrom"]["secretKeyRef"]["name"] for e in secrets} == {"model-store"}
    assert all("value" not in e for e in secrets)
    assert {"name": "AWS_ENDPOINT_URL", "value": "https://minio.storage:9000"} in env
    kserve_sa = _env_objects(example_data() | {"deployment": {
        **example_data()["deployment"], "store_access": {"secret": "model-store"}}},
        0)["ServiceAccount"]
    assert kserve_sa["secrets"] == [{"name": "model-store"}]
    assert kserve_sa["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/credit-risk-serving"}


def test_istio_keeps_grpc_on_its_port() -> None:
    objects = _env_objects(matrix_data("realtime", "kubernetes", "canary", "istio", "ci"), 1)
    routes = {r["name"]: r for r in objects["VirtualService"]["spec"]["http"]}
    for name, port in (("primary", common.HTTP_PORT), ("grpc", common.GRPC_PORT)):
        assert routes[name]["match"] == [{"port": port}]
        assert {d["destination"]["port"]["number"] for d in routes[name]["route"]} == {port}
    routing = objects["Rollout"]["spec"]["strategy"]["canary"]["trafficRouting"]["istio"]
    assert routing["virtualService"]["routes"] == ["primary", "grpc"]


# --- batch -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_batch_environments_write_their_own_scores(tmp_path: Path) -> None:
    data = matrix_data("batch", "kubernetes", "rolling", "none", "ci")
    model_dir = render_case(data, tmp_path)
    outputs = {}
    for overlay in overlays(model_dir):
        [cronjob] = [d for d in kustomize(overlay) if d["kind"] == "CronJob"]
        job = cronjob["spec"]["jobTemplate"]["spec"]
        assert job["activeDeadlineSeconds"] == 3600
        assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
        [scorer] = job["template"]["spec"]["containers"]
        assert scorer["command"] == [
            "mlops-spec", "score", "--model", "/mnt/models", "--input", "$(INPUT_URI)",
            "--output", "$(OUTPUT_URI)", "--shard",
            f"$(JOB_COMPLETION_INDEX)/{data['deployment']['batch']['parallelism']}"]
        env = {e["name"]: e.get("value") for e in scorer["env"]}
        outputs[overlay.name] = env["OUTPUT_URI"]
        # The whole version: score loads the skops artifact, not serving/.
        fetch = job["template"]["spec"]["initContainers"][0]["args"][0]
        assert not fetch.endswith("/serving")
    assert len(set(outputs.values())) == len(outputs) == 2
    base = data["deployment"]["batch"]["output"].rstrip("/")
    assert outputs == {name: f"{base}/{name}" for name in outputs}


def test_batch_locations_can_be_set_per_environment() -> None:
    data = matrix_data("batch", "kubernetes", "rolling", "none", "ci")
    data["deployment"]["environments"][1]["batch_output"] = "s3://acme-prod/scores/"
    data["deployment"]["environments"][1]["batch_input"] = "s3://acme-prod/to-score/"
    spec = _spec(data)
    prod = spec.deployment.environments[1]
    assert locations(spec, prod) == ("s3://acme-prod/to-score/", "s3://acme-prod/scores/")
