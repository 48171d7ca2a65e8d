"""Meaning-level rules: the example is clean, and every rule fires on a mutation of it."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

import pytest
from helpers import check, example_text, line_of, mutate, show

from mlops_spec.spec import rules


def test_the_example_has_no_findings(example: str) -> None:
    result = check(example)
    assert result.ok
    assert result.diagnostics == [], show(result.diagnostics)
    assert result.exit_code == 0


@dataclass(frozen=True)
class Mutation:
    code: str
    why: str
    edits: tuple[tuple[str, str], ...]
    at: str
    """Text on the line where the finding must be reported."""
    hint: str | None = None
    """Text the hint must contain, when the rule's hint is worth pinning down."""


WARNING_CODES = {"M033", "M054", "M056", "M220", "M266", "M267"}
"""Rules that advise rather than block."""

STEPS = "    steps: [{weight: 10, pause: 15m}, {weight: 50, pause: 30m}]\n"
SECOND_SOURCE = """\
    - name: bureau
      uri: s3://acme-data/bureau/
      format: parquet
      owner: "@dana"
"""
INCOME = "    - {name: income, source: applications, type: numeric, transform: log}\n"
PYTHON_LINE = '  python: "3.11"\n'
ROLE_ARN = "arn:aws:iam::123456789012:role/mlops-credit-risk"
GUID = "11111111-2222-3333-4444-555555555555"
GCP_PROVIDER = "projects/123456789012/locations/global/workloadIdentityPools/github/providers/gh-1"

