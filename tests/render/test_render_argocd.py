"""The Argo CD target: AppProject and ApplicationSet valid against the upstream CRDs (strict),
one Application per pinned environment, and no placeholder in any overlay Argo CD syncs."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from helpers import codes
from test_render_kubernetes_validators import _strict  # one definition of "strict"
from variants import variant

from mlops_spec.render import engine, writer
from mlops_spec.render.targets import argocd
from mlops_spec.spec.validate import validate_file, validate_text

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "crd-schemas"
CRDS = {
    "Application": "application-argoproj.io-v1alpha1.json",
    "ApplicationSet": "applicationset-argoproj.io-v1alpha1.json",
    "AppProject": "appproject-argoproj.io-v1alpha1.json",
}
PINNED = "0123456789abcdef0123456789abcdef01234567"
REPOSITORY = "https://github.com/acme/credit-risk.git"


@cache
def validator(kind: str) -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMAS / CRDS[kind]).read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(_strict(schema))


def crd_errors(doc: dict[str, Any]) -> list[str]:
    return [f"{doc['kind']} {'.'.join(map(str, e.path))}: {e.message}"
            for e in validator(doc["kind"]).iter_errors(doc)]


def render(root: Path, data: dict[str, Any], spec_path: str = "mlops.yaml") -> Path:
    """Render the kubernetes and argocd targets of ``data`` into ``root``."""
    spec_file = root / spec_path
    spec_file.parent.mkdir(parents=True, exist_ok=True)
    spec_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = validate_file(spec_file)
    assert result.spec is not None and result.ok, [str(d) for d in result.diagnostics]
    ctx = engine.context_for(result.spec, spec_file, root)
    writer.apply(root, engine.render(ctx, ["kubernetes", "argocd"]))
    return spec_file.parent


def load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc


def pinned(*environments: str) -> dict[str, Any]:
    data = variant("example")
    for env in data["deployment"]["environments"]:
        if env["name"] in environments:
            env["model_version"] = PINNED
    return data


_FIELD = re.compile(r"\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}")


def instantiate(template: Any, parameters: dict[str, str]) -> Any:
    """The ApplicationSet template with ``{{.key}}`` fields filled, as the git files
    generator does; a key the file lacks fails (the template uses missingkey=error)."""
    if isinstance(template, dict):
        return {key: instantiate(value, parameters) for key, value in template.items()}
    if isinstance(template, list):
        return [instantiate(item, parameters) for item in template]
    if isinstance(template, str):
        def field(match: re.Match[str]) -> str:
            assert match.group(1) in parameters, f"missing key {match.group(1)}"
            return parameters[match.group(1)]
        out = _FIELD.sub(field, template)
        assert "{{" not in out, out
        return out
    return template


def applications(root: Path, model_dir: Path) -> list[dict[str, Any]]:
    """Every Application the ApplicationSet generates from the files in ``model_dir``."""
    appset = load(model_dir / "argocd" / "applicationset.yaml")
    [generator] = appset["spec"]["generators"]
    [files] = generator["git"]["files"]
    out = []
    for path in sorted(root.glob(files["path"])):
        parameters = json.loads(path.read_text(encoding="utf-8"))
        app = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
               **instantiate(appset["spec"]["template"], parameters)}
        app["metadata"]["namespace"] = appset["metadata"]["namespace"]
        out.append(app)
    return out


# --- rendering ------------------------------------------------------------------------------


def test_registered_and_applies_only_to_argocd_delivery_from_a_cluster() -> None:
    assert "argocd" in engine.target_table.TARGETS
    example = validate_text("mlops.yaml", yaml.safe_dump(variant("example"))).spec
    assert example is not None and argocd.applies(example)
    push = variant("example")
    push["deployment"]["delivery"] = {"mode": "push"}
    spec = validate_text("mlops.yaml", yaml.safe_dump(push)).spec
    assert spec is not None and not argocd.applies(spec)
    spec = validate_text("mlops.yaml", yaml.safe_dump(variant("embedded"))).spec
    assert spec is not None and not argocd.applies(spec)


@pytest.mark.parametrize("name", ["example", "kubernetes-canary", "batch"])
def test_project_and_application_set_pass_the_strict_crd_schemas(name: str,
                                                                  tmp_path: Path) -> None:
    data = variant(name)
    data["deployment"]["delivery"] = {"repository": REPOSITORY}
    model_dir = render(tmp_path, data)
    for file in ("appproject.yaml", "applicationset.yaml"):
        doc = load(model_dir / "argocd" / file)
        assert not crd_errors(doc), crd_errors(doc)


def test_the_strict_schemas_reject_unknown_fields(tmp_path: Path) -> None:
    """The check can fail: an unknown field or a wrong type is reported."""
    model_dir = render(tmp_path, variant("example"))
    appset = load(model_dir / "argocd" / "applicationset.yaml")
    appset["spec"]["template"]["spec"]["syncPolicy"]["automated"]["pruneLast"] = True
    project = load(model_dir / "argocd" / "appproject.yaml")
    project["spec"]["destinations"][0]["namspace"] = "x"
    assert any("pruneLast" in e for e in crd_errors(appset))
    assert any("namspace" in e for e in crd_errors(project))


def test_project_restricts_sources_and_destinations_to_the_spec(tmp_path: Path) -> None:
    data = variant("example")
    data["deployment"]["delivery"]["argocd"] = {
        "namespace": "gitops", "project": "credit", "server": "https://prod.k8s.acme.example"}
    model_dir = render(tmp_path, data)
    project = load(model_dir / "argocd" / "appproject.yaml")
    assert project["metadata"] == {**project["metadata"], "name": "credit",
                                   "namespace": "gitops"}
    assert project["spec"]["sourceRepos"] == [REPOSITORY]
    assert project["spec"]["destinations"] == [
        {"server": "https://prod.k8s.acme.example", "namespace": "ml-staging"},
        {"server": "https://prod.k8s.acme.example", "namespace": "ml-prod"}]
    assert project["spec"]["clusterResourceWhitelist"] == []
    appset = load(model_dir / "argocd" / "applicationset.yaml")
    assert appset["metadata"]["namespace"] == "gitops"
    assert appset["spec"]["template"]["spec"]["project"] == "credit"


def test_unpinned_environments_get_no_application(tmp_path: Path) -> None:
    model_dir = render(tmp_path, variant("example"))
    assert not (model_dir / "argocd" / "environments").exists()
    assert applications(tmp_path, model_dir) == []
    # The overlays still exist, for push mode and for the promotion that pins them.
    assert "<unset>" in (model_dir / "deploy" / "staging" / "model-version.env").read_text()


def test_a_pin_adds_exactly_that_environment(tmp_path: Path) -> None:
    model_dir = render(tmp_path, pinned("staging"))
    apps = applications(tmp_path, model_dir)
    assert [a["metadata"]["name"] for a in apps] == ["credit-risk-staging"]
    [app] = apps
    assert not crd_errors(app), crd_errors(app)
    spec = app["spec"]
    assert spec["source"] == {"repoURL": REPOSITORY, "targetRevision": "main",
                              "path": "deploy/staging"}
    assert spec["destination"]["namespace"] == "ml-staging"
    assert spec["syncPolicy"]["automated"] == {"enabled": True, "prune": True,
                                               "selfHeal": True}
    project = load(model_dir / "argocd" / "appproject.yaml")
    assert spec["project"] == project["metadata"]["name"]
    assert spec["source"]["repoURL"] in project["spec"]["sourceRepos"]
    assert {"server": spec["destination"]["server"],
            "namespace": spec["destination"]["namespace"]} in project["spec"]["destinations"]
    # Unpinning removes the file again (the ApplicationSet keeps the Application alive).
    render(tmp_path, variant("example"))
    assert applications(tmp_path, model_dir) == []


def test_model_in_a_subdirectory(tmp_path: Path) -> None:
    data = pinned("staging", "production")
    data["deployment"]["delivery"]["revision"] = "release/2026"
    model_dir = render(tmp_path, data, "models/credit/mlops.yaml")
    appset = load(model_dir / "argocd" / "applicationset.yaml")
    git = appset["spec"]["generators"][0]["git"]
    assert git["files"] == [{"path": "models/credit/argocd/environments/*.json"}]
    assert git["revision"] == "release/2026"
    apps = applications(tmp_path, model_dir)
    assert [a["spec"]["source"]["path"] for a in apps] == [
        "models/credit/deploy/production", "models/credit/deploy/staging"]
    assert {a["spec"]["source"]["targetRevision"] for a in apps} == {"release/2026"}


# --- validation -----------------------------------------------------------------------------


def _codes(data: dict[str, Any]) -> list[str]:
    return codes(validate_text("mlops.yaml", yaml.safe_dump(data)))


def test_argocd_needs_a_repository() -> None:
    data = variant("example")
    del data["deployment"]["delivery"]
    result = validate_text("mlops.yaml", yaml.safe_dump(data, sort_keys=False))
    [finding] = [d for d in result.diagnostics if d.code == "M059"]
    assert finding.line is not None and finding.hint and "mode: push" in finding.hint
    push = copy.deepcopy(data)
    push["deployment"]["delivery"] = {"mode": "push"}
    assert "M059" not in _codes(push)
    embedded = variant("embedded")
    embedded["deployment"].pop("delivery", None)
    assert "M059" not in _codes(embedded)


@pytest.mark.parametrize("field, value", [
    ("repository", "http://github.com/acme/credit-risk.git"),
    ("repository", "https://user:token@github.com/acme/credit-risk.git"),
    ("repository", "https://github.com/acme/../other.git"),
    ("repository", "git@github.com:acme/credit-risk.git"),
    ("revision", "main..x"),
    ("revision", "main branch"),
    ("mode", "flux"),
])
def test_delivery_values_are_validated(field: str, value: str) -> None:
    data = variant("example")
    data["deployment"]["delivery"][field] = value
    assert any(code.startswith("S") for code in _codes(data)), value


@pytest.mark.parametrize("field, value", [
    ("namespace", "Argo_CD"), ("project", "-x"), ("server", "http://k8s:6443")])
def test_argocd_values_are_validated(field: str, value: str) -> None:
    data = variant("example")
    data["deployment"]["delivery"]["argocd"] = {field: value}
    assert any(code.startswith("S") for code in _codes(data)), value


# --- what Argo CD would sync (real kustomize) -----------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", ["example", "kubernetes-rolling", "kubernetes-shadow",
                                  "batch"])
def test_every_synced_overlay_builds_without_a_placeholder(name: str, tmp_path: Path) -> None:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is not on PATH (the overlays are built with kubectl kustomize)"
    data = variant(name)
    data["deployment"]["delivery"] = {"repository": REPOSITORY}
    envs = data["deployment"]["environments"]
    envs[0]["model_version"] = PINNED
    model_dir = render(tmp_path, data)
    apps = applications(tmp_path, model_dir)
    assert len(apps) == 1
    for app in apps:
        assert not crd_errors(app), crd_errors(app)
        overlay = tmp_path / app["spec"]["source"]["path"]
        run = subprocess.run([kubectl, "kustomize", str(overlay)], capture_output=True,
                             text=True, check=False)
        assert run.returncode == 0, run.stderr
        assert "<unset>" not in run.stdout
        docs = [d for d in yaml.safe_load_all(run.stdout) if d]
        assert docs and {d["metadata"]["namespace"] for d in docs} == {
            app["spec"]["destination"]["namespace"]}
        assert {d["metadata"]["labels"]["app.kubernetes.io/version"] for d in docs} == {
            PINNED}
    # The unpinned overlay is the one with the placeholder, and no Application points at it.
    synced = {app["spec"]["source"]["path"] for app in apps}
    assert f"deploy/{envs[1]['name']}" not in synced
