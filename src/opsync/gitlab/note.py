"""The sticky merge request note: one note per MR, found by its marker, created once and
then edited in place, holding the gate's Markdown report (or why the run stopped)."""

from __future__ import annotations

import re
from typing import Any

from opsync.gitlab.client import GitLabClient
from opsync.http import segment
from opsync.report.markdown_format import escape, render_markdown
from opsync.results import Report

MARKER = "<!-- opsync:gate -->"
NOTE_LIMIT = 1_000_000  # characters GitLab accepts in a note
# A note line starting with `/` is a quick action (`/approve`, `/merge`) that GitLab runs
# as the token's user when the note is saved; repo text must never become one.
_QUICK_ACTION = re.compile(r"^([ \t]*)/", re.MULTILINE)


def report_body(report: Report) -> str:
    return _body(render_markdown(report, limit=NOTE_LIMIT - len(MARKER) - 64))


def error_body(message: str) -> str:
    return _body(
        "## ❌ opsync check: could not complete\n\n"
        f"{escape(message)}\n\n"
        "The gate did not decide this merge request: fix the cause above and re-run the "
        "pipeline. See the job log for details.\n"
    )


def _body(markdown: str) -> str:
    defused = _QUICK_ACTION.sub(lambda m: m.group(1) + "\\/", markdown)
    return f"{MARKER}\n{defused}"


def upsert(client: GitLabClient, project: str, iid: int, body: str) -> str:
    """Edit our note when there is one, else create it; returns "created" or "updated".

    Only a note written by the token's own user is ours: anyone can paste the marker
    into a comment, and editing theirs would fail (403) or, worse, be someone else's
    words under our name.
    """
    path = f"/projects/{segment(project)}/merge_requests/{int(iid)}/notes"
    me = _me(client)
    for note in client.get_pages(f"{path}?sort=asc&order_by=created_at"):
        if _ours(note, me):
            client.put(f"{path}/{int(note['id'])}", {"body": body})
            return "updated"
    client.post(path, {"body": body})
    return "created"


def _me(client: GitLabClient) -> int | None:
    """The token user's id (GET /user); a job token has no user endpoint."""
    if client.job_token:
        return None
    user = client.get_object("/user")
    return int(user["id"]) if isinstance(user.get("id"), int) else None


def _ours(note: dict[str, Any], me: int | None) -> bool:
    if note.get("system") or MARKER not in str(note.get("body", "")):
        return False
    if not isinstance(note.get("id"), int):
        return False
    author = note.get("author")
    return me is None or (isinstance(author, dict) and author.get("id") == me)