MUTATIONS = [
    Mutation("M001", "a feature names an unknown source",
             (("{name: income, source: applications", "{name: income, source: aplications"),),
             "source: aplications", "did you mean 'applications'?"),
    Mutation("M001", "target_source is not a data source",
             (("  target: defaulted\n", "  target: defaulted\n  target_source: bureau\n"),),
             "target_source: bureau"),
    Mutation("M002", "the target is also a feature",
             (("target: defaulted", "target: income"),), "{name: income,"),
    Mutation("M003", "an approver role has no members",
             (("approvers: [sme, ml_engineer]", "approvers: [sme, product_owner]"),),
             "approvers: [sme, product_owner]", "owners.product_owner"),
    Mutation("M003", "an attesting role has no members",
             (("attested_by: [architect]", "attested_by: [security]"),),
             "attested_by: [security]"),
    Mutation("M004", "a source owner is not listed under owners",
             (('owner: "@dana"', 'owner: "@danna"'),), 'owner: "@danna"',
             "did you mean '@dana'?"),
    Mutation("M005", "a metric does not suit the task",
             (("metrics: [roc_auc, f1, precision, recall]",
               "metrics: [roc_auc, f1, precision, recall, r2]"),), "metrics: [roc_auc"),
    Mutation("M005", "the performance monitor metric does not suit the task",
             (("performance: {metric: roc_auc, min: 0.75}",
               "performance: {metric: mae, max: 0.75}"),), "performance: {metric: mae"),
    Mutation("M006", "a threshold is on a metric that is not computed",
             (("f1: {min: 0.55}}", "f1: {min: 0.55}, accuracy: {min: 0.7}}"),),
             "accuracy: {min: 0.7}"),
    Mutation("M006", "vs_production compares a metric that is not computed",
             (("vs_production: {metric: roc_auc", "vs_production: {metric: accuracy"),),
             "vs_production: {metric: accuracy"),
    Mutation("M007", "the estimator does not exist",
             (("estimator: sklearn.ensemble.HistGradientBoostingClassifier",
               "estimator: sklearn.ensemble.HistGradientBoostingClasifier"),),
             "estimator:", "did you mean 'sklearn.ensemble.HistGradientBoostingClassifier'?"),
    Mutation("M008", "a regressor for a classification task",
             (("estimator: sklearn.ensemble.HistGradientBoostingClassifier",
               "estimator: sklearn.ensemble.HistGradientBoostingRegressor"),), "estimator:"),
    Mutation("M009", "the estimator has no such parameter",
             (("params: {max_iter: 200", "params: {max_iters: 200"),), "max_iters: 200",
             "did you mean 'max_iter'?"),
    Mutation("M010", "canary weights do not rise",
             (("{weight: 50, pause: 30m}", "{weight: 5, pause: 30m}"),), "{weight: 5, pause"),
    Mutation("M010", "a canary without steps",
             ((STEPS, ""),), "    type: canary"),
    Mutation("M011", "blue_green on KServe",
             (("type: canary\n" + STEPS, "type: blue_green\n"),), "type: blue_green"),
    Mutation("M012", "min_replicas above max_replicas",
             (("min_replicas: 2", "min_replicas: 12"),), "min_replicas: 12"),
    Mutation("M013", "two environments with one name",
             (("{name: production, namespace: ml-prod", "{name: staging, namespace: ml-prod"),),
             "namespace: ml-prod"),
    Mutation("M014", "a batch section on a realtime deployment",
             (("  environments:\n", '  batch: {schedule: "0 1 * * *", input: data/in.csv, '
               "output: s3://acme-ml/out/}\n  environments:\n"),), "  batch: {"),
    Mutation("M015", "drift watches a column that is not a feature",
             (("features: all}", "features: [income, incme]}"),), "features: [income, incme]",
             "did you mean 'income'?"),
    Mutation("M016", "retrain on a monitor that is not configured",
             (("  performance: {metric: roc_auc, min: 0.75}\n", ""),),
             "on: [drift, performance]"),
    Mutation("M017", "high risk production deploys automatically",
             (("approvers: [sme, ml_engineer]}", "approvers: [sme, ml_engineer], "
               "auto_deploy: true}"),), "ml_engineer], auto_deploy: true}"),
    Mutation("M017", "high risk production without approvers",
             ((", approvers: [sme, ml_engineer]}", "}"),), "{name: production"),
    Mutation("M018", "a feature listed twice",
             (("{name: loan_amount,", "{name: income,"),), "{name: income, source: applications, "
             "type: numeric, transform: standard}"),
    Mutation("M018", "a data source name used twice",
             (("\nfeatures:\n", "    - name: applications\n      uri: data/other.csv\n"
               "      format: csv\n      owner: \"@dana\"\n\nfeatures:\n"),),
             "- name: applications\n      uri: data/other.csv"),
    Mutation("M019", "a categorical transform on a numeric feature",
             (("type: numeric, transform: log", "type: numeric, transform: one_hot"),),
             "numeric, transform: one_hot}"),
    Mutation("M020", "stratify on a regression",
             (("task: binary_classification", "task: regression"),
              ("HistGradientBoostingClassifier", "HistGradientBoostingRegressor"),
              ("metrics: [roc_auc, f1, precision, recall]", "metrics: [r2, mae]"),
              ("{roc_auc: {min: 0.80}, f1: {min: 0.55}}", "{r2: {min: 0.5}}"),
              ("vs_production: {metric: roc_auc", "vs_production: {metric: r2"),
              ("performance: {metric: roc_auc", "performance: {metric: r2")),
             "stratify: true"),
    Mutation("M021", "runner command without a command",
             (("runner: builtin", "runner: command"),), "runner: command"),
    Mutation("M021", "a command with the builtin runner",
             (("runner: builtin\n", "runner: builtin\n  command: [python, train.py]\n"),),
             "command: [python, train.py]"),
    Mutation("M022", "realtime without a platform",
             (("  platform: kserve\n", ""),), "mode: realtime"),
    Mutation("M023", "a dropped PII column used as a feature",
             ((INCOME, INCOME + "    - {name: email, source: applications, "
               "type: categorical, transform: one_hot}\n"),), "{name: email, source"),
    Mutation("M024", "an unknown check without attesters",
             (("    - model-card\n", "    - model-crd\n"),), "- model-crd",
             "did you mean 'model-card'?"),
    Mutation("M024", "a check listed twice",
             (("    - model-card\n", "    - model-card\n    - model-card\n"),),
             "    - model-card\n    - model-card"),
    Mutation("M025", "serving without a remote artifact store",
             (('store: "s3://acme-models/credit-risk"', 'store: "models/credit-risk"'),),
             "artifact: {format: skops"),
    Mutation("M025", "scale to zero off KServe",
             (("platform: kserve", "platform: kubernetes"),
              ("type: canary\n" + STEPS, "type: rolling\n"),
              ("min_replicas: 2", "min_replicas: 0")), "min_replicas: 0"),
    Mutation("M026", "kubernetes training without an image",
             (("platform: ci", "platform: kubernetes"),
              ("uri: data/applications.csv", "uri: s3://acme-data/applications.csv")),
             "platform: kubernetes"),
    Mutation("M027", "features from two sources without join_on",
             (("\nfeatures:\n", SECOND_SOURCE + "\nfeatures:\n"),
              (INCOME, INCOME + "    - {name: score, source: bureau, type: numeric}\n")),
             "  sources:\n    - name: applications"),
    Mutation("M028", "mirror_percent on a canary",
             (("    type: canary\n", "    type: canary\n    mirror_percent: 50\n"),),
             "mirror_percent: 50"),
    Mutation("M030", "a canary with no live traffic",
             (("mode: realtime\n  platform: kserve\n", "mode: embedded\n"),), "type: canary"),
    Mutation("M033", "a max-only bound on a higher-is-better metric",
             (("f1: {min: 0.55}", "f1: {max: 0.99}"),), "f1: {max: 0.99}"),
    Mutation("M034", "memory without a suffix",
             (("memory: 1Gi", 'memory: "512"'),), 'memory: "512"', "512Mi"),
    Mutation("M040", "a deployed environment's kubeconfig secret is not listed",
             (("KUBECONFIG_STAGING, ", ""), ("mode: argocd", "mode: push")), "{name: staging",
             "KUBECONFIG_STAGING"),
    Mutation("M059", "Argo CD delivery without the repository it syncs from",
             (("    repository: https://github.com/acme/credit-risk.git\n", ""),),
             "mode: argocd", "mode: push"),
    Mutation("M060", "a deployer that is not a provider",
             (("providers: [github_actions, jenkins]", "providers: [github_actions]\n"
               "  deployer: jenkins"),), "deployer: jenkins", "ci.providers"),
    Mutation("M260", "an OIDC role without the identifier its cloud needs",
             ((PYTHON_LINE, PYTHON_LINE + "  oidc_role: {cloud: aws}\n"),),
             "oidc_role: {cloud: aws}", "role_arn"),
    Mutation("M261", "an OIDC role with another cloud's setting",
             ((PYTHON_LINE, PYTHON_LINE + "  oidc_role:\n    cloud: aws\n"
               f"    role_arn: {ROLE_ARN}\n    client_id: {GUID}\n"),),
             "client_id:", "set cloud"),
    Mutation("M262", "the AWS shorthand with a malformed role ARN",
             ((PYTHON_LINE, PYTHON_LINE + "  oidc_role: arn:aws:iam::1234:role/mlops\n"),),
             "oidc_role: arn:aws:iam::1234:role/mlops", "arn:aws:iam::123456789012:role/"),
    Mutation("M263", "a GCP provider given by project id instead of its resource name",
             (('store: "s3://acme-models/credit-risk"', 'store: "gs://acme-models/cr"'),
              (PYTHON_LINE, PYTHON_LINE + "  oidc_role:\n    cloud: gcp\n"
               "    workload_identity_provider: projects/acme-ml/locations/global/"
               "workloadIdentityPools/github/providers/github\n"),),
             "workload_identity_provider:", "projects/123456789012/"),
    Mutation("M264", "a GCP service account that is not an email",
             (('store: "s3://acme-models/credit-risk"', 'store: "gs://acme-models/cr"'),
              (PYTHON_LINE, PYTHON_LINE + "  oidc_role:\n    cloud: gcp\n"
               f"    workload_identity_provider: {GCP_PROVIDER}\n"
               "    service_account: mlops-credit-risk\n"),),
             "service_account: mlops-credit-risk", "iam.gserviceaccount.com"),
    Mutation("M265", "an Azure tenant id that is not a GUID",
             (('store: "s3://acme-models/credit-risk"', 'store: "hdfs://nn/models/cr"'),
              (PYTHON_LINE, PYTHON_LINE + "  oidc_role:\n    cloud: azure\n"
               f"    client_id: {GUID}\n    tenant_id: acme.onmicrosoft.com\n"),),
             "tenant_id: acme.onmicrosoft.com", "00000000-"),
    Mutation("M266", "an OIDC role on another cloud than the store",
             ((PYTHON_LINE, PYTHON_LINE + "  oidc_role:\n    cloud: gcp\n"
               f"    workload_identity_provider: {GCP_PROVIDER}\n"),),
             "cloud: gcp", "cloud: aws"),
    Mutation("M267", "an OIDC role while Jenkins deploys",
             ((PYTHON_LINE, PYTHON_LINE + f"  deployer: jenkins\n  oidc_role: {ROLE_ARN}\n"),),
             "oidc_role: arn:", "GitHub Actions"),
    Mutation("M050", "an artifact store the storage initializer cannot read",
             (('store: "s3://acme-models/credit-risk"', 'store: "az://acme/credit-risk"'),),
             'store: "az://acme/credit-risk"'),
    Mutation("M051", "batch on kubernetes without a scoring image",
             (("mode: realtime\n  platform: kserve\n", "mode: batch\n  platform: kubernetes\n"),
              ("type: canary\n" + STEPS, "type: rolling\n"),
              ("  autoscaling: {min_replicas: 2, max_replicas: 10, target_cpu_percent: 70}\n",
               "  batch: {schedule: \"0 2 * * *\", input: s3://acme/in/, output: s3://acme/out/}"
               "\n")),
             "mode: batch"),
    Mutation("M052", "in-cluster training on repository data",
             (("platform: ci", "platform: kubernetes\n  image: ghcr.io/acme/train:1.4.0"),),
             "uri: data/applications.csv"),
    Mutation("M240", "in-cluster training with a local store the pod cannot reach",
             (("platform: ci", "platform: kubernetes\n  image: ghcr.io/acme/train:1.4.0"),
              ("uri: data/applications.csv", "uri: s3://acme-data/applications.csv"),
              ('store: "s3://acme-models/credit-risk"', 'store: "models/credit-risk"'),
              ("  mode: realtime\n  platform: kserve\n  strategy:\n    type: canary\n"
               + STEPS, "  mode: embedded\n")),
             'store: "models/credit-risk"', "s3://acme-models/credit-risk"),
    Mutation("M241", "in-cluster training with a store upload does not write",
             (("platform: ci", "platform: kubernetes\n  image: ghcr.io/acme/train:1.4.0"),
              ("uri: data/applications.csv", "uri: s3://acme-data/applications.csv"),
              ('store: "s3://acme-models/credit-risk"',
               'store: "https://models.acme.example/credit-risk"')),
             "store: \"https://"),
    Mutation("M242", "in-cluster training from GitHub without the kubeconfig secret",
             (("platform: ci", "platform: kubernetes\n  image: ghcr.io/acme/train:1.4.0"),
              ("uri: data/applications.csv", "uri: s3://acme-data/applications.csv"),
              ("KUBECONFIG_STAGING, ", "")),
             "platform: kubernetes", "KUBECONFIG_STAGING"),
    Mutation("M053", "an environment named like a reserved overlay",
             (("{name: staging, namespace: ml-staging", "{name: base, namespace: ml-staging"),
              ("KUBECONFIG_STAGING", "KUBECONFIG_BASE")),
             "{name: base"),
    Mutation("M054", "a serving image KServe ignores",
             (("  platform: kserve\n", "  platform: kserve\n  image: ghcr.io/acme/s:1.0.0\n"),),
             "image: ghcr.io/acme/s:1.0.0"),
    Mutation("M055", "a parameter value the estimator refuses",
             (("params: {max_iter: 200,", "params: {max_iter: lots,"),), "params:",
             "an integer >= 1"),
    Mutation("M055", "a parameter option the estimator does not have",
             (("params: {max_iter: 200,", "params: {max_iter: 200, loss: hinge,"),), "params:",
             "one of 'log_loss'"),
    Mutation("M056", "a drift threshold that auto ignores",
             (("drift: {method: psi, threshold: 0.2", "drift: {method: auto, threshold: 0.2"),),
             "drift: {method: auto", "name a method"),
    Mutation("M057", "realtime cluster serving without the pickle opt-in",
             (("  allow_pickle_serving: true\n", ""),), "platform: kserve"),
    Mutation("M058", "two environments write the same batch scores",
             (("mode: realtime\n  platform: kserve\n", "mode: batch\n  platform: kubernetes\n"
                                                     "  image: ghcr.io/acme/score:1.0.0\n"),
              ("type: canary\n" + STEPS, "type: rolling\n"),
              ("  autoscaling: {min_replicas: 2, max_replicas: 10, target_cpu_percent: 70}\n",
               "  batch: {schedule: \"0 2 * * *\", input: s3://acme/in/, output: s3://acme/out/}"
               "\n"),
              ("approvers: [sme, ml_engineer]}",
               "approvers: [sme, ml_engineer], batch_output: s3://acme/out/staging}")),
             "batch_output: s3://acme/out/staging"),
    Mutation("M220", "promotion by pull request without MLOPS_PR_TOKEN",
             ((", MLOPS_PR_TOKEN]", "]"),), "secrets: [AWS_ACCESS_KEY_ID,",
             "add MLOPS_PR_TOKEN to ci.secrets"),
    Mutation("M035", "a CI provider listed twice",
             (("providers: [github_actions, jenkins]",
               "providers: [github_actions, jenkins, github_actions]"),), "providers:"),
]


