"""The Kubernetes target without external tools: matrix, layout, overlays, escaping.

The validators (kubectl kustomize, kubernetes-validate, the CRD schemas) run in
test_render_kubernetes_validators.py; the pod-security walker in
test_render_kubernetes_security.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_cases import (
    EXTRA_CASES,
    PINNED,
    Combination,
    combinations,
    dump,
    example_data,
    matrix_data,
    render_case,
    renderable_cases,
    validated,
)

from mlops_spec.main import main
from mlops_spec.render import engine
from mlops_spec.render.kubernetes import common, kustomize
from mlops_spec.render.kubernetes.training import spec_text
from mlops_spec.render.kubernetes.yamlout import dump as yaml_dump
from mlops_spec.render.kubernetes.yamlout import dump_all
from mlops_spec.render.outputs import RenderContext
from mlops_spec.render.targets import kubernetes as target
from mlops_spec.spec.validate import validate_text

COMBINATIONS = combinations()


def _codes(data: dict[str, Any]) -> dict[str, list[Any]]:
    result = validate_text("mlops.yaml", dump(data))
    found: dict[str, list[Any]] = {}
    for diagnostic in result.diagnostics:
        if diagnostic.is_error:
            found.setdefault(diagnostic.code, []).append(diagnostic)
    return found


# --- the matrix -------------------------------------------------------------------------


def test_matrix_covers_every_enum_value() -> None:
    allowed = [c for c in COMBINATIONS if c.reason is None]
    assert {c.mode for c in allowed} == {"realtime", "batch", "embedded"}
    assert {c.platform for c in allowed} == {None, "kserve", "kubernetes"}
    assert {c.strategy for c in allowed} == {"rolling", "canary", "blue_green", "shadow"}
    assert {c.router for c in allowed} == {"none", "istio"}
    assert {c.training for c in allowed} == {"ci", "kubernetes"}


@pytest.mark.parametrize("combo", COMBINATIONS, ids=lambda c: c.id)
def test_validation_allows_exactly_what_can_work(combo: Combination) -> None:
    errors = _codes(combo.data())
    if combo.reason is None:
        assert not errors, {code: [d.message for d in ds] for code, ds in errors.items()}
    else:
        assert combo.reason in errors, (combo.reason, sorted(errors))
        for diagnostic in errors[combo.reason]:
            assert diagnostic.hint, f"{diagnostic.message} does not say what to change"


@pytest.mark.parametrize(("change", "code", "hint_words"), [
    # blue_green on KServe
    (lambda d: d["deployment"]["strategy"].update(type="blue_green", steps=[]),
     "M011", ["rolling or canary", "platform: kubernetes"]),
    # canary weights on modes without live traffic
    (lambda d: d["deployment"].update(
        mode="batch", platform="kubernetes", image="ghcr.io/acme/s:1.0.0",
        batch={"schedule": "0 2 * * *", "input": "s3://a/in", "output": "s3://a/out"}),
     "M030", ["rolling"]),
    (lambda d: d["deployment"].update(mode="embedded", platform=None), "M030", ["rolling"]),
    # batch without a batch section (so without a schedule)
    (lambda d: d["deployment"].update(mode="batch", platform="kubernetes",
                                      strategy={"type": "rolling"}),
     "M014", ["schedule"]),
])
def test_impossible_combinations_say_what_to_change(change: Any, code: str,
                                                    hint_words: list[str]) -> None:
    data = example_data()
    change(data)
    if data["deployment"].get("platform") is None:
        data["deployment"].pop("platform", None)
    errors = _codes(data)
    assert code in errors, sorted(errors)
    hint = " ".join(d.hint or "" for d in errors[code])
    for word in hint_words:
        assert word in hint


def test_batch_without_a_schedule_is_an_error_naming_the_key() -> None:
    data = matrix_data("batch", "kubernetes", "rolling", "none", "ci")
    del data["deployment"]["batch"]["schedule"]
    result = validate_text("mlops.yaml", dump(data))
    errors = [d for d in result.diagnostics if d.is_error]
    assert errors and all("schedule" in f"{d.message} {d.hint}" for d in errors), errors


@pytest.mark.parametrize(("change", "code", "where"), [
    (lambda d: d["model"]["artifact"].update(store="az://acme/models"), "M050",
     "model.artifact.store"),
    (lambda d: d["model"]["artifact"].update(store="gcs://acme/models"), "M050",
     "model.artifact.store"),
    (lambda d: d["deployment"]["environments"][0].update(name="base"), "M053",
     "deployment.environments[0].name"),
    (lambda d: d["deployment"]["environments"][1].update(name="training"), "M053",
     "deployment.environments[1].name"),
])
def test_kubernetes_errors(change: Any, code: str, where: str) -> None:
    data = example_data()
    change(data)
    errors = _codes(data)
    assert code in errors, sorted(errors)
    assert errors[code][0].dotted_path == where
    assert errors[code][0].hint


def test_batch_on_kubernetes_needs_a_scoring_image() -> None:
    data = matrix_data("batch", "kubernetes", "rolling", "none", "ci")
    del data["deployment"]["image"]
    errors = _codes(data)
    assert "M051" in errors and "deployment.image" in errors["M051"][0].hint


def test_builtin_training_in_the_cluster_cannot_read_repository_data() -> None:
    data = matrix_data("realtime", "kserve", "rolling", "none", "kubernetes")
    data["data"]["sources"][0]["uri"] = "data/applications.csv"
    errors = _codes(data)
    assert errors["M052"][0].dotted_path == "data.sources[0].uri"


@pytest.mark.parametrize(("change", "where"), [
    (lambda d: d["deployment"].update(image="ghcr.io/acme/x:1.0.0"), "deployment.image"),
    (lambda d: d["deployment"]["environments"][0].update(replicas=4),
     "deployment.environments[0].replicas"),
    (lambda d: d["deployment"].update(autoscaling={"min_replicas": 0, "max_replicas": 3,
                                                   "target_cpu_percent": 50},
                                      strategy={"type": "rolling"}),
     "deployment.autoscaling.target_cpu_percent"),
])
def test_ignored_settings_warn(change: Any, where: str) -> None:
    data = example_data()
    change(data)
    result = validate_text("mlops.yaml", dump(data))
    warnings = [d for d in result.diagnostics if d.code == "M054"]
    assert result.ok and [d.dotted_path for d in warnings] == [where]


def test_pinned_version_without_a_platform_warns() -> None:
    data = matrix_data("embedded", None, "rolling", "none", "ci")
    result = validate_text("mlops.yaml", dump(data))
    assert result.ok and [d.dotted_path for d in result.diagnostics if d.code == "M054"] == [
        "deployment.environments[1].model_version"]


def test_istio_with_rolling_warns() -> None:
    data = matrix_data("realtime", "kubernetes", "rolling", "istio", "ci")
    result = validate_text("mlops.yaml", dump(data))
    assert [d.dotted_path for d in result.diagnostics if d.code == "M054"] == [
        "deployment.strategy.traffic_router"]


# --- applies / layout ---------------------------------------------------------------------


def _spec(data: dict[str, Any]) -> Any:
    return validated(data).spec


def test_applies_to_serving_platforms_and_cluster_training() -> None:
    assert target.applies(_spec(example_data()))
    embedded = matrix_data("embedded", None, "rolling", "none", "ci")
    assert not target.applies(_spec(embedded))
    assert "kubernetes" not in engine.default_targets(_spec(embedded))
    trains = matrix_data("embedded", None, "rolling", "none", "kubernetes")
    assert target.applies(_spec(trains))


def _files(data: dict[str, Any], model_dir: str = ".") -> dict[str, str]:
    spec = _spec(data)
    ctx = RenderContext(spec=spec, spec_path=f"{model_dir}/mlops.yaml".lstrip("./"),
                        model_dir=model_dir)
    return {f.path: f.content for f in target.render(ctx).files}


def test_example_layout() -> None:
    assert sorted(_files(example_data())) == [
        "deploy/base/inferenceservice.yaml",
        "deploy/base/kustomization.yaml",
        "deploy/base/networkpolicy.yaml",
        "deploy/base/pdb.yaml",
        "deploy/base/serviceaccount.yaml",
        "deploy/production/kustomization.yaml",
        "deploy/production/model-version.env",
        "deploy/production/patch-inferenceservice-credit-risk.yaml",
        "deploy/staging/kustomization.yaml",
        "deploy/staging/model-version.env",
    ]


def test_per_model_directory() -> None:
    files = _files(example_data(), "models/credit-risk")
    assert all(path.startswith("models/credit-risk/deploy/") for path in files)


def test_embedded_with_cluster_training_renders_only_the_training_job() -> None:
    files = _files(matrix_data("embedded", None, "rolling", "none", "kubernetes"))
    assert sorted(files) == [
        "deploy/training/configmap.yaml",
        "deploy/training/job.yaml",
        "deploy/training/kustomization.yaml",
        "deploy/training/model-version.env",
        "deploy/training/serviceaccount.yaml",
    ]


def test_pinned_environment_has_no_version_file() -> None:
    files = _files(matrix_data("realtime", "kubernetes", "canary", "none", "ci"))
    assert "deploy/staging/model-version.env" in files
    assert "deploy/production/model-version.env" not in files
    production = yaml.safe_load(files["deploy/production/kustomization.yaml"])
    assert production["configMapGenerator"][0]["literals"] == [f"MODEL_VERSION={PINNED}"]
    assert files["deploy/staging/model-version.env"].splitlines()[-1] == (
        "MODEL_VERSION=<unset>")


@pytest.mark.parametrize("name", sorted(renderable_cases()))
def test_render_is_deterministic(name: str) -> None:
    data = renderable_cases()[name]
    assert _files(data) == _files(copy.deepcopy(data))


# --- overlays are exactly the environments ------------------------------------------------


def _unpointer(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _apply_patch(obj: Any, ops: list[dict[str, Any]]) -> Any:
    obj = copy.deepcopy(obj)
    for op in ops:
        *parents, last = [_unpointer(p) for p in op["path"].split("/")[1:]]
        node = obj
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key: Any = int(last) if isinstance(node, list) else last
        if op["op"] == "remove":
            del node[key]
        else:
            node[key] = op["value"]
    return obj


@pytest.mark.parametrize("name", sorted(renderable_cases()))
def test_base_plus_overlay_is_the_environment(name: str) -> None:
    """Applying each overlay's patches (in Python) to the base gives the objects built
    for that environment: environments differ only where the spec lets them."""
    spec = _spec(renderable_cases()[name])
    files = {path.removeprefix("deploy/"): text for path, text in _files(
        renderable_cases()[name]).items()}
    if "base/kustomization.yaml" not in files:
        return
    base = [doc for path, text in files.items() if path.startswith("base/")
            and path != "base/kustomization.yaml" for doc in yaml.safe_load_all(text)]
    for env in spec.deployment.environments:
        overlay = yaml.safe_load(files[f"{env.name}/kustomization.yaml"])
        assert overlay["namespace"] == env.namespace
        built = {(o["kind"], o["metadata"]["name"]): o for o in base}
        for patch in overlay.get("patches", []):
            key = (patch["target"]["kind"], patch["target"]["name"])
            ops = yaml.safe_load(files[f"{env.name}/{patch['path']}"])
            built[key] = _apply_patch(built[key], ops)
        for resource in overlay["resources"][1:]:
            for doc in yaml.safe_load_all(files[f"{env.name}/{resource}"]):
                built[(doc["kind"], doc["metadata"]["name"])] = doc
        expected = kustomize.serving_objects(spec, common.env_scope(spec, env))
        assert built == {(o["kind"], o["metadata"]["name"]): o for o in expected}


def test_environment_only_autoscaling_adds_its_hpa_and_drops_fixed_replicas() -> None:
    files = _files(EXTRA_CASES["fixed-replicas"]())
    assert "deploy/base/hpa.yaml" not in files
    assert "deploy/production/hpa.yaml" in files
    production = yaml.safe_load(files["deploy/production/kustomization.yaml"])
    assert production["resources"] == ["../base", "hpa.yaml"]
    ops = yaml.safe_load(files["deploy/production/patch-deployment-credit-risk.yaml"])
    assert {"op": "remove", "path": "/spec/replicas"} in ops
    staging = yaml.safe_load(files["deploy/staging/patch-deployment-credit-risk.yaml"])
    assert staging == [{"op": "replace", "path": "/spec/replicas", "value": 2}]


# --- what each platform and strategy produces ---------------------------------------------


def _objects(data: dict[str, Any], env: int | None = None) -> dict[str, dict[str, Any]]:
    spec = _spec(data)
    scope = (common.base_scope(spec) if env is None
             else common.env_scope(spec, spec.deployment.environments[env]))
    return {o["kind"]: o for o in kustomize.serving_objects(spec, scope)}


def test_kserve_canary_pins_knative_and_the_first_weight() -> None:
    isvc = _objects(example_data(), 1)["InferenceService"]
    annotations = isvc["metadata"]["annotations"]
    assert annotations["serving.kserve.io/deploymentMode"] == "Knative"
    assert annotations["autoscaling.knative.dev/class"] == "hpa.autoscaling.knative.dev"
    predictor = isvc["spec"]["predictor"]
    assert predictor["canaryTrafficPercent"] == 10
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (2, 10)
    assert (predictor["scaleMetric"], predictor["scaleTarget"]) == ("cpu", 70)
    model = predictor["model"]
    assert model["modelFormat"] == {"name": "sklearn", "version": "1"}
    assert model["storageUri"] == "s3://acme-models/credit-risk/<unset>/serving"


def test_kserve_rolling_is_standard_mode_unless_it_scales_to_zero() -> None:
    data = EXTRA_CASES["kserve-scale-to-zero"]()
    staging = _objects(data, 0)["InferenceService"]
    production = _objects(data, 1)["InferenceService"]
    runtime = {"mlops-spec/runtime": "kserve-sklearnserver:v0.20.0",
               "mlops-spec/scikit-learn": "1.5.2"}
    assert staging["metadata"]["annotations"] == {
        "serving.kserve.io/deploymentMode": "Knative", **runtime}
    assert staging["spec"]["predictor"]["minReplicas"] == 0
    assert "scaleMetric" not in staging["spec"]["predictor"]
    # One mode for every environment: scaling to zero in staging moves production too.
    assert production["metadata"]["annotations"] == {
        "serving.kserve.io/deploymentMode": "Knative",
        "autoscaling.knative.dev/class": "hpa.autoscaling.knative.dev", **runtime}
    fixed = _objects(EXTRA_CASES["kserve-fixed-replicas"](), 0)["InferenceService"]
    assert fixed["metadata"]["annotations"]["serving.kserve.io/autoscalerClass"] == "none"
    assert fixed["spec"]["predictor"]["minReplicas"] == 3


@pytest.mark.parametrize(("strategy", "router", "kinds"), [
    ("rolling", "none", ["ServiceAccount", "Deployment", "Service", "HorizontalPodAutoscaler",
                         "PodDisruptionBudget", "NetworkPolicy"]),
    ("canary", "none", ["ServiceAccount", "Rollout", "AnalysisTemplate", "Service",
                        "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"]),
    ("canary", "istio", ["ServiceAccount", "Rollout", "AnalysisTemplate", "Service",
                         "HorizontalPodAutoscaler", "PodDisruptionBudget", "VirtualService",
                         "NetworkPolicy"]),
    ("blue_green", "none", ["ServiceAccount", "Rollout", "AnalysisTemplate", "Service",
                            "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"]),
    ("shadow", "istio", ["ServiceAccount", "Rollout", "AnalysisTemplate", "Service",
                         "HorizontalPodAutoscaler", "PodDisruptionBudget", "VirtualService",
                         "NetworkPolicy"]),
])
def test_plain_kubernetes_objects(strategy: str, router: str, kinds: list[str]) -> None:
    spec = _spec(matrix_data("realtime", "kubernetes", strategy, router, "ci"))
    objects = kustomize.serving_objects(spec, common.base_scope(spec))
    assert list(dict.fromkeys(o["kind"] for o in objects)) == kinds


def test_canary_rollout_steps() -> None:
    rollout = _objects(matrix_data("realtime", "kubernetes", "canary", "none", "ci"),
                       1)["Rollout"]
    canary = rollout["spec"]["strategy"]["canary"]
    assert (canary["stableService"], canary["canaryService"]) == (
        "credit-risk", "credit-risk-canary")
    steps = canary["steps"]
    assert steps[0] == {"setWeight": 10}
    assert steps[1]["analysis"]["templates"] == [{"templateName": "credit-risk-smoke"}]
    assert steps[2:] == [{"pause": {"duration": "15m"}}, {"setWeight": 50}, {"pause": {}}]
    assert "replicas" not in rollout["spec"]  # the HPA owns it
    assert "trafficRouting" not in canary


def test_blue_green_has_active_and_preview_services() -> None:
    spec = _spec(matrix_data("realtime", "kubernetes", "blue_green", "none", "ci"))
    objects = kustomize.serving_objects(
        spec, common.env_scope(spec, spec.deployment.environments[0]))
    services = [o["metadata"]["name"] for o in objects if o["kind"] == "Service"]
    assert services == ["credit-risk", "credit-risk-preview"]
    rollout = next(o for o in objects if o["kind"] == "Rollout")
    blue_green = rollout["spec"]["strategy"]["blueGreen"]
    assert blue_green["activeService"] == "credit-risk"
    assert blue_green["previewService"] == "credit-risk-preview"
    url = blue_green["prePromotionAnalysis"]["args"][0]["value"]
    assert url == ("http://credit-risk-preview.ml-staging.svc:8080/v2/models/credit-risk/"
                   "versions/<unset>")


def test_shadow_mirrors_through_istio() -> None:
    objects = _objects(matrix_data("realtime", "kubernetes", "shadow", "istio", "ci"))
    canary = objects["Rollout"]["spec"]["strategy"]["canary"]
    assert canary["trafficRouting"]["managedRoutes"] == [{"name": "mirror"}]
    assert canary["steps"][1]["setMirrorRoute"]["percentage"] == 20
    assert canary["steps"][-1] == {"setMirrorRoute": {"name": "mirror"}}
    assert not any("setWeight" in step for step in canary["steps"])
    http = objects["VirtualService"]["spec"]["http"]
    assert http[0]["name"] == "primary"


def test_batch_cronjob() -> None:
    cronjob = _objects(matrix_data("batch", "kubernetes", "rolling", "none", "ci"))["CronJob"]
    spec = cronjob["spec"]
    assert spec["schedule"] == "30 2 * * *"
    assert spec["timeZone"] == "Etc/UTC"
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["successfulJobsHistoryLimit"] and spec["failedJobsHistoryLimit"]
    job = spec["jobTemplate"]["spec"]
    assert job["completionMode"] == "Indexed"
    assert job["completions"] == job["parallelism"] == 4
    env = {e["name"]: e for e in job["template"]["spec"]["containers"][0]["env"]}
    assert job["template"]["spec"]["containers"][0]["command"][-1] == (
        "$(JOB_COMPLETION_INDEX)/4")
    assert env["INPUT_URI"]["value"] == "s3://acme-ml/to-score/"


def test_training_job_uses_the_spec_resources_and_timeout() -> None:
    data = matrix_data("realtime", "kserve", "rolling", "none", "kubernetes")
    files = _files(data)
    job = yaml.safe_load(files["deploy/training/job.yaml"])
    pod = job["spec"]["template"]["spec"]
    train = pod["initContainers"][0]
    assert train["command"][:2] == ["mlops-spec", "train"]
    assert train["resources"]["limits"] == {"cpu": "2", "memory": "4Gi"}
    assert train["image"] == "ghcr.io/acme/credit-risk-train:1.4.0"
    assert pod["containers"][0]["command"][:2] == ["mlops-spec", "upload"]
    assert job["spec"]["activeDeadlineSeconds"] == 30 * 60
    training = yaml.safe_load(files["deploy/training/kustomization.yaml"])
    assert training["namespace"] == "ml-staging"


def test_training_spec_configmap_is_the_same_spec() -> None:
    """The Job reads the spec from a ConfigMap; it validates to the very same Spec."""
    data = matrix_data("realtime", "kserve", "rolling", "none", "kubernetes")
    spec = _spec(data)
    files = _files(data)
    configmap = yaml.safe_load(files["deploy/training/configmap.yaml"])
    again = validate_text("mlops.yaml", configmap["data"]["mlops.yaml"])
    assert again.ok and again.spec == spec
    assert configmap["data"]["mlops.yaml"] == spec_text(spec)


# --- escaping and the YAML writer ---------------------------------------------------------

NASTY = [
    "plain", "", "yes", "No", "on", "null", "~", "0755", "1e3", "12:30", "- item", "a: b",
    "# comment", "x #y", "&anchor", "*alias", "!tag", "{a: 1}", "[1, 2]", "'single'",
    '"double"', "back\\slash", "line\nbreak", "tab\there", "trailing ", " leading",
    "${{ github.event.pull_request.title }}", "$(id)", "`id`", "%percent", "@at",
    "uni\u2028code\u2029seps\u0085", "ünïcødé", "---", "...", "key:", "|", ">",
]


def test_yaml_writer_round_trips_every_scalar() -> None:
    data = {"strings": NASTY, "nested": {s or "empty": {"v": s} for s in NASTY},
            "numbers": [0, 1, -1, 2.5, True, False, None], "empty": {}, "none": [],
            "list_of_lists": [[1, "a"], []]}
    text = yaml_dump(data)
    assert yaml.safe_load(text) == data
    assert yaml_dump(data) == text


def test_yaml_writer_quotes_every_string_value() -> None:
    text = yaml_dump({"a": "plain", "b": ["x"], "yes": "no", "c": {"d": "true"}})
    assert text == 'a: "plain"\nb:\n  - "x"\n"yes": "no"\nc:\n  d: "true"\n'
    assert list(yaml.safe_load_all(dump_all([{"a": 1}, {"b": 2}]))) == [{"a": 1}, {"b": 2}]


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_free_text_reaches_the_cluster_only_escaped() -> None:
    """Free text (description, purpose, limitations) reaches only the training spec
    ConfigMap, as one escaped YAML string that parses back to itself."""
    data = matrix_data("realtime", "kserve", "rolling", "none", "kubernetes")
    hostile = "ok\"\n  injected: true\n---\nkind: Secret\n${{ x }} $(id) `id` \u2028 # x"
    data["description"] = hostile
    data["governance"]["limitations"] = hostile
    files = _files(data)
    carriers = []
    for path, text in files.items():
        if not path.endswith(".yaml"):
            continue
        documents = list(yaml.safe_load_all(text))
        assert all(isinstance(d, list) or d.get("kind") != "Secret" for d in documents)
        carriers += [path for d in documents for s in _strings(d) if "injected" in s]
    assert carriers == ["deploy/training/configmap.yaml"]
    configmap = yaml.safe_load(files["deploy/training/configmap.yaml"])
    spec = json.loads(configmap["data"]["mlops.yaml"])
    assert spec["description"] == spec["governance"]["limitations"] == hostile


# --- the command --------------------------------------------------------------------------


def test_render_then_check_is_clean(tmp_path: Path) -> None:
    model_dir = render_case(example_data(), tmp_path, "models/credit-risk/mlops.yaml")
    assert (model_dir / "deploy" / "staging" / "kustomization.yaml").is_file()
    assert main(["render", str(model_dir / "mlops.yaml"), "--out", str(tmp_path),
                 "--target", "kubernetes", "--check", "-q"]) == 0
    (model_dir / "deploy" / "base" / "inferenceservice.yaml").write_text("edited\n")
    assert main(["render", str(model_dir / "mlops.yaml"), "--out", str(tmp_path),
                 "--target", "kubernetes", "--check", "-q"]) == 1


def test_dropping_an_environment_removes_its_overlay(tmp_path: Path) -> None:
    data = EXTRA_CASES["three-environments"]()
    render_case(data, tmp_path)
    assert (tmp_path / "deploy" / "pre-prod" / "kustomization.yaml").is_file()
    del data["deployment"]["environments"][1]
    render_case(data, tmp_path)
    assert not (tmp_path / "deploy" / "pre-prod").exists()


def test_version_placeholder_is_not_a_label_value() -> None:
    """An overlay applied without a version fails at the API server, not at run time."""
    import re

    label_value = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
    assert not label_value.match(common.UNSET_VERSION)
    assert label_value.match(PINNED)
