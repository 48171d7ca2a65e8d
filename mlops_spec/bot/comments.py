"""One sticky comment per pull request and spec: found by a hidden marker AND the bot's
login across every page, created once, edited in place, duplicates from a crash removed."""

from __future__ import annotations

from collections.abc import Callable

from github3.issues.comment import IssueComment

from mlops_spec.bot.client import Client, calling
from mlops_spec.bot.errors import BotError, Uncertain

MAX_BODY = 65_000
"""GitHub refuses comments over 65,536 characters; keep a margin for the marker."""
PERMISSION = "pull-requests: write"


def marker(spec_name: str) -> str:
    return f"<!-- mlops-spec:report {spec_name} -->"


def body(spec_name: str, markdown: str) -> str:
    head = marker(spec_name) + "\n"
    if len(head) + len(markdown) > MAX_BODY:
        note = "\n\n*(report truncated to GitHub's comment limit: see the job summary)*\n"
        markdown = markdown[: MAX_BODY - len(head) - len(note)] + note
    return head + markdown


def list_all(client: Client, repo: str, number: int) -> list[IssueComment]:
    """Every comment with an author (a deleted account's may have none: never the bot's)."""
    what = f"list the comments of pull request #{number}"
    rows = client.pages(client.url("repos", *repo.split("/"), "issues", number, "comments"),
                        dict, what=what, permission="pull-requests: read")
    with calling(what, "pull-requests: read", client.api_url):
        return [IssueComment(row, client.gh) for row in rows
                if isinstance(row.get("user"), dict)]


def own(comments: list[IssueComment], login: str, spec_name: str) -> list[IssueComment]:
    """The bot's comments for this spec, oldest first; another user's marker is ignored."""
    tag = marker(spec_name)
    return [c for c in comments
            if c.user.login.lower() == login.lower() and (c.body or "").startswith(tag)]


def _same(comment: IssueComment, text: str) -> bool:
    return (comment.body or "").replace("\r\n", "\n") == text


class StickyComment:
    """Publishes comments of one pull request; lists them once for every spec."""

    def __init__(self, client: Client, repo: str, number: int, login: str) -> None:
        self.client, self.repo, self.number, self.login = client, repo, number, login
        self.comments = list_all(client, repo, number)

    def publish(self, spec_name: str, text: str) -> str:
        """Leave exactly one comment of the bot for ``spec_name`` with ``text``; its URL."""
        found = own(self.comments, self.login, spec_name)
        if not found:
            try:
                return self._create(text)
            except Uncertain:
                # The create may have landed (a 502 after storing, a timeout): look first.
                self.comments = list_all(self.client, self.repo, self.number)
                found = own(self.comments, self.login, spec_name)
                if not found:
                    try:
                        return self._create(text)
                    except Uncertain as exc:
                        raise BotError.of("B005", f"GitHub did not confirm the comment on "
                                                  f"pull request #{self.number} ({exc})",
                                          "re-run the job: the next run finds and edits "
                                          "the comment if it landed") from None
        keep, extra = found[0], found[1:]
        for duplicate in extra:
            self._call(duplicate.delete, "delete a duplicate report comment")
            self.comments.remove(duplicate)
        if not _same(keep, text):
            self._call(lambda: keep.edit(text), "edit the report comment")
        return str(keep.html_url)

    def _create(self, text: str) -> str:
        url = self.client.url("repos", *self.repo.split("/"), "issues", self.number,
                              "comments")
        data = self.client.json("POST", url, 201, body={"body": text},
                                what=f"comment on pull request #{self.number}",
                                permission=PERMISSION)
        with calling("read the new comment", PERMISSION, self.client.api_url):
            comment = IssueComment(data, self.client.gh)
        self.comments.append(comment)
        return str(comment.html_url)

    def _call(self, action: Callable[[], object], what: str) -> None:
        with calling(what, PERMISSION, self.client.api_url):
            action()