def _id(mutation: Mutation) -> str:
    return f"{mutation.code}-{mutation.why.replace(' ', '-')}"


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[_id(m) for m in MUTATIONS])
def test_rule_fires_alone_at_its_line(mutation: Mutation) -> None:
    text = mutate(example_text(), *mutation.edits)
    result = check(text)
    found = {d.code for d in result.diagnostics}
    assert found == {mutation.code}, show(result.diagnostics)
    assert result.spec is not None, "the mutation must keep the spec valid by schema"
    line = line_of(text, mutation.at)
    hits = [d for d in result.diagnostics if d.line == line]
    assert hits, f"expected {mutation.code} at line {line}:\n{show(result.diagnostics)}"
    if mutation.hint is not None:
        assert any(mutation.hint in (d.hint or "") for d in hits), show(hits)
    for d in result.diagnostics:
        assert d.column is not None and d.path, d


def _rule_codes() -> set[str]:
    source = "".join(inspect.getsource(module) for module in rules.MODULES)
    return set(re.findall(r'Finding\(\s*"(M\d{3})"', source))


def test_every_rule_code_has_a_mutation() -> None:
    codes = _rule_codes()
    assert len(codes) >= 30, "the code scan found too few rules"
    assert codes == {m.code for m in MUTATIONS}


