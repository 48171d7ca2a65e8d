"""Pydantic models for every section of mlops.yaml.

The models hold shape and per-field rules (types, patterns, ranges). Rules that relate two
sections (a feature's source exists, approvers are defined owners, ...) live in
``mlops_spec.spec.rules`` so each gets its own diagnostic code. Field descriptions feed the
JSON Schema and docs/reference.md, so they are written for users.
"""

from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from mlops_spec.spec.metrics import MetricName, Task
from mlops_spec.spec.types import (
    ApiServerUrl,
    Branch,
    ColumnName,
    Cron,
    DnsLabel,
    Duration,
    EstimatorPath,
    GitHttpsUrl,
    Handle,
    HttpsUrlOrPath,
    Identifier,
    Line,
    ModelVersion,
    Percent,
    Quantity,
    SecretName,
    StoreUri,
    StrictBool,
    StrictFloat,
    StrictInt,
    Text,
    UriOrPath,
    duration_seconds,
)

API_VERSION = "mlops-spec/v1"
SUPPORTED_API_VERSIONS = (API_VERSION,)

Role = Literal[
    "sme", "data_engineer", "data_scientist", "ml_engineer", "architect",
    "product_owner", "compliance", "security",
]
ROLES: tuple[str, ...] = get_args(Role)

IMAGE = (r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*"
         r"(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$")


def _not_latest(value: str) -> str:
    if value.endswith(":latest"):
        raise ValueError(f"{value!r} uses the tag latest, which changes under you; pin a "
                         "version tag or a digest")
    return value


Image = Annotated[str, Field(pattern=IMAGE, max_length=255), AfterValidator(_not_latest)]
def _scalar_param(value: Any) -> Any:
    # One clear error for a mapping or list (a union of four scalar types reports four).
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if not value or len(value) > 200 or any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError("a text parameter is one line of 1 to 200 characters")
        return value
    what = "a mapping" if isinstance(value, dict) else "a list" if isinstance(
        value, list) else type(value).__name__
    raise ValueError(f"a parameter value is one number, text, true/false or null, not {what}")


ParamValue = Annotated[Any, BeforeValidator(_scalar_param), WithJsonSchema({
    "anyOf": [{"type": "boolean"}, {"type": "integer"}, {"type": "number"},
              {"type": "string", "minLength": 1, "maxLength": 200,
               "pattern": "^[^\\x00-\\x1f\\x7f]*$"}, {"type": "null"}]})]
CHECK_ID = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
def _at_most_a_week(value: str) -> str:
    if duration_seconds(value) > 7 * 24 * 3600:
        raise ValueError(f"{value} is longer than a week (168h); a canary pause is minutes "
                         "or hours")
    return value


METRIC_LIMIT = 1e12
"""Metric bounds are finite and at most this large (an error metric in currency units fits)."""
MetricValue = Annotated[StrictFloat, Field(ge=-METRIC_LIMIT, le=METRIC_LIMIT,
                                           allow_inf_nan=False)]


