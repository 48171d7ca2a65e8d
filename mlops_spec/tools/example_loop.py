"""``python -m mlops_spec.tools.example_loop [EXAMPLE] [--out DIR]``: the README's main job.

One model's whole loop on the bundled example, through the real CLI (``mlops_spec.main``
in-process, so each command is exactly what a pipeline runs): validate, render every target
(then ``render --check``), train and evaluate, upload to the store and fetch it back, the
governance gate on a sample pull request (pending, then passing once the data scientist
approves), the PR comment as it would be posted, and drift on a shifted sample that asks for
a retrain. Every product goes under ``--out`` (default ``.example-out/``, git-ignored); the
example's committed tree changes only where ``render`` rewrites its own outputs.

The example's store is ``s3://acme-models/credit-risk`` and it serves on KServe, which a
local directory cannot feed (rule M025). So the spec is used unchanged, against moto's S3
server on 127.0.0.1 with throwaway credentials: no account and no network. Exits 1 when a
step does anything but what is expected, so CI catches a regression.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlops_spec.main import main as cli

BUCKET = "acme-models"
PR_BRANCH = "tune-learning-rate"
PARAMS_BEFORE = "params: {max_iter: 200, learning_rate: 0.05}"
PARAMS_AFTER = "params: {max_iter: 300, learning_rate: 0.04}"
REVIEWERS: tuple[tuple[str, list[str]], ...] = (
    ("sam", []), ("lee", ["acme/credit-analysts"]), ("ari", []))
"""Who approves the sample PR: the example's data_scientist (@sam; a model change needs
them), a member of the sme team (fairness-review) and the architect @ari (security-review)."""


class LoopFailed(Exception):
    """A step did something other than what the loop expects."""


def _say(message: str) -> None:
    sys.stderr.write(f"==> {message}\n")
    sys.stderr.flush()


def run_cli(argv: list[str], expect: int = 0, cwd: Path | None = None) -> str:
    """One ``mlops-spec`` command in-process; its stdout, or LoopFailed on another exit."""
    buffer = io.StringIO()
    with contextlib.chdir(cwd or Path.cwd()), contextlib.redirect_stdout(buffer):
        code = cli(argv)
    if code != expect:
        sys.stderr.write(buffer.getvalue())
        raise LoopFailed(f"`mlops-spec {' '.join(argv)}` exited {code}, expected {expect}")
    return buffer.getvalue()


INSTALL_GIT = ("the loop commits the example into a scratch git repository and gates a "
               "sample pull request against its base. Install git (Debian/Ubuntu: "
               "`sudo apt-get install git`; Fedora: `sudo dnf install git`; macOS: "
               "`xcode-select --install`; others: https://git-scm.com/downloads) and run "
               "`make example` again")


def _run_git(args: list[str]) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Example", "GIT_AUTHOR_EMAIL": "ex@example.com",
           "GIT_COMMITTER_NAME": "Example", "GIT_COMMITTER_EMAIL": "ex@example.com"}
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, env=env,
                              check=False)
    except FileNotFoundError:
        raise LoopFailed(f"git is not installed (no `git` on PATH): {INSTALL_GIT}") from None
    except OSError as error:  # e.g. not executable
        raise LoopFailed(f"cannot run git ({error.strerror}): {INSTALL_GIT}") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip() or "no output"
        raise LoopFailed(f"`git {' '.join(args)}` exited {done.returncode}: {said}")
    return done.stdout.strip()


def _git(repo: Path, *args: str) -> str:
    return _run_git(["-C", str(repo), *args])


def require_git() -> None:
    """Stop before anything is removed or produced when git cannot run."""
    _run_git(["--version"])


@contextlib.contextmanager
def loopback_s3() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 with the example's bucket; the AWS environment of this
    process points at it (and is restored afterwards)."""
    import boto3  # type: ignore[import-untyped]
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = {"AWS_ACCESS_KEY_ID": "example-key-id", "AWS_SECRET_ACCESS_KEY": "example-secret",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint}
    dropped = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3")
    saved = {key: os.environ.get(key) for key in (*env, *dropped)}
    os.environ.update(env)
    for key in dropped:
        os.environ.pop(key, None)
    try:
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


