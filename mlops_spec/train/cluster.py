"""Training in the cluster (``training.platform: kubernetes``): ``mlops-spec submit-training``.

One run: the ConfigMap and Job of ``render.kubernetes.training.submission`` are created
with ``kubectl create -f -`` in the first environment's namespace, the Job is polled
(``kubectl get job -o json``) until it completes, fails or runs out of time, and the
outputs its pod uploaded to ``<store>/_runs/<run>/`` are fetched (every digest verified),
checked to be an artifact set of this spec, and renamed into ``--out``: what ``train --out``
would have written, so the pipeline's evaluation, gate and upload steps run unchanged.
A failed, timed-out or missing run leaves ``--out`` as it was.

kubectl runs with argument lists, never a shell; its credentials are the caller's
(``KUBECONFIG``, ``~/.kube/config`` or the in-cluster service account), never printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_spec.conventions import CLUSTER_START_MINUTES
from mlops_spec.diagnostics import UserError
from mlops_spec.train import TrainError

if TYPE_CHECKING:
    from mlops_spec.render.kubernetes.training import Submission
    from mlops_spec.spec.sections import Spec
    from mlops_spec.store.versions import Store

LOG_LINES = 40
"""Lines of the pod's logs (per container) shown when a run fails or times out."""
KUBECTL_SECONDS = 60
"""Longest one kubectl call may take (it talks to the API server only)."""
INSTALL_KUBECTL = ("install kubectl (https://kubernetes.io/docs/tasks/tools/; GitHub's "
                   "hosted runners have it) or put it on PATH")


def _error(code: str, message: str, where: str = "", hint: str | None = None) -> UserError:
    return TrainError.single(code, message, where, hint=hint)


def budget_seconds(spec: Spec, timeout: float | None) -> float:
    """How long to wait for the Job: the spec's budget, shortened by ``--timeout``."""
    budget = float((spec.training.timeout_minutes + CLUSTER_START_MINUTES) * 60)
    return min(budget, timeout) if timeout else budget


def new_run(version: str | None) -> str:
    """A run id: the version's first 12 characters (when given) and a random token, so two
    runs of one commit never share a Job or a store prefix."""
    token = secrets.token_hex(4)
    return f"{version[:12].rstrip('.-_')}-{token}" if version else f"run-{token}"


# --- kubectl ---------------------------------------------------------------------------------


def kubectl_path() -> str:
    found = shutil.which("kubectl")
    if found is None:
        raise _error("T240", "kubectl is not installed (not found on PATH): training on "
                     "kubernetes submits a Job with it", "<environment>", INSTALL_KUBECTL)
    return found


def check_access() -> None:
    """Some cluster credentials: ``KUBECONFIG`` naming existing files, ``~/.kube/config``,
    or the service account of a pod (Jenkins' kubernetes agents)."""
    named = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    if named:
        if not any(Path(p).is_file() for p in named):
            raise _error("T241", "KUBECONFIG names no existing file", "KUBECONFIG",
                         "write the cluster's kubeconfig to a file and point KUBECONFIG "
                         "at it (the generated pipelines write the KUBECONFIG_<ENV> secret)")
        return
    if (Path.home() / ".kube" / "config").is_file() or os.environ.get(
            "KUBERNETES_SERVICE_HOST"):
        return
    raise _error("T241", "no cluster credentials: KUBECONFIG is not set, there is no "
                 "~/.kube/config and this is not a pod", "<environment>",
                 "set KUBECONFIG to a kubeconfig file for the cluster of the first "
                 "environment (in CI: the KUBECONFIG_<ENV> or KUBECONFIG secret)")


