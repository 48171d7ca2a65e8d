"""Shared by the bot's tests: the loopback GitHub (each module's ``github`` fixture wraps
``loopback_github``), the repository's names and gate reports in the shape of contract 4.
(No tests/bot/conftest.py: it would shadow tests/conftest.py, which other tests import.)"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from github_server import GitHubState, Pull, serve

REPO_NAME = "acme/models"
TOKEN = "ghs_l00pbackT0kenThatMustNeverBeShown0000"
HEAD = "a" * 40
BASE_SHA = "b" * 40


def loopback_github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[GitHubState]:
    """The loopback GitHub with acme/models, pull request #7 (head HEAD, base main), the
    workflow token, and the environment a GitHub Actions step would see."""
    import mlops_spec.bot.client as client

    waits: list[float] = []
    monkeypatch.setattr(client, "sleep", waits.append)
    with serve() as state:
        state.waits = waits  # type: ignore[attr-defined]
        state.add_token(TOKEN, "github-actions[bot]")
        repo = state.repo(REPO_NAME)
        repo.pulls[7] = Pull(7, "Change the model", "alice", "feature", HEAD, "main")
        event = tmp_path / "event.json"
        event.write_text(json.dumps({"pull_request": {
            "number": 7, "user": {"login": "alice"},
            "head": {"sha": HEAD, "ref": "feature", "repo": {"full_name": REPO_NAME}},
            "base": {"sha": BASE_SHA, "ref": "main", "repo": {"full_name": REPO_NAME}}}}))
        for key in ("MLOPS_SPEC_BOT_LOGIN", "GITHUB_STEP_SUMMARY", "GITHUB_RUN_ID"):
            monkeypatch.delenv(key, raising=False)
        monkeypatch.setenv("GITHUB_API_URL", state.base)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("GITHUB_REPOSITORY", REPO_NAME)
        monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
        monkeypatch.setenv("MLOPS_SPEC_GITHUB_TIMEOUT", "0.5")
        yield state


def gate_report(tmp_path: Path, verdict: str = "pending", *, name: str = "credit-risk",
                summary: str | None = None, markdown: str | None = None,
                diagnostics: list[dict[str, Any]] | None = None) -> Path:
    """A gate report in the shape of contract 4 (schemas/gate-report.schema.json)."""
    summary = summary or {"pass": "governance checks pass; approvals complete",
                          "fail": "1 check fails: promotion-thresholds",
                          "pending": "pending: approval of data_scientist (@sam)"}[verdict]
    report = {
        "format": "mlops-spec/gate-report/v1", "verdict": verdict,
        "base": {"ref": BASE_SHA, "sha": BASE_SHA}, "head": {"sha": "c" * 40},
        "specs": [{
            "name": name, "path": "mlops.yaml", "verdict": verdict, "summary": summary,
            "checks": [{"id": "model-card", "status": "pass", "reason": "declared"}],
            "changes": [{"class": "model", "path": "model.estimator",
                         "before": "sklearn.linear_model.LogisticRegression",
                         "after": "sklearn.ensemble.HistGradientBoostingClassifier"}],
            "approvals": [{"role": "data_scientist", "satisfied": verdict == "pass",
                           "by": ["sam"] if verdict == "pass" else [], "members": ["@sam"],
                           "reasons": ["model"]}],
            "diagnostics": diagnostics if diagnostics is not None else [
                {"code": "G010", "severity": "error", "message": "needs approval",
                 "file": "mlops.yaml", "line": 40, "column": 3, "hint": None}],
            "markdown": markdown or f"### mlops-spec: {name} — **{verdict}**\n\n{summary}\n",
        }]}
    path = tmp_path / f"report-{verdict}-{name}.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def git(root: Path, *args: str) -> str:
    """``git -C root ARGS`` with a committer identity; its stripped output."""
    return subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c",
                           "user.email=t@example.com", *args], check=True,
                          capture_output=True, text=True).stdout.strip()


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` but ``.git``, by its relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(root).parts}
