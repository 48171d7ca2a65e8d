"""A fake ``kubectl`` that runs Jobs for real, as local processes (tests of submit-training).

``FakeCluster(root)`` writes an executable ``kubectl`` into ``root/bin`` (put that first on
PATH) that keeps the cluster's objects as JSON files under ``root/state``. It answers the
calls ``mlops-spec submit-training`` makes:

* ``create -f -``: stores each object of a List (AlreadyExists for a taken name); a Job
  starts a detached runner that executes the pod: its init containers, then its containers,
  each ``command`` run as a subprocess with the process environment (the pod's ambient
  identity, e.g. the moto endpoint and keys) plus the container's ``env``, every mount path
  in arguments and values mapped to a directory of the pod (configMap volumes hold the
  ConfigMap's data). The Job's ``status`` follows: active, then a Complete or Failed
  condition (a non-zero exit, or ``activeDeadlineSeconds`` passed: DeadlineExceeded);
* ``get job NAME -o json``, ``get serviceaccount NAME -o name`` (NotFound when absent);
* ``logs job/NAME --all-containers=true --prefix=true --tail=N``: each container's output;
* ``delete KIND NAME``: removes the object; a Job's runner is killed.

``overrides.json`` in the state maps a container name to another command (a broken image).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

STATE_VARIABLE = "FAKE_CLUSTER_STATE"
KINDS = {"job": "Job", "jobs": "Job", "job.batch": "Job", "configmap": "ConfigMap",
         "configmaps": "ConfigMap", "serviceaccount": "ServiceAccount",
         "serviceaccounts": "ServiceAccount", "sa": "ServiceAccount"}


class FakeCluster:
    """The test's handle on the fake: where kubectl is, what was created and deleted."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / "bin"
        self.state = root / "state"
        self.bin.mkdir(parents=True, exist_ok=True)
        self.state.mkdir(parents=True, exist_ok=True)
        kubectl = self.bin / "kubectl"
        kubectl.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, "
                           f"{str(Path(__file__).parent)!r})\nimport fake_cluster\n"
                           "sys.exit(fake_cluster.main(sys.argv[1:]))\n", encoding="utf-8")
        kubectl.chmod(0o755)

    def env(self) -> dict[str, str]:
        """What a test sets: kubectl first on PATH, then this interpreter's scripts (the
        pod's ``mlops-spec``), the state directory."""
        path = os.pathsep.join([str(self.bin), str(Path(sys.executable).parent),
                                os.environ.get("PATH", "")])
        return {"PATH": path, STATE_VARIABLE: str(self.state)}

    def add(self, namespace: str, obj: dict[str, Any]) -> None:
        _save(self.state, namespace, obj)

    def objects(self, namespace: str, kind: str) -> dict[str, dict[str, Any]]:
        folder = self.state / "objects" / namespace / kind
        return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}

    def created(self) -> list[dict[str, Any]]:
        """Every object ever created through ``kubectl create``, in order."""
        log = self.state / "created.jsonl"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.is_file() \
            else []

    def deleted(self) -> list[str]:
        log = self.state / "deleted.log"
        return log.read_text().splitlines() if log.is_file() else []

    def override(self, container: str, command: list[str]) -> None:
        path = self.state / "overrides.json"
        current = json.loads(path.read_text()) if path.is_file() else {}
        path.write_text(json.dumps({**current, container: command}))

    def wait_idle(self, seconds: float = 30) -> None:
        """Until no runner is alive (a deleted Job's runner is killed)."""
        deadline = time.monotonic() + seconds
        for pid_file in (self.state / "runners").glob("*.pid"):
            pid = int(pid_file.read_text())
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)


# --- the kubectl executable ------------------------------------------------------------------


def _path(state: Path, namespace: str, kind: str, name: str) -> Path:
    return state / "objects" / namespace / kind / f"{name}.json"