class Section(BaseModel):
    """Base of every section: unknown keys are errors and a loaded spec never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False, defer_build=True)


# --- owners ---------------------------------------------------------------------------------

Handles = Annotated[list[Handle], Field(min_length=1)]


class Owners(Section):
    """The people accountable for the model, by MLOps role."""

    sme: Handles | None = Field(None, description="Subject-matter experts who own the "
                                "business question and review fairness and intended use.")
    data_engineer: Handles | None = Field(None, description="Own the data sources and "
                                          "pipelines.")
    data_scientist: Handles | None = Field(None, description="Own features, model choice "
                                           "and evaluation.")
    ml_engineer: Handles | None = Field(None, description="Own training, deployment and "
                                        "monitoring infrastructure.")
    architect: Handles | None = Field(None, description="Review security and the system "
                                      "design.")
    product_owner: Handles | None = Field(None, description="Accountable for the product "
                                          "that uses the model.")
    compliance: Handles | None = Field(None, description="Legal, privacy and regulatory "
                                       "review.")
    security: Handles | None = Field(None, description="Security review.")

    @model_validator(mode="after")
    def _at_least_one(self) -> Self:
        if not any(getattr(self, role) for role in ROLES):
            raise ValueError(f"name at least one owner role ({', '.join(ROLES)})")
        return self

    def handles(self, role: str) -> list[str]:
        return list(getattr(self, role) or [])

    def roles(self) -> list[str]:
        return [role for role in ROLES if getattr(self, role)]


# --- data -----------------------------------------------------------------------------------

LawfulBasis = Literal["consent", "contract", "legal_obligation", "vital_interests",
                      "public_task", "legitimate_interests"]


class PiiColumn(Section):
    """A column holding personal data and what the pipeline does with it."""

    column: ColumnName = Field(description="Column name in the source.")
    category: Literal["contact", "identifier", "location", "demographic", "financial",
                      "health", "biometric", "other"] = Field(
        description="Kind of personal data; health and biometric are special categories "
                    "(GDPR Art. 9).")
    handling: Literal["drop", "generalize", "hash", "pseudonymize", "keep"] = Field(
        description="What happens to the column before training: drop removes it, "
                    "generalize coarsens it, hash/pseudonymize replace it, keep uses it as is.")


class DataSource(Section):
    """One dataset the model is trained on."""

    name: Identifier = Field(description="Name features refer to (snake_case).",
                             examples=["applications"])
    uri: UriOrPath = Field(description="Repository-relative path, or s3://, gs://, az://, "
                           "abfs(s)://, hdfs:// or https:// URI.",
                           examples=["data/applications.csv"])
    format: Literal["csv", "parquet"] = Field(description="File format.")
    owner: Handle = Field(description="The person or team accountable for the data; must be "
                          "listed under owners.", examples=["@dana"])
    evidence: HttpsUrlOrPath | None = Field(None, description="Provenance record: an https "
                                            "URL or repository path of the datasheet.")
    lawful_basis: LawfulBasis | None = Field(None, description="GDPR Art. 6 lawful basis "
                                             "for processing; required when pii is set.")
    retention_days: Annotated[StrictInt, Field(ge=1, le=36_500)] | None = Field(
        None, description="How long the data may be kept, in days (at most 100 years).")
    pii: list[PiiColumn] = Field(default_factory=list, description="Columns holding "
                                 "personal data and their handling.")


class Data(Section):
    """Where training data comes from."""

    sources: Annotated[list[DataSource], Field(min_length=1)] = Field(
        description="The datasets; names must be unique.")
    join_on: list[ColumnName] | None = Field(
        None, description="Key columns that join the sources when features use more than "
                          "one.")


# --- features -------------------------------------------------------------------------------

Transform = Literal["none", "log", "standard", "minmax", "robust", "one_hot", "ordinal"]
NUMERIC_TRANSFORMS = frozenset({"none", "log", "standard", "minmax", "robust"})
CATEGORICAL_TRANSFORMS = frozenset({"none", "one_hot", "ordinal"})


class Feature(Section):
    """One model input column."""

    name: ColumnName = Field(description="Column name in its source.")
    source: Identifier = Field(description="Name of the data source holding the column.")
    type: Literal["numeric", "categorical", "boolean"] = Field(description="Column type.")
    transform: Transform = Field("none", description="Preprocessing: log, standard, minmax "
                                 "or robust for numeric; one_hot or ordinal for categorical.")


class Features(Section):
    """The target and input columns."""

    target: ColumnName = Field(description="Label column the model predicts.",
                               examples=["defaulted"])
    target_source: Identifier | None = Field(None, description="Source holding the target; "
                                             "defaults to the first data source.")
    columns: Annotated[list[Feature], Field(min_length=1)] = Field(
        description="Input features; names must be unique.")


# --- model ----------------------------------------------------------------------------------


class Split(Section):
    """How the data is split into train and test sets."""

    test_size: Annotated[StrictFloat, Field(gt=0, lt=1)] = Field(
        0.2, description="Share of rows held out for evaluation.")
    stratify: StrictBool = Field(False, description="Keep class proportions in both sets "
                                 "(classification only).")
    seed: Annotated[StrictInt, Field(ge=0, le=2**32 - 1)] = Field(
        0, description="Random seed, for reproducible splits (a 32-bit unsigned integer).")


class Bound(Section):
    """A range a metric must stay within."""

    min: MetricValue | None = Field(None, description="Lowest acceptable value.")
    max: MetricValue | None = Field(None, description="Highest acceptable value.")

    @model_validator(mode="after")
    def _one_side(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class VsProduction(Section):
    """Champion/challenger: how much worse than production a new model may be."""

    metric: MetricName = Field(description="Metric compared with the production model.")
    max_drop: Annotated[StrictFloat, Field(ge=0, le=METRIC_LIMIT,
                                           allow_inf_nan=False)] = Field(
        description="Largest allowed drop (absolute) against production.")


class Promotion(Section):
    """The offline gate a newly trained model must pass."""

    thresholds: dict[MetricName, Bound] = Field(default_factory=dict, description="Bounds "
                                                "per metric, e.g. {roc_auc: {min: 0.8}}.")
    vs_production: VsProduction | None = Field(None, description="Comparison with the "
                                               "model in production.")


class Artifact(Section):
    """How the trained model is stored."""

    format: Literal["skops", "joblib"] = Field("skops", description="skops is safe to load "
                                               "(no arbitrary code); joblib is pickle.")
    store: StoreUri | None = Field(None, description="Where model versions are uploaded, "
                                   "one directory per version: s3://bucket/prefix, gs://, "
                                   "az:// or a local directory (relative to the spec, "
                                   "absolute, or file://). Omitted: .mlops-spec/store beside "
                                   "the spec. A cluster serves only from a remote store.")


TRACKING_URI = (r"^(https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%/-]*)?"
                r"|http://(localhost|127\.0\.0\.1)(:[0-9]+)?(/[A-Za-z0-9._~%/-]*)?"
                r"|databricks)$")
REGISTERED_MODEL = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class Registry(Section):
    """An MLflow Model Registry that records every uploaded version."""

    tracking_uri: Annotated[str, Field(pattern=TRACKING_URI, max_length=1024)] | None = Field(
        None, description="MLflow tracking server (https://..., databricks, or http:// on "
                          "localhost); omitted, MLFLOW_TRACKING_URI from the environment.",
        examples=["https://mlflow.acme.internal"])
    model_name: Annotated[str, Field(pattern=REGISTERED_MODEL)] | None = Field(
        None, description="Registered model name; omitted, the spec's name.")


Importance = Annotated[StrictFloat, Field(ge=0, le=1e12)]


class FeatureSelection(Section):
    """Keep only the most useful encoded features before the estimator (fitted on the
    training set only)."""

    method: Literal["k_best", "from_model"] = Field(
        description="k_best keeps the k features with the best univariate score "
                    "(SelectKBest: ANOVA F for classification, F-regression otherwise); "
                    "from_model keeps features whose importance in a fitted copy of the "
                    "estimator reaches threshold (SelectFromModel).")
    k: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = Field(
        None, description="With k_best: how many features to keep (all when there are "
                          "fewer).")
    threshold: Literal["mean", "median"] | Importance | None = Field(
        None, description="With from_model: importance a feature needs, a number or mean or "
                          "median of the importances (default mean).")

    @model_validator(mode="after")
    def _parameters_fit_method(self) -> Self:
        if self.method == "k_best" and self.k is None:
            raise ValueError("k_best needs k (how many features to keep)")
        if self.method == "k_best" and self.threshold is not None:
            raise ValueError("threshold belongs to from_model; k_best takes k")
        if self.method == "from_model" and self.k is not None:
            raise ValueError("k belongs to k_best; from_model takes threshold")
        return self


class Search(Section):
    """Hyperparameter search by cross-validation on the training set."""

    method: Literal["grid", "random"] = Field("grid", description="grid tries every "
                                              "combination (GridSearchCV); random samples "
                                              "n_iter of them (RandomizedSearchCV).")
    grid: Annotated[dict[Identifier, Annotated[list[ParamValue], Field(min_length=1)]],
                    Field(min_length=1)] = Field(
        description="Candidate values per estimator parameter, e.g. {max_depth: [3, 6]}; "
                    "model.params gives the values of the others.")
    folds: Annotated[StrictInt, Field(ge=2, le=20)] = Field(
        5, description="Cross-validation folds (stratified for classification).")
    scoring: MetricName | None = Field(None, description="Metric the search maximises "
                                       "(losses are minimised); default the first of "
                                       "model.metrics.")
    n_iter: Annotated[StrictInt, Field(ge=1, le=1000)] = Field(
        10, description="With random: how many combinations to try.")


class Model(Section):
    """The estimator and how it is evaluated."""

    task: Task = Field(description="Learning task.")
    estimator: EstimatorPath = Field(description="Import path of a scikit-learn estimator "
                                     "matching the task.",
                                     examples=["sklearn.ensemble.HistGradientBoostingClassifier"])
    params: dict[Identifier, ParamValue] = Field(default_factory=dict, description=(
        "Constructor parameters of the estimator (scalars only)."))
    split: Split = Field(default_factory=Split, description="Train/test split.")
    selection: FeatureSelection | None = Field(None, description="Optional feature "
                                               "selection between preprocessing and the "
                                               "estimator.")
    search: Search | None = Field(None, description="Optional hyperparameter search; the "
                                  "best parameters are refitted on the whole training set.")
    metrics: Annotated[list[MetricName], Field(min_length=1)] = Field(
        description="Metrics computed at evaluation; must suit the task.")
    promotion: Promotion = Field(default_factory=Promotion, description="Promotion gate.")
    artifact: Artifact = Field(default_factory=Artifact, description="Artifact storage.")
    registry: Registry | None = Field(None, description="Also register each uploaded "
                                      "version in an MLflow Model Registry (tags: commit, "
                                      "spec digest, metrics; aliases: environments).")


# --- training -------------------------------------------------------------------------------


class Resources(Section):
    """CPU and memory for a pod (used as both request and limit)."""

    cpu: Quantity = Field(description="CPU cores or millicores.", examples=["500m"])
    memory: Quantity = Field(description="Memory with a binary suffix.", examples=["1Gi"])


class Training(Section):
    """How the model is trained."""

    runner: Literal["builtin", "command"] = Field("builtin", description="builtin trains "
                                                  "the estimator from this spec; command runs "
                                                  "your own script.")
    command: Annotated[list[Line], Field(min_length=1)] | None = Field(
        None, description="With runner: command, the program and its arguments as a list "
                          "(run without a shell).", examples=[["python", "train.py"]])
    platform: Literal["ci", "kubernetes"] = Field("ci", description="Train on the CI runner, "
                                                  "or as a Kubernetes Job submitted by CI.")
    image: Image | None = Field(None, description="Container image for Kubernetes training, "
                                "with a tag or digest (never latest).")
    resources: Resources | None = Field(None, description="Resources of the training job.")
    timeout_minutes: Annotated[StrictInt, Field(ge=1, le=1440)] = Field(
        60, description="Longest a training run may take.")


# --- deployment -----------------------------------------------------------------------------


class CanaryStep(Section):
    """One step of a canary rollout."""

    weight: Percent = Field(description="Share of traffic sent to the new model, 1-100.")
    pause: Annotated[Duration, AfterValidator(_at_most_a_week)] | None = Field(
        None, description="How long to watch before the next step (e.g. 15m, at most "
        "168h); omitted means wait for promotion.")


class Strategy(Section):
    """How a new model version replaces the old one."""

    type: Literal["rolling", "canary", "blue_green", "shadow"] = Field(
        "rolling", description="rolling replaces pods; canary shifts traffic in steps; "
                               "blue_green switches at once after preview; shadow mirrors "
                               "traffic to the new model without serving its answers.")
    steps: list[CanaryStep] = Field(default_factory=list, description="Canary steps, in "
                                    "rising weight order.")
    mirror_percent: Percent | None = Field(None, description="Share of traffic mirrored to "
                                           "the new model (shadow).")
    traffic_router: Literal["none", "istio"] = Field(
        "none", description="Service mesh used for traffic mirroring (shadow on kubernetes).")


class Autoscaling(Section):
    """Horizontal autoscaling bounds."""

    min_replicas: Annotated[StrictInt, Field(ge=0, le=1000)] = Field(
        description="Fewest replicas (0 scales to zero, KServe only).")
    max_replicas: Annotated[StrictInt, Field(ge=1, le=1000)] = Field(
        description="Most replicas.")
    target_cpu_percent: Percent = Field(80, description="Average CPU utilisation to hold.")


class Environment(Section):
    """A deployment environment, in promotion order; the last one is production."""

    name: DnsLabel = Field(description="Environment name (also the GitHub environment and "
                           "the overlay directory).", examples=["staging"])
    namespace: DnsLabel = Field(description="Kubernetes namespace.", examples=["ml-staging"])
    auto_deploy: StrictBool = Field(False, description="Deploy without a manual approval "
                                    "once the previous environment succeeded.")
    approvers: list[Role] = Field(default_factory=list, description="Owner roles whose "
                                  "members must approve a deployment here.")
    replicas: Annotated[StrictInt, Field(ge=1, le=1000)] | None = Field(
        None, description="Fixed replica count when autoscaling is not set.")
    resources: Resources | None = Field(None, description="Overrides deployment.resources.")
    autoscaling: Autoscaling | None = Field(None, description="Overrides "
                                            "deployment.autoscaling.")
    model_version: ModelVersion | None = Field(
        None, description="Pins the model version served here (the commit the pipeline "
                          "trained it at, a directory under model.artifact.store); omitted, "
                          "the deploying pipeline sets the version it just trained.",
        examples=["3f2c1a9e0b7d4c6f8a1e2d3c4b5a69788796a5b4"])
    batch_input: UriOrPath | None = Field(
        None, description="Batch scoring: where this environment reads rows to score; "
                          "omitted, deployment.batch.input.")
    batch_output: UriOrPath | None = Field(
        None, description="Batch scoring: where this environment writes scores; omitted, "
                          "deployment.batch.output followed by /<environment name>, so no "
                          "two environments write the same place.")


class Batch(Section):
    """Scheduled batch scoring."""

    schedule: Cron = Field(description="When to score (cron, UTC).")
    input: UriOrPath = Field(description="Where rows to score are read.")
    output: UriOrPath = Field(description="Where scores are written.")
    parallelism: Annotated[StrictInt, Field(ge=1, le=1000)] = Field(
        1, description="Number of shards, run as a Kubernetes Indexed Job.")
    timeout_minutes: Annotated[StrictInt, Field(ge=1, le=1440)] = Field(
        60, description="A scoring run still going after this long is stopped "
                        "(activeDeadlineSeconds), so it never blocks the next run.")


LABEL_KEY = (r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
             r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
LABEL_VALUE = r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$"
LabelKey = Annotated[str, Field(pattern=LABEL_KEY, max_length=253)]
LabelValue = Annotated[str, Field(pattern=LABEL_VALUE, max_length=63)]


class Caller(Section):
    """Pods allowed to call the model (a NetworkPolicy admits only these)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False,
                              defer_build=True, json_schema_extra={"minProperties": 1})

    namespace: DnsLabel | None = Field(
        None, description="Namespace of the callers; omitted, the environment's own.",
        examples=["web"])
    pod_labels: dict[LabelKey, LabelValue] | None = Field(
        None, description="Labels the calling pods carry; omitted, every pod of the "
                          "namespace.", examples=[{"app.kubernetes.io/name": "checkout"}])