def seed_repository(example: Path, repo: Path) -> str:
    """A git repository holding what a team commits (spec and data) on main; its sha."""
    repo.mkdir(parents=True)
    shutil.copy2(example / "mlops.yaml", repo / "mlops.yaml")
    shutil.copytree(example / "data", repo / "data")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "credit-risk: the model as merged")
    return _git(repo, "rev-parse", "HEAD")


def propose_change(repo: Path) -> str:
    """The sample pull request: new hyper-parameters (a model change); the head sha."""
    spec = repo / "mlops.yaml"
    text = spec.read_text(encoding="utf-8")
    if text.count(PARAMS_BEFORE) != 1:
        raise LoopFailed(f"{spec}: expected one `{PARAMS_BEFORE}` line to change")
    _git(repo, "checkout", "-q", "-b", PR_BRANCH)
    spec.write_text(text.replace(PARAMS_BEFORE, PARAMS_AFTER), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "credit-risk: more iterations, smaller steps")
    return _git(repo, "rev-parse", "HEAD")


def shifted_sample(path: Path) -> Path:
    """Production-like rows whose applicants earn less, borrow more and owe more: three of
    the five features move, past the spec's drift share of one half."""
    from mlops_spec.tools import example_data

    columns = example_data.generate(rows=2_000, seed=example_data.DEFAULT_SEED + 1)
    columns["income"] = (columns["income"] * 0.6).round(-2)
    columns["loan_amount"] = (columns["loan_amount"] * 1.8).round(-2)
    columns["debt_to_income"] = (columns["debt_to_income"] * 1.5).clip(0, 1).round(3)
    path.write_text(example_data.to_csv(columns), encoding="utf-8", newline="\n")
    return path