def test_every_rule_function_is_registered() -> None:
    functions = {value for module in rules.MODULES for name, value in vars(module).items()
                 if inspect.isfunction(value) and value.__module__ == module.__name__
                 and "spec" in inspect.signature(value).parameters
                 and not name.startswith("_")}
    assert functions == set(rules.RULES)


def test_every_rule_module_is_listed() -> None:
    import pkgutil

    found = {m.name for m in pkgutil.iter_modules(rules.__path__)} - {"finding"}
    assert found == {module.__name__.rsplit(".", 1)[1] for module in rules.MODULES}


def test_rules_findings_carry_severity_and_hint() -> None:
    for mutation in MUTATIONS:
        result = check(mutate(example_text(), *mutation.edits))
        for d in result.diagnostics:
            assert d.hint, f"{d.code} has no hint"
            expected = "warning" if d.code in WARNING_CODES else "error"
            assert d.severity.value == expected


def test_all_rule_failures_are_reported_in_one_run(example: str) -> None:
    text = mutate(example,
                  ("{name: income, source: applications", "{name: income, source: aplications"),
                  ('owner: "@dana"', 'owner: "@danna"'),
                  ("min_replicas: 2", "min_replicas: 12"),
                  ("f1: {min: 0.55}", "f1: {max: 0.99}"),
                  ("providers: [github_actions, jenkins]",
                   "providers: [jenkins, jenkins]"),
                  ("    - model-card\n", "    - model-crd\n"))
    result = check(text)
    assert result.spec is not None
    assert sorted(d.code for d in result.diagnostics) == [
        "M001", "M004", "M012", "M024", "M033", "M035"], show(result.diagnostics)
    lines = [d.line for d in result.diagnostics]
    assert lines == sorted(lines), "diagnostics come in file order"
    assert result.exit_code == 1