class Identity(Section):
    """Workload identity of the serving pods' ServiceAccount (read access to the store)."""

    aws_role_arn: Annotated[str, Field(
        pattern=r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")] | None = (
        Field(None, description="IAM role for service accounts (EKS IRSA): the "
                                "eks.amazonaws.com/role-arn annotation.",
              examples=["arn:aws:iam::123456789012:role/credit-risk-serving"]))
    gcp_service_account: Annotated[str, Field(
        pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]"
                r"\.iam\.gserviceaccount\.com$")] | None = Field(
        None, description="GKE Workload Identity: the iam.gke.io/gcp-service-account "
                          "annotation.",
        examples=["credit-risk@acme-ml.iam.gserviceaccount.com"])
    azure_client_id: Annotated[str, Field(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")] | None = (
        Field(None, description="Azure Workload Identity: the managed identity's client id "
                                "(azure.workload.identity/client-id).",
              examples=["00000000-0000-0000-0000-000000000000"]))


class StoreAccess(Section):
    """Static credentials for an S3-compatible store, referenced, never rendered."""

    secret: DnsLabel = Field(description="Name of a Secret in each environment's namespace "
                             "holding AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
                             examples=["model-store"])
    endpoint: Annotated[str, Field(
        pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$", max_length=255)] | None = Field(
        None, description="S3 endpoint of a non-AWS store (MinIO, Ceph, R2).",
        examples=["https://minio.storage.svc:9000"])
    region: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,32}$")] | None = Field(
        None, description="Region of the bucket.", examples=["eu-west-1"])