def _verdict(report: Path, expected: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    if data["verdict"] != expected:
        raise LoopFailed(f"{report}: verdict {data['verdict']!r}, expected {expected!r}")
    return data


def governance(repo: Path, out: Path, head_sha: str) -> list[tuple[str, Path]]:
    """The gate on the sample PR: pending without reviews, pass with the approval."""
    run_cli(["train", "mlops.yaml", "--out", str(out / "pr-train"), "--quiet"], cwd=repo)
    evaluation = str(out / "pr-train" / "evaluation.json")
    pending = out / "gate-report.pending.json"
    comment = run_cli(["check", "--base", "main", "--evaluation", evaluation,
                       "--report", str(pending), "--format", "markdown"], expect=1, cwd=repo)
    (out / "pr-comment.md").write_text(comment, encoding="utf-8")
    spec = _verdict(pending, "pending")["specs"][0]
    _say(f"gate without reviews: {spec['summary']}")
    _say(f"    PR comment ({len(comment.splitlines())} lines of Markdown, as `publish` posts it): "
         f"{out / 'pr-comment.md'}")
    for role in spec["approvals"]:
        state = "satisfied" if role["satisfied"] else "needed from " + ", ".join(role["members"])
        _say(f"    {role['role']}: {state}")
    approvals = out / "approvals.json"
    reviews = [{"login": login, "state": "APPROVED", "commit_id": head_sha, "teams": teams}
               for login, teams in REVIEWERS]
    document = {"author": "pat", "head_sha": head_sha, "reviews": reviews}
    approvals.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    passed = out / "gate-report.pass.json"
    run_cli(["check", "--base", "main", "--evaluation", evaluation, "--approvals",
             str(approvals), "--report", str(passed), "--format", "markdown"], cwd=repo)
    logins = ", ".join(f"@{login}" for login, _ in REVIEWERS)
    _say(f"gate with {logins} approving: {_verdict(passed, 'pass')['specs'][0]['summary']}")
    return [("PR training run (head)", out / "pr-train"),
            ("gate report, no reviews (pending)", pending),
            ("PR comment as posted (Markdown)", out / "pr-comment.md"),
            ("approvals JSON (contract 3)", approvals),
            ("gate report, approved (pass)", passed)]


def loop(example: Path, out: Path) -> list[tuple[str, Path]]:
    require_git()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    products: list[tuple[str, Path]] = []

    _say(f"validate {example}")
    run_cli(["validate", str(example)])
    _say("render every target (GitHub Actions, Jenkins, Kubernetes, Argo CD, CODEOWNERS)")
    run_cli(["render", str(example / "mlops.yaml"), "--out", str(example)])
    run_cli(["render", str(example / "mlops.yaml"), "--out", str(example), "--check"])
    _say("render --check: the committed files are current")

    repo = out / "repo"
    main_sha = seed_repository(example, repo)
    _say(f"train and evaluate on main ({main_sha[:12]}) in {repo}")
    trained = out / "train"
    run_cli(["train", "mlops.yaml", "--out", str(trained), "--quiet"], cwd=repo)
    decision = json.loads((trained / "evaluation.json").read_text(encoding="utf-8"))
    metrics = ", ".join(f"{k} {v:.3f}" for k, v in decision["metrics"].items())
    _say(f"    {metrics}; promotion decision: {decision['decision']}")
    products += [("model artifact", trained / "model.skops"),
                 ("evaluation.json", trained / "evaluation.json"),
                 ("model card", trained / "model-card.md"),
                 ("drift reference profile", trained / "reference.profile.npz")]

    _say("upload to s3://acme-models/credit-risk: moto's S3 server on 127.0.0.1 (the spec "
         "is unchanged; KServe cannot read a local directory, rule M025)")
    # The generated pipelines train with the serving runtime's scikit-learn, so a real upload
    # refuses any other (A014); this laptop trained with the development environment's.
    _say("    (--allow-sklearn-mismatch: trained with this environment's scikit-learn, not the "
         "runtime's; the generated pipelines install the runtime's)")
    with loopback_s3():
        run_cli(["upload", "mlops.yaml", "--from", str(trained), "--version", main_sha,
                 "--allow-sklearn-mismatch"], cwd=repo)
        fetched = out / "store" / main_sha
        run_cli(["fetch", "mlops.yaml", "--version", main_sha, "--to", str(fetched)], cwd=repo)
    if not (fetched / "model.skops").is_file():
        raise LoopFailed(f"{fetched}: no model.skops after fetch")
    _say(f"    stored s3://acme-models/credit-risk/{main_sha[:12]}..., fetched back verified")
    products.append(("store version (fetched back)", fetched))

    head_sha = propose_change(repo)
    _say(f"sample PR {PR_BRANCH!r} changes model.params; gate against main")
    products += governance(repo, out, head_sha)

    _say("drift: a shifted sample (lower income, larger loans, higher debt-to-income)")
    shifted = shifted_sample(out / "shifted.csv")
    report = run_cli(["drift", "mlops.yaml", "--reference", str(trained / "reference.profile.npz"),
                      "--current", str(shifted), "--format", "json"], expect=1, cwd=repo)
    (out / "drift-report.json").write_text(report, encoding="utf-8")
    decision = json.loads(report)
    if not decision["retrain"]["triggered"]:
        raise LoopFailed("drift exited 1 but its report does not trigger a retrain")
    moved = [f["name"] for f in decision["drift"]["features"] if f["drifted"]]
    _say(f"    drifted: {', '.join(moved)}")
    _say("    drift exit 1: retrain triggered (retrain.on: [drift])")
    products += [("shifted sample", shifted), ("drift report (retrain)", out / "drift-report.json")]
    return products


def table(products: list[tuple[str, Path]], root: Path) -> str:
    rows = [(what, os.path.relpath(path, root)) for what, path in products]
    width = max(len(what) for what, _ in rows)
    return "".join(f"  {what.ljust(width)}  {where}\n" for what, where in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("example", nargs="?", type=Path, default=Path("example-repo"))
    parser.add_argument("--out", type=Path, default=Path(".example-out"))
    args = parser.parse_args(argv)
    from mlops_spec.tools.example_summary import summary

    started = time.monotonic()
    try:
        products = loop(args.example.resolve(), args.out.resolve())
    except LoopFailed as error:
        sys.stderr.write(f"example loop FAILED: {error}\n")
        return 1
    sys.stdout.write(summary(args.example))
    sys.stdout.write(f"produced under {args.out}/ in {time.monotonic() - started:.0f} s:\n")
    sys.stdout.write(table(products, args.out.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