def test_warnings_alone_keep_the_spec_valid(example: str) -> None:
    result = check(mutate(example, ("f1: {min: 0.55}", "f1: {max: 0.99}")))
    assert [d.code for d in result.diagnostics] == ["M033"]
    assert result.ok
    assert result.exit_code == 0


def test_a_nested_parameter_value_is_one_error() -> None:
    text = mutate(example_text(), ("params: {max_iter: 200,", "params: {max_iter: {a: 1},"))
    errors = [d for d in check(text).diagnostics if d.is_error]
    assert len(errors) == 1, show(errors)
    assert errors[0].code == "S003" and "not a mapping" in errors[0].message


@pytest.mark.parametrize(("old", "new", "field"), [
    ("retention_days: 730", "retention_days: 100000000000000000000000000000000",
     "retention_days"),
    ("retention_days: 730", "retention_days: 1e32", "retention_days"),
    ("seed: 42", "seed: 99999999999", "seed"),
    ("roc_auc: {min: 0.80}", "roc_auc: {min: .inf}", "min"),
    ("max_drop: 0.01", "max_drop: 1e300", "max_drop"),
    ("threshold: 0.2", "threshold: 1e9", "threshold"),
    ("pause: 15m", "pause: 99999h", "pause"),
])
def test_numbers_are_bounded(old: str, new: str, field: str) -> None:
    result = check(mutate(example_text(), (old, new)))
    errors = [d for d in result.diagnostics if d.is_error]
    assert errors and all(d.code == "S003" for d in errors), show(result.diagnostics)
    assert field in str(errors[0].path), errors[0]


@pytest.mark.parametrize(("edits", "why"), [
    (((PYTHON_LINE, PYTHON_LINE + "  deployer: jenkins\n"),),
     "Jenkins opens the pull requests with its own credential"),
    (((", MLOPS_PR_TOKEN]", ", MLOPS_PR_TOKEN]"), ("mode: argocd", "mode: push")),
     "push delivery opens no promotion pull request"),
])
def test_no_pull_request_token_needed(edits: tuple[tuple[str, str], ...], why: str) -> None:
    text = mutate(example_text(), (", MLOPS_PR_TOKEN]", "]"),
                  *[edit for edit in edits if edit[0] != ", MLOPS_PR_TOKEN]"])
    assert "M220" not in {d.code for d in check(text).diagnostics}, why