class Embedded(Section):
    """The ONNX export of mode: embedded (checked against scikit-learn at training time)."""

    tolerance: Annotated[StrictFloat, Field(gt=0, le=1)] = Field(
        1e-4, description="Largest allowed absolute difference between the ONNX model's and "
                          "scikit-learn's scores (probabilities or predictions) on the "
                          "held-out set.")
    quantize: StrictBool = Field(False, description="Also write a dynamically quantized "
                                 "(8-bit weights) copy, checked against the same tolerance.")


class ArgoCd(Section):
    """Where Argo CD runs and the AppProject the model's Applications belong to."""

    namespace: DnsLabel = Field("argocd", description="Namespace Argo CD is installed in "
                                "(its Applications, ApplicationSets and AppProjects live "
                                "there).")
    project: DnsLabel | None = Field(None, description="Name of the AppProject rendered for "
                                     "this model; defaults to the model's name.")
    server: ApiServerUrl = Field(
        "https://kubernetes.default.svc", description="API server URL of the cluster the "
        "environments run in, as registered in Argo CD; the default is the cluster Argo CD "
        "runs in.")


class Delivery(Section):
    """How rendered manifests reach the cluster (see docs/delivery.md)."""

    mode: Literal["argocd", "push"] = Field(
        "argocd", description="argocd: Argo CD syncs each environment's overlay from git "
                              "and the pipelines never apply; push: the deploying pipeline "
                              "applies the overlays with kubectl (for clusters without "
                              "Argo CD).")
    repository: GitHttpsUrl | None = Field(
        None, description="https clone URL of this repository, as Argo CD reads it "
                          "(required with mode: argocd).",
        examples=["https://github.com/acme/credit-risk.git"])
    revision: Branch = Field("main", description="Branch Argo CD tracks: the branch the "
                             "pipelines train on and promotion pull requests merge into.")
    argocd: ArgoCd = Field(default_factory=ArgoCd, description="Argo CD settings (mode: "
                           "argocd).")


