"""`mlops-spec publish` against the loopback GitHub, through github3.py over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_support import BASE_SHA, HEAD, REPO_NAME, TOKEN, gate_report, loopback_github
from github_server import Fault, GitHubState

from mlops_spec.main import main as mlops_main


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[GitHubState]:
    yield from loopback_github(monkeypatch, tmp_path)

CONTEXT = "mlops-spec/credit-risk: main"
MARKER = "<!-- mlops-spec:report credit-risk -->"


def publish(report: Path, *extra: str, capsys: object = None) -> int:
    return mlops_main(["publish", "--report", str(report), *extra])


def own_comments(github: GitHubState) -> list[dict[str, object]]:
    return [c for c in github.comments(REPO_NAME, 7)
            if str(c["body"]).startswith(MARKER)
            and (c["user"] or {}).get("login") == "github-actions[bot]"]


def test_publish_twice_leaves_one_comment_edited(github: GitHubState, tmp_path: Path) -> None:
    assert publish(gate_report(tmp_path, "pending")) == 0
    first = own_comments(github)
    assert len(first) == 1 and "pending" in str(first[0]["body"])
    status = github.latest_status(REPO_NAME, HEAD, CONTEXT)
    assert status is not None and status["state"] == "pending"
    assert status["target_url"] == first[0]["html_url"]
    assert status["description"] == "pending: approval of data_scientist (@sam)"

    assert publish(gate_report(tmp_path, "pass")) == 0
    second = own_comments(github)
    assert len(second) == 1 and second[0]["id"] == first[0]["id"]
    assert "**pass**" in str(second[0]["body"])
    assert any(r.method == "PATCH" for r in github.requests)
    status = github.latest_status(REPO_NAME, HEAD, CONTEXT)
    assert status is not None and status["state"] == "success"
    run = github.repo(REPO_NAME).check_runs[-1]
    assert run["name"] == CONTEXT and run["conclusion"] == "success"
    assert run["annotations"][0]["start_line"] == 40


def test_finds_its_comment_after_250_comments_of_others(github: GitHubState,
                                                        tmp_path: Path) -> None:
    assert publish(gate_report(tmp_path, "pending")) == 0
    mine = own_comments(github)[0]["id"]
    for index in range(250):
        github.add_comment(REPO_NAME, 7, f"reviewer{index % 7}", f"comment {index}")
    github.clear_requests()
    assert publish(gate_report(tmp_path, "fail")) == 0
    assert [c["id"] for c in own_comments(github)] == [mine]
    pages = [r for r in github.requests if r.method == "GET" and r.path.endswith("/comments")]
    assert len(pages) == 3  # 251 comments, 100 a page, followed through Link headers
    assert "**fail**" in str(own_comments(github)[0]["body"])


def test_marker_in_another_users_comment_is_ignored(github: GitHubState,
                                                    tmp_path: Path) -> None:
    quoted = f"{MARKER}\nI copied the bot's comment"
    github.add_comment(REPO_NAME, 7, "mallory", quoted)
    assert publish(gate_report(tmp_path, "pending")) == 0
    comments = github.comments(REPO_NAME, 7)
    assert comments[0]["body"] == quoted and comments[0]["user"]["login"] == "mallory"
    assert len(own_comments(github)) == 1
    assert not any(r.method in ("PATCH", "DELETE") for r in github.requests)


def test_duplicates_from_an_earlier_crash_are_removed(github: GitHubState,
                                                      tmp_path: Path) -> None:
    for _ in range(3):
        github.add_comment(REPO_NAME, 7, "github-actions[bot]", f"{MARKER}\nold")
    oldest = github.comments(REPO_NAME, 7)[0]["id"]
    assert publish(gate_report(tmp_path, "pending")) == 0
    assert [c["id"] for c in own_comments(github)] == [oldest]


def test_at_most_five_requests_and_no_writes_when_unchanged(github: GitHubState,
                                                            tmp_path: Path) -> None:
    for index in range(99):
        github.add_comment(REPO_NAME, 7, "reviewer", f"comment {index}")
    report = gate_report(tmp_path, "pending")
    assert publish(report) == 0
    assert len(github.requests) <= 5, [(r.method, r.path) for r in github.requests]
    github.clear_requests()
    assert publish(report) == 0
    assert len(github.requests) <= 5
    assert github.writes() == [], [(r.method, r.path) for r in github.writes()]
    github.clear_requests()
    assert publish(gate_report(tmp_path, "pass")) == 0  # a change: edit, check run, status
    assert len(github.requests) == 5
    assert [r.method for r in github.writes()] == ["PATCH", "POST", "POST"]


def test_502_after_the_comment_was_stored(github: GitHubState, tmp_path: Path) -> None:
    github.faults.append(Fault("POST", r"/issues/7/comments$", "502-after"))
    assert publish(gate_report(tmp_path, "pending")) == 0
    assert len(own_comments(github)) == 1
    assert github.latest_status(REPO_NAME, HEAD, CONTEXT)["state"] == "pending"  # type: ignore[index]


def test_read_timeout_after_the_comment_was_stored(github: GitHubState,
                                                   tmp_path: Path) -> None:
    github.faults.append(Fault("POST", r"/issues/7/comments$", "timeout-after", stall=1.5))
    github.faults.append(Fault("POST", r"/statuses/", "timeout-after", stall=1.5))
    assert publish(gate_report(tmp_path, "fail")) == 0
    assert len(own_comments(github)) == 1
    assert github.latest_status(REPO_NAME, HEAD, CONTEXT)["state"] == "failure"  # type: ignore[index]


def test_secondary_rate_limit_honours_retry_after(github: GitHubState, tmp_path: Path) -> None:
    github.faults.append(Fault("POST", r"/issues/7/comments$", "secondary-rate-limit"))
    github.faults.append(Fault("GET", r"/statuses$", "rate-limit-reset"))
    assert publish(gate_report(tmp_path, "pass")) == 0
    assert len(own_comments(github)) == 1
    assert github.latest_status(REPO_NAME, HEAD, CONTEXT)["state"] == "success"  # type: ignore[index]
    waits = github.waits  # type: ignore[attr-defined]
    assert len(waits) == 2 and 1.0 in waits  # Retry-After: 1, then the reset time
    assert 1.0 <= max(waits) <= 4.0


def test_5xx_on_reads_is_retried_with_backoff(github: GitHubState, tmp_path: Path) -> None:
    github.faults.append(Fault("GET", r"/comments$", "500", times=2))
    assert publish(gate_report(tmp_path, "pass")) == 0
    assert github.waits == [0.5, 1.0]  # type: ignore[attr-defined]
    assert len(own_comments(github)) == 1


def test_401_exits_2_naming_the_fix_without_the_token(github: GitHubState, tmp_path: Path,
                                                      capsys: object) -> None:
    github.tokens.clear()
    assert publish(gate_report(tmp_path, "pass")) == 2
    out, err = capsys.readouterr()  # type: ignore[attr-defined]
    assert "B003" in err and "GITHUB_TOKEN" in err and "pull-requests: read" in err
    assert TOKEN not in out + err


def test_403_names_the_permission_to_grant(github: GitHubState, tmp_path: Path,
                                           capsys: object) -> None:
    github.add_token(TOKEN, "github-actions[bot]", {"pull-requests"})
    assert publish(gate_report(tmp_path, "pass")) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "B004" in err and "statuses: write" in err and TOKEN not in err
    github.add_token(TOKEN, "github-actions[bot]", {"statuses"})
    assert publish(gate_report(tmp_path, "fail")) == 2
    assert "pull-requests: write" in capsys.readouterr().err  # type: ignore[attr-defined]


def test_without_checks_permission_the_status_alone(github: GitHubState, tmp_path: Path,
                                                    capsys: object) -> None:
    github.add_token(TOKEN, "github-actions[bot]", {"pull-requests", "statuses"})
    assert publish(gate_report(tmp_path, "fail")) == 0
    assert github.repo(REPO_NAME).check_runs == []
    assert github.latest_status(REPO_NAME, HEAD, CONTEXT)["state"] == "failure"  # type: ignore[index]
    assert "checks: write" in capsys.readouterr().err  # type: ignore[attr-defined]


def test_garbage_answer_is_an_error_not_a_verdict(github: GitHubState, tmp_path: Path,
                                                  capsys: object) -> None:
    github.faults.append(Fault("GET", r"/comments$", "garbage"))
    assert publish(gate_report(tmp_path, "pass")) == 2
    assert "B006" in capsys.readouterr().err  # type: ignore[attr-defined]
    assert github.writes() == []


def test_oversized_answer_is_refused(github: GitHubState, tmp_path: Path, capsys: object,
                                     monkeypatch: object) -> None:
    import mlops_spec.bot.client as client

    monkeypatch.setattr(client, "MAX_BYTES", 1024 * 1024)  # type: ignore[attr-defined]
    github.faults.append(Fault("GET", r"/comments$", "oversized"))
    assert publish(gate_report(tmp_path, "pass")) == 2
    assert "B006" in capsys.readouterr().err  # type: ignore[attr-defined]
    assert github.writes() == []


def test_a_personal_token_resolves_its_login(github: GitHubState, tmp_path: Path,
                                             monkeypatch: object) -> None:
    github.add_token("ghp_personal", "release-bot")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_personal")  # type: ignore[attr-defined]
    github.add_comment(REPO_NAME, 7, "github-actions[bot]", f"{MARKER}\nnot mine")
    assert publish(gate_report(tmp_path, "pass")) == 0
    logins = [c["user"]["login"] for c in github.comments(REPO_NAME, 7)]
    assert logins == ["github-actions[bot]", "release-bot"]
    assert github.requests[0].path == "/user"


def test_ghes_api_prefix_and_explicit_pull(github: GitHubState, tmp_path: Path,
                                           monkeypatch: object) -> None:
    monkeypatch.setenv("GITHUB_API_URL", github.base + "/api/v3")  # type: ignore[attr-defined]
    monkeypatch.delenv("GITHUB_EVENT_PATH")  # type: ignore[attr-defined]
    assert publish(gate_report(tmp_path, "pass"), "--repo", REPO_NAME, "--pr", "7") == 0
    assert github.requests[0].path == "/repos/acme/models/pulls/7"
    assert github.requests[0].headers["Accept"] == "application/vnd.github.v3.full+json"
    assert len(own_comments(github)) == 1


def test_long_markdown_and_description_fit_githubs_limits(github: GitHubState,
                                                          tmp_path: Path) -> None:
    report = gate_report(tmp_path, "fail", summary="x" * 400, markdown="y" * 90_000)
    assert publish(report) == 0
    assert len(str(own_comments(github)[0]["body"])) <= 65_536
    assert len(github.latest_status(REPO_NAME, HEAD, CONTEXT)["description"]) == 140  # type: ignore[index]


def test_summary_mode_writes_the_job_summary_without_the_api(
        github: GitHubState, tmp_path: Path, monkeypatch: object, capsys: object) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))  # type: ignore[attr-defined]
    monkeypatch.delenv("GITHUB_TOKEN")  # type: ignore[attr-defined]
    assert publish(gate_report(tmp_path, "pending"), "--summary") == 1
    assert "pending" in summary.read_text()
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "::error file=mlops.yaml,line=40" in out
    assert github.requests == []
    assert publish(gate_report(tmp_path, "pass"), "--summary") == 0


def test_fork_pull_request_falls_back_to_the_summary(
        github: GitHubState, tmp_path: Path, monkeypatch: object, capsys: object) -> None:
    github.add_token(TOKEN, "github-actions[bot]", set())  # read-only
    github.repo(REPO_NAME).pulls[7].head_repo = "mallory/models"
    monkeypatch.delenv("GITHUB_EVENT_PATH")  # type: ignore[attr-defined]
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "s.md"))  # type: ignore[attr-defined]
    assert publish(gate_report(tmp_path, "fail"), "--pr", "7") == 1
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert out.count("read-only token") == 1
    assert (tmp_path / "s.md").read_text().count("fail") >= 1


def test_a_malformed_report_is_an_input_error(github: GitHubState, tmp_path: Path,
                                              capsys: object) -> None:
    bad = tmp_path / "report.json"
    bad.write_text('{"format": "mlops-spec/gate-report/v1", "verdict": "maybe", "specs": []}')
    assert publish(bad) == 2
    assert "B010" in capsys.readouterr().err  # type: ignore[attr-defined]
    assert github.requests == []
    assert BASE_SHA  # the fixture's base is a SHA: the branch comes from the pull request


def test_jenkins_change_variables_locate_the_pull_request(
        github: GitHubState, tmp_path: Path, monkeypatch: object) -> None:
    for key in ("GITHUB_REPOSITORY", "GITHUB_EVENT_PATH"):
        monkeypatch.delenv(key)  # type: ignore[attr-defined]
    monkeypatch.setenv("CHANGE_URL", "https://github.com/acme/models/pull/7")  # type: ignore[attr-defined]
    monkeypatch.setenv("CHANGE_ID", "7")  # type: ignore[attr-defined]
    assert publish(gate_report(tmp_path, "pass")) == 0
    assert len(own_comments(github)) == 1


def test_check_run_that_may_have_landed_is_not_repeated(github: GitHubState,
                                                        tmp_path: Path) -> None:
    github.faults.append(Fault("POST", r"/check-runs$", "502-after"))
    assert publish(gate_report(tmp_path, "fail")) == 0
    assert len(github.repo(REPO_NAME).check_runs) == 1
    assert github.latest_status(REPO_NAME, HEAD, CONTEXT)["state"] == "failure"  # type: ignore[index]


def test_the_token_is_in_no_log_output_or_error(github: GitHubState, tmp_path: Path,
                                                caplog: object, capsys: object) -> None:
    import logging

    caplog.set_level(logging.DEBUG)  # type: ignore[attr-defined]
    github.faults += [Fault("POST", r"/issues/7/comments$", "502-after"),
                      Fault("GET", r"/statuses$", "secondary-rate-limit")]
    assert publish(gate_report(tmp_path, "pending")) == 0
    github.tokens.clear()
    assert publish(gate_report(tmp_path, "pass")) == 2
    out, err = capsys.readouterr()  # type: ignore[attr-defined]
    logged = "\n".join(r.getMessage() for r in caplog.records)  # type: ignore[attr-defined]
    assert logged and "POST" in logged  # github3 and urllib3 did log the calls
    for text in (out, err, logged):
        assert TOKEN not in text
    assert all(r.headers.get("Authorization") == f"token {TOKEN}" for r in github.requests)


def test_a_rate_limit_longer_than_the_cap_is_an_error(github: GitHubState, tmp_path: Path,
                                                      capsys: object) -> None:
    github.faults.append(Fault("GET", r"/comments$", "secondary-rate-limit", retry_after=3600))
    assert publish(gate_report(tmp_path, "pass")) == 2
    assert "B007" in capsys.readouterr().err  # type: ignore[attr-defined]
    assert github.waits == [] and github.writes() == []  # type: ignore[attr-defined]


def test_one_comment_and_one_status_per_spec(github: GitHubState, tmp_path: Path) -> None:
    first = json.loads(gate_report(tmp_path, "pass").read_text())
    second = json.loads(gate_report(tmp_path, "fail", name="churn").read_text())
    first["specs"] += second["specs"]
    first["verdict"] = "fail"
    both = tmp_path / "both.json"
    both.write_text(json.dumps(first))
    assert publish(both) == 0
    assert publish(both) == 0
    bodies = [str(c["body"]).split("\n")[0] for c in github.comments(REPO_NAME, 7)]
    assert bodies == [MARKER, "<!-- mlops-spec:report churn -->"]
    assert github.latest_status(REPO_NAME, HEAD, CONTEXT)["state"] == "success"  # type: ignore[index]
    churn = github.latest_status(REPO_NAME, HEAD, "mlops-spec/churn: main")
    assert churn is not None and churn["state"] == "failure"


def test_report_fixture_matches_the_published_schema(tmp_path: Path) -> None:
    schema_file = Path(__file__).resolve().parents[2] / "schemas" / "gate-report.schema.json"
    if not schema_file.is_file():
        pytest.skip("schemas/gate-report.schema.json (the gate's, issue 11) is not here yet")
    import jsonschema

    schema = json.loads(schema_file.read_text())
    for verdict in ("pass", "fail", "pending"):
        jsonschema.validate(json.loads(gate_report(tmp_path, verdict).read_text()), schema)


def test_unreachable_api_is_retried_then_an_error(github: GitHubState, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{port}")
    assert publish(gate_report(tmp_path, "pass")) == 2
    err = capsys.readouterr().err
    assert "B005" in err and TOKEN not in err
    assert github.waits == [0.5, 1.0, 2.0, 4.0]  # type: ignore[attr-defined]


def test_a_comment_without_author_is_skipped(github: GitHubState, tmp_path: Path) -> None:
    github.add_comment(REPO_NAME, 7, "gone", f"{MARKER}\nby a deleted account")
    github.repo(REPO_NAME).comments[7][0]["user"] = None
    assert publish(gate_report(tmp_path, "pass")) == 0
    assert len(own_comments(github)) == 1 and len(github.comments(REPO_NAME, 7)) == 2


def test_a_pull_request_answer_without_its_head_is_refused(
        github: GitHubState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import github_shapes

    original = github_shapes.pull_request
    monkeypatch.setattr(github_shapes, "pull_request",
                        lambda *a: {k: v for k, v in original(*a).items() if k != "head"})
    monkeypatch.delenv("GITHUB_EVENT_PATH")
    assert publish(gate_report(tmp_path, "pass"), "--pr", "7") == 2
    err = capsys.readouterr().err
    assert "B006" in err and "lacks `head`" in err
    assert github.writes() == []