@dataclass(frozen=True, slots=True)
class Kubectl:
    binary: str
    namespace: str

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        command = [self.binary, *args, "--namespace", self.namespace]
        try:
            return subprocess.run(command, input=stdin, capture_output=True, text=True,
                                  timeout=KUBECTL_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise _error("T246", f"kubectl {args[0]} did not answer within "
                         f"{KUBECTL_SECONDS}s", "kubectl",
                         "check that the API server of the kubeconfig is reachable") from None
        except OSError as exc:
            raise _error("T240", f"kubectl cannot be run: {exc.strerror}", self.binary,
                         INSTALL_KUBECTL) from None

    def checked(self, *args: str, stdin: str | None = None) -> str:
        done = self.run(*args, stdin=stdin)
        if done.returncode != 0:
            raise _error("T246", f"kubectl {' '.join(args[:3])} failed: "
                         f"{_last_lines(done.stderr, 5) or f'exit {done.returncode}'}",
                         "kubectl", "check the kubeconfig's cluster, user and its RBAC "
                         f"permissions in namespace {self.namespace} (create Jobs and "
                         "ConfigMaps, get Jobs and pod logs, delete Jobs)")
        return done.stdout

    def logs(self, job: str) -> str:
        done = self.run("logs", f"job/{job}", "--all-containers=true", "--prefix=true",
                        f"--tail={LOG_LINES}")
        return done.stdout if done.returncode == 0 else f"(no logs: {done.stderr.strip()})"

    def delete(self, kind: str, name: str) -> None:
        self.run("delete", kind, name, "--ignore-not-found=true", "--wait=false")


def _last_lines(text: str, count: int) -> str:
    return "\n".join(text.strip().splitlines()[-count:])


def job_state(status: dict[str, Any]) -> tuple[str, str]:
    """``("complete" | "failed" | "running", why)`` from a Job's ``status``."""
    for condition in status.get("conditions") or []:
        if condition.get("status") != "True":
            continue
        kind = condition.get("type")
        why = condition.get("message") or condition.get("reason") or ""
        if kind in ("Complete", "SuccessCriteriaMet"):
            return "complete", why
        if kind in ("Failed", "FailureTarget"):
            return "failed", why
    return "running", ""


# --- one run ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trained:
    job: str
    namespace: str
    run: str
    files: int
    seconds: float


def submit(spec: Spec, spec_file: Path, out: Path, version: str | None,
           timeout: float | None, say: bool = True) -> Trained:
    from mlops_spec.render.kubernetes.training import namespace, submission
    from mlops_spec.store import open_store

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise _error("T008", "--out exists and is not an empty directory", str(out),
                     "pass a new or empty directory (CI: .mlops-spec/out)")
    deadline_seconds = budget_seconds(spec, timeout)
    runs = open_store(spec, spec_file, "mlops-spec submit-training").runs()
    kubectl = Kubectl(kubectl_path(), namespace(spec))
    check_access()
    plan = submission(spec, new_run(version), version)
    _require_service_account(kubectl, plan)
    started = time.monotonic()
    kubectl.checked("create", "-f", "-", "-o", "name", stdin=json.dumps(plan.objects))
    _say(say, f"submitted job/{plan.job} in namespace {plan.namespace} (run {plan.run}); "
              f"waiting at most {deadline_seconds:.0f}s")
    try:
        with _terminated_as_interrupt():
            _wait(kubectl, plan, started + deadline_seconds, say)
    except (KeyboardInterrupt, SystemExit):
        # A cancelled CI job (SIGINT, SIGTERM) must not leave its training running.
        kubectl.delete("job", plan.job)
        raise
    finally:
        kubectl.delete("configmap", plan.configmap)
    files = _hand_back(spec, runs, plan, out)
    return Trained(plan.job, plan.namespace, plan.run, files, time.monotonic() - started)


@contextlib.contextmanager
def _terminated_as_interrupt() -> Iterator[None]:
    """SIGTERM (how CI systems cancel a step) raises KeyboardInterrupt while waiting."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _say(say: bool, message: str) -> None:
    if say:
        print(f"submit-training: {message}", file=sys.stderr, flush=True)


def _require_service_account(kubectl: Kubectl, plan: Submission) -> None:
    done = kubectl.run("get", "serviceaccount", plan.service_account, "-o", "name")
    if done.returncode == 0:
        return
    if "NotFound" in done.stderr or "not found" in done.stderr:
        raise _error("T245", f"the training ServiceAccount {plan.service_account} does not "
                     f"exist in namespace {plan.namespace}",
                     f"serviceaccount/{plan.service_account}",
                     "create it once from deploy/training (its serviceaccount file), bound "
                     "to an identity that can write the store (IRSA, GKE or Azure workload "
                     "identity: a deploy/custom patch), see docs/training.md")
    raise _error("T246", f"kubectl get serviceaccount failed: "
                 f"{_last_lines(done.stderr, 5) or f'exit {done.returncode}'}", "kubectl",
                 "check the kubeconfig's cluster and user")


def _wait(kubectl: Kubectl, plan: Submission, deadline: float, say: bool) -> None:
    interval, shown = 1.0, ""
    while True:
        raw = kubectl.checked("get", "job", plan.job, "-o", "json")
        try:
            status = json.loads(raw).get("status") or {}
        except (ValueError, AttributeError):
            raise _error("T246", "kubectl get job printed no Job object", "kubectl",
                         "check that kubectl talks to a Kubernetes API server") from None
        state, why = job_state(status)
        if state == "complete":
            _say(say, f"job/{plan.job} completed")
            return
        if state == "failed":
            logs = kubectl.logs(plan.job)
            print(logs, file=sys.stderr)
            raise _error("T242", f"the training Job {plan.job} failed"
                         + (f" ({why})" if why else "") + "; the end of its logs:\n"
                         + (_last_lines(logs, 15) or "(empty)"), f"job/{plan.job}",
                         f"the full logs: kubectl logs job/{plan.job} -n {plan.namespace} "
                         "--all-containers (the Job is kept for a day)")
        active = "running" if status.get("active") else "pending"
        if active != shown:
            _say(say, f"job/{plan.job} is {active}")
            shown = active
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            logs = kubectl.logs(plan.job)
            print(logs, file=sys.stderr)
            kubectl.delete("job", plan.job)
            raise _error("T243", f"the training Job {plan.job} did not finish in time; it "
                         "was deleted", f"job/{plan.job}",
                         "raise training.timeout_minutes, or --timeout, or look for a "
                         "pod that cannot be scheduled (kubectl get events)")
        time.sleep(min(interval, remaining))
        interval = min(interval * 2, 10.0)


def _hand_back(spec: Spec, runs: Store, plan: Submission, out: Path) -> int:
    """Fetch the run into a sibling of ``out``, check it, rename it into place, and remove
    the run from the store."""
    from mlops_spec.store.artifacts import check_artifact_set
    from mlops_spec.store.errors import StoreError

    if not runs.exists(plan.run):
        raise _error("T244", f"the Job completed, but its outputs are not in the store "
                     f"(no {runs.version_uri(plan.run)}/manifest.json)",
                     runs.version_uri(plan.run),
                     "the image's `mlops-spec upload --run` wrote elsewhere or nothing: "
                     "check the Job's logs, training.image (it must run this mlops-spec) "
                     "and the store credentials of its ServiceAccount")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.run-{plan.run}"
    try:
        manifest = runs.fetch(plan.run, staging)
        check_artifact_set(spec, staging)
        staging.replace(out)  # rename(2) also replaces an empty directory
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        raise
    try:
        runs.remove(plan.run)
    except StoreError as exc:
        print(f"warning: the run's outputs stay at {runs.version_uri(plan.run)}: "
              f"{exc.diagnostics[0].message}", file=sys.stderr)
    return len(manifest.files)