class Deployment(Section):
    """How and where the model serves predictions."""

    mode: Literal["realtime", "batch", "embedded"] = Field(description="realtime serves an "
                                                           "API; batch scores on a schedule; "
                                                           "embedded ships the artifact.")
    platform: Literal["kserve", "kubernetes"] | None = Field(
        None, description="Serving platform for realtime and batch.")
    strategy: Strategy = Field(default_factory=Strategy, description="Rollout strategy.")
    resources: Resources | None = Field(None, description="Resources of each serving pod.")
    autoscaling: Autoscaling | None = Field(None, description="Autoscaling bounds.")
    environments: Annotated[list[Environment], Field(min_length=1)] = Field(
        description="Environments in promotion order; the last is production.")
    batch: Batch | None = Field(None, description="Required with mode: batch.")
    embedded: Embedded | None = Field(None, description="ONNX export settings for mode: "
                                      "embedded (defaults apply when omitted).")
    image: Image | None = Field(None, description="Serving or scoring image on plain "
                                "Kubernetes (a tag, or @sha256: digest to pin it); defaults "
                                "to the pinned MLServer runtime.")
    sklearn_version: Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")] | None = (
        Field(None, description="The scikit-learn version deployment.image carries; "
                                "training installs it and upload refuses artifacts trained "
                                "with another. The pinned runtimes need none.",
              examples=["1.5.2"]))
    allow_pickle_serving: StrictBool = Field(
        False, description="The serving runtimes (KServe's sklearnserver, MLServer) load only "
                           "pickle-based joblib files, and loading a pickle runs code. Set "
                           "true to accept that for realtime serving (see docs/kubernetes.md"
                           " for the store protections it needs).")
    identity: Identity | None = Field(None, description="Workload identity of the "
                                      "serving pods, for reading the artifact store.")
    store_access: StoreAccess | None = Field(None, description="A referenced Secret (and "
                                             "endpoint) for an S3-compatible store.")
    callers: list[Caller] = Field(default_factory=list, description="Who may call the "
                                  "model; omitted, only pods of its own namespace.")
    expose: StrictBool = Field(False, description="KServe: make the model reachable from "
                               "outside the cluster; by default it is cluster-local.")
    delivery: Delivery = Field(default_factory=Delivery, description="How the manifests "
                               "reach the cluster: Argo CD (default) or kubectl from CI.")


