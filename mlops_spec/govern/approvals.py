"""Approvals by role, from the reviews the PR bot records (BRIEF contract 3).

Rules (docs/governance.md): the latest review per reviewer that is not COMMENTED stands; a
DISMISSED one leaves no standing review; the author never counts; logins and team slugs
match ``owners`` handles case-insensitively (``@sam`` is login ``sam``, ``@acme/ml`` is team
``acme/ml``); an approval counts only on ``head_sha`` or a commit whose spec file equals the
head's (the caller asks git and passes the answer as ``fresh``); a standing
CHANGES_REQUESTED from a member of a required role blocks, on whatever commit.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from mlops_spec.diagnostics import Diagnostic, InputError
from mlops_spec.spec.sections import Owners

STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"})


class Review(NamedTuple):
    login: str
    state: str
    commit_id: str
    teams: tuple[str, ...]


class Approvals(NamedTuple):
    author: str
    head_sha: str
    reviews: list[Review]


class ApprovalsError(InputError):
    """The approvals file is unreadable or not the documented shape (exit 2)."""


def _bad(file: str, message: str) -> ApprovalsError:
    return ApprovalsError([Diagnostic(
        code="G004", message=message, file=file,
        hint='expected {"author", "head_sha", "reviews": [{"login", "state", "commit_id", '
             '"teams"}]} as `mlops-spec approvals` writes it (docs/governance.md)')])


def _text(value: Any, where: str, file: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 256:
        raise _bad(file, f"{where} must be a non-empty string")
    return value


def parse(raw: bytes, file: str) -> Approvals:
    """Parse the approvals JSON; any deviation is an error, never a silent pass or fail."""
    try:
        data: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(file, f"the approvals file is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("reviews"), list):
        raise _bad(file, "the approvals file must be an object with a reviews list")
    reviews = []
    for i, item in enumerate(data["reviews"]):
        where = f"reviews[{i}]"
        if not isinstance(item, dict):
            raise _bad(file, f"{where} must be an object")
        state = _text(item.get("state"), f"{where}.state", file)
        if state not in STATES:
            raise _bad(file, f"{where}.state {state!r} is not one of {', '.join(sorted(STATES))}")
        teams = item.get("teams", [])
        if not isinstance(teams, list) or not all(isinstance(t, str) for t in teams):
            raise _bad(file, f"{where}.teams must be a list of team slugs (org/team)")
        reviews.append(Review(_text(item.get("login"), f"{where}.login", file), state,
                              _text(item.get("commit_id"), f"{where}.commit_id", file),
                              tuple(teams)))
    return Approvals(_text(data.get("author"), "author", file),
                     _text(data.get("head_sha"), "head_sha", file), reviews)


def standing(approvals: Approvals) -> dict[str, Review]:
    """Each reviewer's review that stands (lowercased login -> review); author left out."""
    out: dict[str, Review] = {}
    for review in approvals.reviews:
        login = review.login.lower()
        if review.state == "COMMENTED":
            continue
        if review.state == "DISMISSED":
            out.pop(login, None)
        else:
            out[login] = review
    out.pop(approvals.author.lower(), None)
    return out


def is_member(review: Review, handles: list[str]) -> bool:
    teams = {t.lower() for t in review.teams}
    for handle in handles:
        name = handle.lstrip("@").lower()
        if ("/" in name and name in teams) or name == review.login.lower():
            return True
    return False


class RoleDecision(NamedTuple):
    role: str
    satisfied: bool
    by: list[str]
    members: list[str]
    reasons: list[str]
    blocked_by: list[str]
    notes: list[str]


def decide(required: dict[str, list[str]], owners: Owners, approvals: Approvals | None,
           fresh: frozenset[str]) -> list[RoleDecision]:
    """One decision per required role (role -> the classes and checks requiring it).

    ``fresh`` holds the commits (besides ``head_sha``) whose spec file equals the head's.
    """
    reviews = standing(approvals) if approvals is not None else {}
    valid = fresh | ({approvals.head_sha} if approvals is not None else set())
    out = []
    for role, reasons in required.items():
        members = owners.handles(role)
        by, blocked, notes = [], [], []
        for review in reviews.values():
            if not is_member(review, members):
                continue
            if review.state == "CHANGES_REQUESTED":
                blocked.append(review.login)
            elif review.commit_id in valid:
                by.append(review.login)
            else:
                notes.append(f"{review.login} approved {review.commit_id[:12]}, whose spec "
                             "differs from the head's: approve again")
        if approvals is None:
            notes.append("no approvals given (--approvals): pending")
        out.append(RoleDecision(role, bool(by), by, members, reasons, blocked, notes))
    return out
