"""How generated CI jobs install mlops-spec: which extras a job needs, and from where.

One table says which extra each ``mlops-spec`` command needs; a job installs the union of
the extras of the commands it runs. ``requirement`` is the one pip argument both CI targets
render (through their escaping filters, as an environment variable read as ``"$VAR"``).
GitHub workflows install a git commit of a github.com repository with that repository's
composite action instead (``action_reference``, ``job_install``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops_spec.spec.sections import Install, Spec

COMMAND_EXTRAS: dict[str, tuple[str, ...]] = {
    "validate": (),
    "render": (),
    "diff": (),
    "needs-training": (),
    "check": (),
    "train": ("train",),  # plus the store's backend (the champion), see CHAMPION_COMMANDS
    "evaluate": ("train",),
    "score": ("train",),
    "upload": (),  # plus the store's backend and registry, see store_extras
    "fetch": (),
    "promote": (),
    "drift": ("drift",),  # plus the store's and current data's backends, see extras
    "rollout": (),
    "publish": ("bot",),
    "approvals": ("bot",),
    "retrain-pr": ("bot",),
    "promotion-pr": ("bot",),
    "protect": ("bot",),
    "submit-training": (),  # plus the store's backend (it fetches the run), see RUN_COMMANDS
}
"""The extras of ``pyproject.toml`` each command imports (``require(...)`` in its code)."""

STORE_EXTRAS: dict[str, str] = {"s3": "s3", "gs": "gcs", "gcs": "gcs", "az": "azure",
                                "abfs": "azure", "abfss": "azure"}
"""fsspec backend extra of each remote artifact-store scheme (https needs none)."""


STORE_COMMANDS = frozenset({"upload", "fetch", "promote"})
"""Commands that read or write the artifact store (and the registry, when one is set)."""
CHAMPION_COMMANDS = frozenset({"train", "evaluate"})
"""Commands fetching the version production serves from the store (the champion the gate
holds the evaluation to, G270), without the registry."""
RUN_COMMANDS = frozenset({"submit-training"})
"""Commands reading and removing a training run in the store (its backend, no registry)."""
MONITOR_COMMANDS = frozenset({"drift"})
"""Commands reading the store without the registry (the pipelines run ``drift --champion``:
the reference profile of production's version) and ``monitoring.current_data``."""


def _scheme_extras(uri: str | None) -> tuple[str, ...]:
    if uri is None or "://" not in uri:
        return ()
    extra = STORE_EXTRAS.get(uri.split("://", 1)[0])
    return (extra,) if extra else ()


def store_extras(spec: Spec) -> tuple[str, ...]:
    return _scheme_extras(spec.model.artifact.store)


def monitor_extras(spec: Spec) -> tuple[str, ...]:
    """The backends ``drift --champion`` reads: the store's and the current data's."""
    current = spec.monitoring.current_data if spec.monitoring else None
    return (*store_extras(spec), *_scheme_extras(current))


def extras(spec: Spec, *commands: str) -> list[str]:
    """The extras a job that runs ``commands`` installs, in a stable order."""
    needed: list[str] = []
    for command in commands:
        needed += COMMAND_EXTRAS[command]
        if command in STORE_COMMANDS:
            needed += store_extras(spec)
            if spec.model.registry is not None:
                needed.append("mlflow")
        if command in CHAMPION_COMMANDS or command in RUN_COMMANDS:
            needed += store_extras(spec)
        if command in MONITOR_COMMANDS:
            needed += monitor_extras(spec)
    return sorted(set(needed))


def requirement(install: Install, needed: list[str]) -> str:
    """The pip argument installing mlops-spec with ``needed`` extras from ``install``."""
    suffix = f"[{','.join(needed)}]" if needed else ""
    if install.wheel is not None:
        # pip's path form: relative to the job's working directory, the repository root.
        return f"./{install.wheel}{suffix}"
    if install.git is not None:
        return f"mlops-spec{suffix} @ git+{install.git}@{install.commit}"
    return f"mlops-spec{suffix}=={install.version}"


def job_requirement(spec: Spec, *commands: str) -> str:
    return requirement(spec.ci.install, extras(spec, *commands))


_GITHUB_REPOSITORY = re.compile(
    r"^https://github\.com/(?P<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})"
    r"/(?P<repo>[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}?)(?:\.git)?$")
"""The only git URLs whose action a workflow can name: ``uses: owner/repo@commit`` is
resolved on github.com (a GitHub name has no other characters)."""


def action_reference(install: Install) -> str | None:
    """``owner/repo@<commit>`` of the repository's composite action (``action.yml``) when
    ``install`` is a commit of a github.com repository: a full commit is a pinned ``uses:``.
    None for every other source, installed with pip: a PyPI version names no commit of the
    action that the renderer could know, a wheel or another host no action at all
    (docs/install-source.md)."""
    if install.git is None or install.commit is None:
        return None
    match = _GITHUB_REPOSITORY.match(install.git)
    return f"{match['owner']}/{match['repo']}@{install.commit}" if match else None


@dataclass(frozen=True, slots=True)
class JobInstall:
    """How one GitHub Actions job installs mlops-spec (templates/.../steps/setup.yml.j2)."""

    pip_argument: str
    """The pip argument, for the ``pip install`` step (used when ``action`` is None)."""
    action: str | None
    """``owner/repo@<commit>``: the composite action installs its own checkout instead."""
    extras: str
    """The job's extras, comma-separated, for the action's ``extras`` input."""


def job_install(spec: Spec, *commands: str) -> JobInstall:
    needed = extras(spec, *commands)
    return JobInstall(pip_argument=requirement(spec.ci.install, needed),
                      action=action_reference(spec.ci.install), extras=",".join(needed))


MODEL_COMMANDS = frozenset({"train", "evaluate", "score"})
"""Commands that fit or load the model: they run with the serving runtime's scikit-learn."""


def runtime_pin(spec: Spec, *commands: str) -> str | None:
    """The second pip argument of a job that trains (installed after mlops-spec):
    ``scikit-learn==<the serving runtime's version>``, so the artifact loads where it is
    served and ``upload`` accepts it (A014); None when nothing pins it."""
    from mlops_spec.render.kubernetes.runtimes import training_requirement

    return training_requirement(spec) if MODEL_COMMANDS & set(commands) else None