# --- monitoring and retraining --------------------------------------------------------------

DRIFT_THRESHOLDS = {"psi": 0.2, "ks": 0.05, "wasserstein": 0.1, "jensen_shannon": 0.1,
                    "chi_square": 0.05, "auto": None}


class Drift(Section):
    """Data drift detection against the training reference (see docs/drift.md)."""

    method: Literal["psi", "ks", "wasserstein", "jensen_shannon", "chi_square", "auto"] = (
        Field("auto", description="Drift statistic per feature: psi, ks (two-sample "
                                  "Kolmogorov-Smirnov), wasserstein (in reference standard "
                                  "deviations), jensen_shannon or chi_square. auto picks ks "
                                  "(numeric) or chi_square (categorical, boolean) up to 1,000 "
                                  "reference values, wasserstein or jensen_shannon above."))
    threshold: Annotated[StrictFloat, Field(gt=0, le=100)] | None = Field(
        None, description="Per-feature threshold for the named method: a p-value for ks and "
                          "chi_square (drift when p < threshold), otherwise a distance "
                          "(drift when statistic >= threshold). Defaults: psi 0.2, ks 0.05, "
                          "wasserstein 0.1, jensen_shannon 0.1, chi_square 0.05. Not used "
                          "with auto, where each feature uses its method's default.")
    features: Literal["all"] | list[ColumnName] = Field(
        "all", description="Features to watch: all, or a list of feature names.")
    share: Annotated[StrictFloat, Field(gt=0, le=1)] = Field(
        0.5, description="The dataset counts as drifted when drifted / watched features "
                         ">= share.")


class Performance(Section):
    """Decay detection when labels arrive."""

    metric: MetricName = Field(description="Metric computed on labelled production data.")
    min: MetricValue | None = Field(None, description="Lowest acceptable value.")
    max: MetricValue | None = Field(None, description="Highest acceptable value (losses).")

    @model_validator(mode="after")
    def _one_side(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("give min (or max for a loss metric)")
        return self


class Monitoring(Section):
    """Scheduled checks of production data and quality."""

    schedule: Cron = Field(description="When monitoring runs (cron, UTC).")
    current_data: UriOrPath | None = Field(None, description="Where recent production "
                                           "inputs (and labels, if any) are read.")
    drift: Drift | None = Field(None, description="Data drift detection.")
    performance: Performance | None = Field(None, description="Performance decay detection.")


class Retrain(Section):
    """When to retrain; a retrain opens a pull request, it never deploys by itself."""

    schedule: Cron | None = Field(None, description="Retrain on a calendar too (cron, UTC).")
    on: list[Literal["drift", "performance"]] = Field(
        default_factory=list, description="Monitoring findings that trigger a retrain.")


# --- ci ---------------------------------------------------------------------------------


class Jenkins(Section):
    """Jenkins-specific settings."""

    agent_label: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=63)] = Field(
        "linux", description="Label of the agents that run the pipeline.")
    kubernetes_pod: StrictBool = Field(False, description="Run on a Kubernetes pod agent "
                                       "instead of a labelled agent.")


PACKAGE_VERSION = r"^[0-9]+(\.[0-9]+){1,3}((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?$"
GIT_URL = r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~-]+)+$"
COMMIT = r"^[0-9a-f]{40}$"
# A repository-relative path to a wheel of mlops-spec: no `..`, no hidden or absolute path.
WHEEL = r"^([A-Za-z0-9_][A-Za-z0-9._-]*/)*mlops_spec-[A-Za-z0-9._+-]+\.whl$"


