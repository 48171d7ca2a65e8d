"""A real temporary git repository for gate tests: the example committed on ``main`` under
``models/credit/``, a ``pr`` branch to edit, and helpers to write approvals and evidence."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

from helpers import example_text, mutate

from mlops_spec.evaluation import (
    ArtifactRecord,
    Champion,
    DataRecord,
    Evaluation,
    Rows,
    SpecRef,
    Tool,
    spec_digest,
    write,
)
from mlops_spec.main import main
from mlops_spec.spec.validate import validate_text

SPEC = "models/credit/mlops.yaml"
ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
       "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


class GateRepo:
    def __init__(self, root: Path, text: str | None = None, path: str = SPEC) -> None:
        self.root = root
        self.path = path
        root.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")
        self.write(text if text is not None else example_text(), path)
        self.base = self.commit("base")
        self.git("checkout", "-q", "-b", "pr")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True,
                              check=True, env={**os.environ, **ENV})
        return done.stdout.strip()

    def write(self, text: str, path: str | None = None) -> None:
        target = self.root / (path or self.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def text(self, path: str | None = None) -> str:
        return (self.root / (path or self.path)).read_text(encoding="utf-8")

    def edit(self, *edits: tuple[str, str], path: str | None = None) -> None:
        self.write(mutate(self.text(path), *edits), path)

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def approvals(self, *reviews: tuple[str, str] | tuple[str, str, str] | dict[str, Any],
                  author: str = "pat", head: str | None = None) -> Path:
        """Reviews as (login, state[, commit]); teams follow the example's owners."""
        head = head or self.git("rev-parse", "HEAD")
        teams = {"carol": ["acme/credit-analysts"], "mo": ["acme/ml-platform"]}
        rows = []
        for review in reviews:
            if isinstance(review, dict):
                rows.append(review)
                continue
            login, state, *commit = review
            rows.append({"login": login, "state": state, "commit_id": commit[0] if commit
                         else head, "teams": teams.get(login.lower(), [])})
        target = self.root.parent / "approvals.json"
        target.write_text(json.dumps({"author": author, "head_sha": head, "reviews": rows}))
        return target

    def evaluation(self, metrics: dict[str, float] | None = None,
                   champion: dict[str, float] | None = None, text: str | None = None,
                   model: str | None = None, champion_version: str = "a" * 40) -> Path:
        """An evaluation.json bound to the working tree's spec (or ``text``)."""
        spec = validate_text(self.path, text if text is not None else self.text()).spec
        assert spec is not None
        values = metrics or {"roc_auc": 0.86, "f1": 0.61, "precision": 0.6, "recall": 0.62}
        evaluation = Evaluation(
            format="mlops-spec/evaluation/v1", model=model or spec.name,
            spec=SpecRef(path=self.path, digest=spec_digest(spec)),
            data=[DataRecord(source="applications", uri="data/applications.csv",
                             sha256="0" * 64, rows=1000)],
            task=spec.model.task, estimator=spec.model.estimator,
            rows=Rows(train=800, test=200), metrics=values, thresholds=[],
            champion=Champion(version=champion_version, metrics=champion) if champion else None,
            vs_production=None, decision="pass",
            artifact=ArtifactRecord(file="model.skops", format="skops", sha256="1" * 64),
            tool=Tool(name="mlops-spec", version="test"))
        directory = self.root.parent / "out"
        directory.mkdir(exist_ok=True)
        return write(evaluation, directory)

    def run(self, *args: str | Path) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.chdir(self.root), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            code = main([str(a) for a in args])
        return code, out.getvalue(), err.getvalue()

    def check(self, *args: str | Path, base: str | None = "main") -> tuple[int, dict[str, Any]]:
        report = self.root.parent / "report.json"
        report.unlink(missing_ok=True)
        extra = ["--base", base] if base else []
        code, out, err = self.run("check", *extra, *args, "--report", report)
        assert code in (0, 1), (code, out, err)
        return code, json.loads(report.read_text())


def spec_of(report: dict[str, Any], path: str = SPEC) -> dict[str, Any]:
    return next(s for s in report["specs"] if s["path"] == path)


def roles_for(spec: dict[str, Any], reason: str) -> set[str]:
    return {a["role"] for a in spec["approvals"] if reason in a["reasons"]}


def status(spec: dict[str, Any], check_id: str) -> str:
    return str(next(c["status"] for c in spec["checks"] if c["id"] == check_id))


MEMBERS = {"sme": "carol", "data_engineer": "dana", "data_scientist": "sam",
           "ml_engineer": "mo", "architect": "ari"}
"""One login per example role (carol and mo through their teams)."""