def _save(state: Path, namespace: str, obj: dict[str, Any]) -> None:
    path = _path(state, namespace, obj["kind"], obj["metadata"]["name"])
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(obj, indent=1))
    temporary.replace(path)


def _load(state: Path, namespace: str, kind: str, name: str) -> dict[str, Any] | None:
    path = _path(state, namespace, kind, name)
    if not path.is_file():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a finished child of no one is a zombie until reaped
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _options(args: list[str]) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    options: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and "=" in arg:
            key, value = arg[2:].split("=", 1)
            options[key] = value
        elif arg in ("-n", "--namespace", "-o", "--output", "-f", "--filename"):
            options[arg.lstrip("-")[0] if len(arg) == 2 else
                    {"namespace": "n", "output": "o", "filename": "f"}[arg[2:]]] = args[i + 1]
            i += 1
        elif arg.startswith("--"):
            options[arg[2:]] = "true"
        else:
            positional.append(arg)
        i += 1
    return positional, options


def _not_found(kind: str, name: str) -> int:
    print(f'Error from server (NotFound): {kind.lower()}s "{name}" not found', file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    state = Path(os.environ[STATE_VARIABLE])
    if argv and argv[0] == "_run":
        return _run_job(state, argv[1], argv[2])
    positional, options = _options(argv)
    namespace = options.get("n", "default")
    with (state / "calls.jsonl").open("a") as log:
        log.write(json.dumps(argv) + "\n")
    verb = positional[0] if positional else ""
    if verb == "create" and options.get("f") == "-":
        return _create(state, namespace, json.load(sys.stdin))
    if verb == "get" and len(positional) == 3:
        kind, name = KINDS.get(positional[1], positional[1]), positional[2]
        obj = _load(state, namespace, kind, name)
        if obj is None:
            return _not_found(kind, name)
        output = options.get("o", "")
        print(json.dumps(obj) if output == "json" else f"{kind.lower()}/{name}")
        return 0
    if verb == "logs" and len(positional) == 2 and positional[1].startswith("job/"):
        return _logs(state, namespace, positional[1][4:], int(options.get("tail", "-1")))
    if verb == "delete" and len(positional) == 3:
        return _delete(state, namespace, KINDS.get(positional[1], positional[1]),
                       positional[2], options.get("ignore-not-found") == "true")
    print(f"fake kubectl: unsupported call {argv}", file=sys.stderr)
    return 2


def _create(state: Path, namespace: str, document: dict[str, Any]) -> int:
    items = document["items"] if document.get("kind") == "List" else [document]
    for obj in items:
        name = obj["metadata"]["name"]
        if _load(state, namespace, obj["kind"], name) is not None:
            print(f'Error from server (AlreadyExists): {obj["kind"].lower()}s "{name}" '
                  "already exists", file=sys.stderr)
            return 1
    for obj in items:
        obj = {**obj, "metadata": {**obj["metadata"], "namespace": namespace}}
        with (state / "created.jsonl").open("a") as log:
            log.write(json.dumps(obj) + "\n")
        if obj["kind"] == "Job":
            obj["status"] = {}
        _save(state, namespace, obj)
        if obj["kind"] == "Job":
            runners = state / "runners"
            runners.mkdir(exist_ok=True)
            runner = subprocess.Popen(
                [sys.executable, __file__, "_run", namespace, obj["metadata"]["name"]],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True, env={**os.environ,
                                             "PYTHONPATH": str(Path(__file__).parent)})
            (runners / f"{obj['metadata']['name']}.pid").write_text(str(runner.pid))
        kind = "job.batch" if obj["kind"] == "Job" else obj["kind"].lower()
        print(f"{kind}/{obj['metadata']['name']}")
    return 0


def _logs(state: Path, namespace: str, job: str, tail: int) -> int:
    obj = _load(state, namespace, "Job", job)
    if obj is None:
        return _not_found("Job", job)
    pod = obj["spec"]["template"]["spec"]
    logs = state / "pods" / job / "logs"
    for container in [*pod.get("initContainers", []), *pod["containers"]]:
        log = logs / f"{container['name']}.log"
        if not log.is_file():
            continue
        lines = log.read_text(errors="replace").splitlines()
        for line in lines[-tail:] if tail >= 0 else lines:
            print(f"[pod/{job}-fake/{container['name']}] {line}")
    return 0


def _delete(state: Path, namespace: str, kind: str, name: str, ignore: bool) -> int:
    path = _path(state, namespace, kind, name)
    if not path.is_file():
        return 0 if ignore else _not_found(kind, name)
    path.unlink()
    with (state / "deleted.log").open("a") as log:
        log.write(f"{kind}/{name}\n")
    pid_file = state / "runners" / f"{name}.pid"
    if kind == "Job" and pid_file.is_file():
        with contextlib.suppress(OSError):
            os.killpg(int(pid_file.read_text()), signal.SIGKILL)
    return 0


# --- the pod ---------------------------------------------------------------------------------


def _set_status(state: Path, namespace: str, job: str, status: dict[str, Any]) -> None:
    obj = _load(state, namespace, "Job", job)
    if obj is not None:  # deleted meanwhile
        obj["status"] = status
        _save(state, namespace, obj)


def _run_job(state: Path, namespace: str, job: str) -> int:
    obj = _load(state, namespace, "Job", job)
    assert obj is not None
    pod = obj["spec"]["template"]["spec"]
    root = state / "pods" / job
    (root / "logs").mkdir(parents=True, exist_ok=True)
    volumes: dict[str, Path] = {}
    for volume in pod.get("volumes", []):
        folder = root / "volumes" / volume["name"]
        folder.mkdir(parents=True, exist_ok=True)
        if "configMap" in volume:
            config = _load(state, namespace, "ConfigMap", volume["configMap"]["name"])
            for key, value in ((config or {}).get("data") or {}).items():
                (folder / key).write_text(value, encoding="utf-8")
        volumes[volume["name"]] = folder
    overrides_file = state / "overrides.json"
    overrides = json.loads(overrides_file.read_text()) if overrides_file.is_file() else {}
    deadline = time.monotonic() + obj["spec"].get("activeDeadlineSeconds", 3600)
    _set_status(state, namespace, job, {"active": 1, "startTime": time.time()})
    for container in [*pod.get("initContainers", []), *pod["containers"]]:
        mounts = sorted(((m["mountPath"], volumes[m["name"]])
                         for m in container.get("volumeMounts", [])),
                        key=lambda item: -len(item[0]))

        def mapped(text: str, mounts: list[tuple[str, Path]] = mounts) -> str:
            for mount, folder in mounts:
                if text == mount or text.startswith(mount + "/"):
                    return str(folder) + text[len(mount):]
            return text

        command = overrides.get(container["name"]) or [
            mapped(a) for a in [*container["command"], *container.get("args", [])]]
        env = {**os.environ, **{e["name"]: mapped(e["value"])
                                for e in container.get("env", []) if "value" in e}}
        env.pop(STATE_VARIABLE, None)
        env.pop("PYTHONPATH", None)
        with (root / "logs" / f"{container['name']}.log").open("wb") as log:
            try:
                code = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT,
                                      env=env, cwd=root, check=False,
                                      timeout=max(deadline - time.monotonic(), 0.1)).returncode
            except subprocess.TimeoutExpired:
                _set_status(state, namespace, job, {"failed": 1, "conditions": [
                    {"type": "Failed", "status": "True", "reason": "DeadlineExceeded",
                     "message": "Job was active longer than specified deadline"}]})
                return 0
            except OSError as exc:
                log.write(f"exec failed: {exc}\n".encode())
                code = 128
        if code != 0:
            _set_status(state, namespace, job, {"failed": 1, "conditions": [
                {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                 "message": "Job has reached the specified backoff limit"}]})
            return 0
    _set_status(state, namespace, job, {"succeeded": 1, "conditions": [
        {"type": "Complete", "status": "True"}]})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