class Install(Section):
    """Where CI jobs install mlops-spec from: exactly one source (docs/install-source.md)."""

    version: Annotated[str, Field(pattern=PACKAGE_VERSION, max_length=40)] | None = Field(
        None, description="A released version from the package index (PyPI), e.g. "
        "\"0.1.0\". The default is the version of mlops-spec that rendered the files.")
    git: Annotated[str, Field(pattern=GIT_URL, max_length=300)] | None = Field(
        None, description="HTTPS URL of a git repository of mlops-spec (with `commit`). On "
        "github.com, GitHub workflows install it with that repository's composite action "
        "at `commit`.")
    commit: Annotated[str, Field(pattern=COMMIT)] | None = Field(
        None, description="The full 40-hex commit of `git` to install (a branch or tag "
        "can move; a commit cannot).")
    wheel: Annotated[str, Field(pattern=WHEEL, max_length=1024)] | None = Field(
        None, description="Repository-relative path of a committed mlops-spec wheel, e.g. "
        "tools/mlops_spec-0.1.0-py3-none-any.whl.")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.git is None) != (self.commit is None):
            raise ValueError("git and commit go together: the repository URL and the "
                             "40-hex commit to install")
        sources = [name for name in ("version", "git", "wheel") if getattr(self, name)]
        if len(sources) != 1:
            raise ValueError("give exactly one install source: version, git (with commit) "
                             f"or wheel (got {', '.join(sources) or 'none'})")
        return self


def _default_install() -> Install:
    from mlops_spec import __version__

    return Install(version=__version__)


OIDC_VALUE = r"^[A-Za-z0-9][A-Za-z0-9:/._@+=,-]*$"
OidcValue = Annotated[str, Field(pattern=OIDC_VALUE, max_length=2048)]
"""A cloud identifier's characters (no quotes, $, spaces); formats: M262-M265."""


class OidcRole(Section):
    """What GitHub's OIDC token is exchanged for, per cloud (docs/delivery.md, OIDC).
    The fields of the other clouds stay unset; formats and the match with the store's
    cloud are checked by validation (M260-M267)."""

    cloud: Literal["aws", "gcp", "azure"] = Field(description="The cloud to federate with: "
                                                  "aws (s3:// stores, EKS), gcp (gs://, "
                                                  "GKE) or azure (az://, abfs://, AKS).")
    role_arn: OidcValue | None = Field(None, description="aws: the IAM role to assume "
                                       "(AssumeRoleWithWebIdentity).", examples=[
                                           "arn:aws:iam::123456789012:role/mlops-credit-risk"])
    workload_identity_provider: OidcValue | None = Field(
        None, description="gcp: the workload identity provider's resource name, with the "
        "project number.", examples=["projects/123456789012/locations/global/"
                                     "workloadIdentityPools/github/providers/github"])
    service_account: OidcValue | None = Field(
        None, description="gcp: the service account to impersonate; unset, the federated "
        "identity itself is granted access (direct resource access).",
        examples=["mlops-credit-risk@acme-ml.iam.gserviceaccount.com"])
    client_id: OidcValue | None = Field(None, description="azure: the client (application) "
                                        "id of the app registration or user-assigned "
                                        "managed identity with the federated credential.")
    tenant_id: OidcValue | None = Field(None, description="azure: the Microsoft Entra "
                                        "tenant (directory) id.")
    subscription_id: OidcValue | None = Field(None, description="azure: the subscription "
                                              "id, for tools that need one (az, kubelogin).")
    storage_account: OidcValue | None = Field(None, description="azure: the storage account "
                                              "of an az:// store (AZURE_STORAGE_ACCOUNT_NAME"
                                              "), unless ci.secrets provides it.")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        # The AWS shorthand, the only form before GCP and Azure were supported.
        return {"cloud": "aws", "role_arn": value} if isinstance(value, str) else value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        return {"anyOf": [
            {"type": "string", "pattern": OIDC_VALUE, "maxLength": 2048,
             "description": "AWS shorthand: the IAM role ARN (same as cloud: aws, role_arn)."},
            schema,
        ]}


