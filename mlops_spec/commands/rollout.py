"""``mlops-spec rollout``: walk a KServe canary through the spec's steps, or roll it back.

    mlops-spec rollout SPEC --environment ENV [--apply] [--from-step N] [--timeout SECONDS]
                      [--dry-run]

Run right after ``kubectl apply -k deploy/<env>``, or with ``--apply`` to have it apply the
overlay, unless the environment already serves that version (re-applying an unchanged
overlay would set ``canaryTrafficPercent`` back below 100, which KServe reads as a rollback
to the previous revision). Only the last environment (production)
of a KServe canary has steps; elsewhere (and for Argo Rollouts, whose controller walks its
own steps) it only waits until the InferenceService is ready. Exit codes: 0 promoted (or
paused at a step without a pause, to be continued with ``--from-step``), 1 a readiness check
failed and the traffic was sent back to the previous revision, 2 usage or input error.
kubectl runs with the caller's kubeconfig; the spec's values reach it only as arguments.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from mlops_spec.diagnostics import Diagnostic, InputError, UserError
from mlops_spec.render.kubernetes import canary
from mlops_spec.render.kubernetes.common import UNSET_VERSION, VERSION_KEY
from mlops_spec.render.kubernetes.kustomize import VERSION_FILE
from mlops_spec.spec.sections import Environment, Spec


class RolloutError(UserError):
    """The rollout cannot start (no kubectl, unknown environment, bad step): exit 2."""


LIVE = ("{.metadata.labels.app\\.kubernetes\\.io/version} "
        "{.spec.predictor.canaryTrafficPercent}")
REVISIONS = ("{.status.components.predictor.latestCreatedRevision} "
             "{.status.components.predictor.latestReadyRevision}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="SPEC", help="the model's mlops.yaml")
    parser.add_argument("--environment", required=True, metavar="ENV",
                        help="the environment just applied (deployment.environments[].name)")
    parser.add_argument("--apply", action="store_true",
                        help="apply deploy/<env> first (kubectl apply -k), unless the "
                             "environment already serves the overlay's version")
    parser.add_argument("--from-step", type=int, default=1, metavar="N",
                        help="continue a paused canary at step N (1-based; default 1)")
    parser.add_argument("--timeout", type=int, default=600, metavar="SECONDS",
                        help="how long each readiness wait may take (default 600)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the kubectl commands instead of running them")


class Kubectl:
    def __init__(self, namespace: str, name: str, dry_run: bool) -> None:
        self.namespace, self.name, self.dry_run = namespace, name, dry_run
        self.binary = "kubectl" if dry_run else shutil.which("kubectl")
        if self.binary is None:
            raise RolloutError.single("R101", "kubectl is not on PATH",
                                   hint="install kubectl (1.27 or later) on the runner")

    def __call__(self, *args: str) -> tuple[bool, str]:
        command = [str(self.binary), *args, "-n", self.namespace]
        if self.dry_run:
            print(" ".join(command))
            return True, ""
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        return done.returncode == 0, done.stdout.strip() or done.stderr.strip()

    def set_traffic(self, percent: int) -> bool:
        return self("patch", "inferenceservice", self.name, "--type", "merge",
                    "-p", canary.traffic_patch(percent))[0]

    def ready(self, timeout: int) -> bool:
        ok, _ = self("wait", "--for=condition=Ready", f"inferenceservice/{self.name}",
                     f"--timeout={timeout}s")
        if not ok or self.dry_run:
            return ok
        ok, out = self("get", "inferenceservice", self.name, "-o", f"jsonpath={REVISIONS}")
        created, _, ready = out.partition(" ")
        return ok and bool(created) and created == ready


def _environment(spec: Spec, name: str, spec_file: str) -> Environment:
    for env in spec.deployment.environments:
        if env.name == name:
            return env
    known = ", ".join(e.name for e in spec.deployment.environments)
    raise RolloutError.single("R102", f"no environment {name!r} in the spec", spec_file,
                           hint=f"use one of: {known}")


def _load(path: str) -> Spec:
    from mlops_spec.spec.validate import validate_file

    result = validate_file(Path(path))
    if result.spec is None or not result.ok:
        raise InputError([*result.diagnostics, Diagnostic(
            code="R100", message="the spec is not valid", file=path,
            hint="fix it (mlops-spec validate) before rolling out")])
    return result.spec


def _overlay_version(spec_file: Path, env: Environment) -> tuple[Path, str]:
    overlay = spec_file.parent / "deploy" / env.name
    if env.model_version is not None:
        return overlay, env.model_version
    version_file = overlay / VERSION_FILE
    try:
        lines = version_file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RolloutError.single("R104", f"cannot read {version_file}: {exc.strerror}",
                                  str(version_file), hint="run mlops-spec render") from None
    version = next((line.split("=", 1)[1].strip() for line in lines
                    if line.startswith(f"{VERSION_KEY}=")), UNSET_VERSION)
    if version == UNSET_VERSION:
        raise RolloutError.single("R104", "the overlay's model version is not set",
                                  str(version_file),
                                  hint=f"write {VERSION_KEY}=<version> there first")
    return overlay, version


def _apply(kubectl: Kubectl, spec_file: Path, env: Environment) -> bool:
    """Apply the overlay; False when the environment already runs its version."""
    overlay, version = _overlay_version(spec_file, env)
    ok, live = kubectl("get", "inferenceservice", kubectl.name, "--ignore-not-found",
                       "-o", f"jsonpath={LIVE}")
    live_version, _, percent = live.partition(" ")
    if ok and live_version == version:
        state = "serves" if percent in ("", "100") else f"is rolling out ({percent}%)"
        print(f"{kubectl.name} in {kubectl.namespace} already {state} version {version}; "
              "nothing applied")
        return False
    ok, out = kubectl("apply", "-k", str(overlay))
    if not ok:
        raise RolloutError.single("R105", f"kubectl apply -k {overlay} failed: {out}",
                                  str(overlay))
    return True


def run(args: argparse.Namespace) -> int:
    spec = _load(args.spec)
    env = _environment(spec, args.environment, args.spec)
    if spec.deployment.platform != "kserve" or spec.deployment.mode != "realtime":
        print(f"{spec.name}: {spec.deployment.platform or 'no platform'} has no KServe "
              "canary to advance")
        return 0
    kubectl = Kubectl(env.namespace, spec.name, args.dry_run)
    if args.apply and not _apply(kubectl, Path(args.spec), env):
        return 0
    production = env is spec.deployment.environments[-1]
    steps = canary.plan(spec) if production else [canary.Step(100, 0)]
    if not 1 <= args.from_step <= len(steps):
        raise RolloutError.single("R103", f"--from-step must be 1 to {len(steps)}", args.spec)
    with_steps = production and canary.uses_steps(spec)
    for number, step in enumerate(steps[args.from_step - 1:], start=args.from_step):
        if with_steps and not kubectl.set_traffic(step.percent):
            return _rollback(kubectl, f"could not set the traffic to {step.percent}%")
        if not kubectl.ready(args.timeout):
            return _rollback(kubectl, f"not ready at {step.percent}% (step {number})") \
                if with_steps else _failed(spec, env)
        print(f"{spec.name} ({env.name}): step {number}/{len(steps)}: {step.percent}% ready")
        if step.pause_seconds is None:
            print(f"paused at {step.percent}%; continue with --from-step {number + 1}")
            return 0
        if step.pause_seconds and step.percent < 100:
            if not args.dry_run:
                time.sleep(step.pause_seconds)
            if not kubectl.ready(args.timeout):
                return _rollback(kubectl, f"stopped being ready at {step.percent}%")
    print(f"{spec.name} ({env.name}): promoted")
    return 0


def _rollback(kubectl: Kubectl, why: str) -> int:
    sent_back = kubectl.set_traffic(0)
    outcome = "all traffic is back on the previous revision" if sent_back else (
        "setting canaryTrafficPercent to 0 failed too: roll back by hand")
    sys.stderr.write(f"rollout of {kubectl.name} in {kubectl.namespace} failed: {why}; "
                     f"{outcome}\n")
    return 1


def _failed(spec: Spec, env: Environment) -> int:
    sys.stderr.write(f"{spec.name} in {env.namespace} did not become ready\n")
    return 1