class Ci(Section):
    """Which CI systems run the generated pipelines."""

    providers: Annotated[list[Literal["github_actions", "jenkins"]], Field(min_length=1)] = (
        Field(description="CI systems to generate pipelines for."))
    python: Literal["3.11", "3.12", "3.13"] = Field("3.11", description="Python version, "
                                                    "quoted (\"3.11\").")
    runs_on: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$", max_length=63)] = Field(
        "ubuntu-24.04", description="GitHub-hosted runner label.")
    secrets: list[SecretName] = Field(default_factory=list, description="Names of CI secrets "
                                      "the pipelines read (referenced, never rendered). "
                                      "Pull-request jobs only get those ending in _READONLY.")
    deployer: Literal["github_actions", "jenkins"] | None = Field(
        None, description="The one provider that trains on the main branch, uploads and "
                          "deploys; the other only runs the pull-request checks. Defaults "
                          "to the first provider.")
    oidc_role: OidcRole | None = Field(
        None, description="The cloud identity the GitHub workflows get with GitHub's OIDC "
                          "token (no long-lived secret) for the store and, in push mode, "
                          "the cluster: an AWS role ARN (the shorthand), or a mapping with "
                          "`cloud: aws|gcp|azure` and that cloud's identifiers. Trust it "
                          "for the main branch only (see docs/delivery.md, OIDC).",
        examples=["arn:aws:iam::123456789012:role/mlops-credit-risk"])
    jenkins: Jenkins = Field(default_factory=Jenkins, description="Jenkins settings.")
    install: Install = Field(default_factory=_default_install, description="Where the "
                             "pipelines install mlops-spec from (default: this release, "
                             "by version, from PyPI).")


# --- governance -----------------------------------------------------------------------------


class Check(Section):
    """A governance check: a built-in automated check id, or an attested one."""

    id: Annotated[str, Field(pattern=CHECK_ID, max_length=63)] = Field(
        description="Built-in check id, or any id for a check attested by people.")
    attested_by: list[Role] = Field(default_factory=list, description="Roles one of whose "
                                    "members must approve the pull request.")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"id": value} if isinstance(value, str) else value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        return {"anyOf": [
            {"type": "string", "pattern": CHECK_ID, "description": "A built-in check id."},
            schema,
        ]}


CHANGE_PATH = r"^[A-Za-z0-9_*-]+(\.[A-Za-z0-9_*-]+|\[[A-Za-z0-9_*.-]+\])*$"
ChangePath = Annotated[str, Field(pattern=CHANGE_PATH, max_length=200)]


class ChangeClass(Section):
    """A team's addition to the gate's change class table (docs/governance.md)."""

    name: Annotated[str, Field(pattern=CHECK_ID, max_length=63)] = Field(
        description="A built-in change class (its roles are added to the class's own), or a "
                    "new class for the changes under paths.", examples=["pricing"])
    paths: list[ChangePath] = Field(default_factory=list, description="Dotted spec paths "
                                    "(a * segment matches any key or name) whose changes "
                                    "also belong to this class; empty for a built-in class.",
                                    examples=[["model.params.learning_rate"]])
    roles: Annotated[list[Role], Field(min_length=1)] = Field(
        description="Owner roles one member of each of which must approve such a change.")


class Governance(Section):
    """The checks a pull request must pass before merge."""

    checklist: Annotated[list[Check], Field(min_length=1)] = Field(
        description="Check ids, or {id, attested_by} for checks people attest.")
    change_classes: list[ChangeClass] = Field(
        default_factory=list, description="Additions to the gate's change class table: "
        "they only add required approvals, never remove one. The base branch's table is "
        "the one in force.")
    intended_use: Text | None = Field(None, description="Who may use the model's output "
                                      "and for what (model card).")
    limitations: Text = Field(description="Known limitations (model card).")


# --- the spec -------------------------------------------------------------------------------


class Spec(Section):
    """mlops.yaml: one model's life cycle, declared."""

    model_config = ConfigDict(
        title="mlops.yaml", extra="forbid", frozen=True, populate_by_name=False,
        defer_build=True)

    api_version: Literal["mlops-spec/v1"] = Field(
        alias="apiVersion", description="Schema version of this file.")
    name: Annotated[DnsLabel, Field(max_length=40)] = Field(
        description="DNS-1123 label naming the model in files, workflows and Kubernetes "
                    "objects (at most 40 characters, leaving room for suffixes).",
        examples=["credit-risk"])
    description: Text = Field(description="One sentence on what the model predicts.")
    purpose: Text = Field(description="Why the model exists and who relies on it.")
    risk_tier: Literal["low", "medium", "high"] = Field(
        description="Drives required approvals and checks.")
    owners: Owners = Field(description="People by role.")
    data: Data = Field(description="Training data sources.")
    features: Features = Field(description="Target and features.")
    model: Model = Field(description="Estimator and evaluation.")
    training: Training = Field(default_factory=Training, description="Training runner.")
    deployment: Deployment = Field(description="Serving.")
    monitoring: Monitoring | None = Field(None, description="Drift and decay monitoring.")
    retrain: Retrain | None = Field(None, description="Retrain policy.")
    ci: Ci = Field(description="CI providers.")
    governance: Governance = Field(description="Merge gate checklist.")

    @property
    def production(self) -> Environment:
        return self.deployment.environments[-1]

    @property
    def deployer(self) -> str:
        """The CI provider that trains on main, uploads and deploys."""
        return self.ci.deployer or self.ci.providers[0]
