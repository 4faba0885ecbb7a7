"""A local GitLab REST v4 API on 127.0.0.1 (pytest-httpserver), answering the documented
shapes opsync reads and writes: the merge request, its approvals (with or without
`approved_at`), its diff versions (newest first, paginated with X-Next-Page), its notes
(paginated with a `Link: rel="next"` header; POST and PUT kept as state), group members
(`/groups/:id/members/all`, X-Next-Page) and `/user`.

Shapes follow docs.gitlab.com/api/merge_request_approvals, .../merge_requests (versions),
.../notes and .../members.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

PROJECT = 42
IID = 7
BOT_ID = 9001  # the project access token's user
API = "/api/v4"
MR = f"{API}/projects/{PROJECT}/merge_requests/{IID}"


def at(minute: int) -> str:
    """A GitLab timestamp (UTC, milliseconds, `Z`)."""
    return f"2026-11-24T10:{minute:02d}:00.000Z"


def user(username: str, uid: int, *, bot: bool | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": uid,
        "username": username,
        "name": username.title(),
        "state": "active",
        "locked": False,
        "avatar_url": f"https://gitlab.example.com/uploads/{uid}.png",
        "web_url": f"https://gitlab.example.com/{username}",
    }
    if bot is not None:
        data["bot"] = bot
    return data


@dataclass
class FakeGitLab:
    server: HTTPServer
    author: str = "bob"
    description: str = ""
    versions: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    approved_by: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    live_head: str | None = None  # the MR's `sha` when it moved after the pipeline began
    bots: dict[int, bool] = field(default_factory=dict)  # user id -> `bot`
    fail: dict[str, int] = field(default_factory=dict)  # path suffix -> HTTP status
    clock: int = 0

    @property
    def url(self) -> str:
        return self.server.url_for(API)

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    # --- what happens on GitLab -------------------------------------------------------

    def push(self, sha: str) -> None:
        """A push to the source branch: GitLab records a new diff version."""
        vid = 100 + len(self.versions)
        self.versions.append(
            {
                "id": vid,
                "head_commit_sha": sha,
                "base_commit_sha": "0" * 40,
                "start_commit_sha": "0" * 40,
                "created_at": at(self.tick()),
                "merge_request_id": 1007,
                "state": "collected",
                "real_size": "1",
                "patch_id_sha": f"{vid:040x}",
            }
        )

    def approve(self, username: str, *, timed: bool = True, bot: bool = False) -> None:
        """Like the API: the approval's user has no `bot`; `/users/:id` tells."""
        uid = 500 + len(self.approved_by)
        self.bots[uid] = bot
        entry: dict[str, Any] = {"user": user(username, uid)}
        if timed:
            entry["approved_at"] = at(self.tick())
        self.approved_by.append(entry)

    # --- the API ----------------------------------------------------------------------

    def serve(self) -> None:
        self.server.expect_request(f"{MR}/approvals").respond_with_handler(self._approvals)
        self.server.expect_request(f"{MR}/versions").respond_with_handler(self._versions)
        self.server.expect_request(f"{MR}/notes", method="GET").respond_with_handler(
            self._list_notes
        )
        self.server.expect_request(f"{MR}/notes", method="POST").respond_with_handler(
            self._create_note
        )
        self.server.expect_request(
            re.compile(rf"{MR}/notes/\d+"), method="PUT"
        ).respond_with_handler(self._edit_note)
        self.server.expect_request(MR).respond_with_handler(self._merge_request)
        self.server.expect_request(f"{API}/user").respond_with_handler(self._user)
        self.server.expect_request(re.compile(rf"{API}/users/\d+")).respond_with_handler(
            self._a_user
        )
        self.server.expect_request(
            re.compile(rf"{API}/groups/.+/members/all")
        ).respond_with_handler(self._members)

    def _guard(self, request: Request, key: str) -> Response | None:
        status = self.fail.get(key)
        if status is None:
            return None
        message = {401: "401 Unauthorized", 403: "403 Forbidden", 404: "404 Not found"}
        return _json({"message": message.get(status, "500 Internal Server Error")}, status)

    def _merge_request(self, request: Request) -> Response:
        head = self.versions[-1]["head_commit_sha"] if self.versions else None
        return self._guard(request, "mr") or _json(
            {
                "id": 1007,
                "iid": IID,
                "project_id": PROJECT,
                "title": "Member tiers",
                "description": self.description,
                "state": "opened",
                "author": user(self.author, 200),
                "source_branch": "pr",
                "target_branch": "main",
                "sha": self.live_head or head,
                "web_url": f"https://gitlab.example.com/acme/shop/-/merge_requests/{IID}",
            }
        )

    def _approvals(self, request: Request) -> Response:
        return self._guard(request, "approvals") or _json(
            {
                "id": 1007,
                "iid": IID,
                "project_id": PROJECT,
                "title": "Member tiers",
                "state": "opened",
                "approved": bool(self.approved_by),
                "approvals_required": 1,
                "approvals_left": 0 if self.approved_by else 1,
                "approved_by": self.approved_by,
            }
        )

    def _versions(self, request: Request) -> Response:
        """Newest first, one per page, so a second version means a second page."""
        newest_first = list(reversed(self.versions))
        page = int(request.args.get("page", "1"))
        items = newest_first[page - 1 : page]
        headers = {"X-Page": str(page), "X-Per-Page": "1", "X-Total": str(len(newest_first))}
        headers["X-Next-Page"] = str(page + 1) if page < len(newest_first) else ""
        return self._guard(request, "versions") or _json(items, headers=headers)

    def _list_notes(self, request: Request) -> Response:
        """Two per page, next page by a keyset `Link` header (no X-Next-Page)."""
        after = int(request.args.get("id_after", "0"))
        rest = [n for n in self.notes if n["id"] > after]
        page, headers = rest[:2], {}
        if len(rest) > 2:
            nxt = self.server.url_for(f"{MR}/notes") + f"?per_page=2&id_after={page[-1]['id']}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        return self._guard(request, "notes") or _json(page, headers=headers)

    def _create_note(self, request: Request) -> Response:
        denied = self._guard(request, "post-note")
        if denied:
            return denied
        note = self.note(json.loads(request.data)["body"], BOT_ID)
        return _json(note, 201)

    def _edit_note(self, request: Request) -> Response:
        nid = int(request.path.rsplit("/", 1)[1])
        note = next(n for n in self.notes if n["id"] == nid)
        if note["author"]["id"] != BOT_ID:
            return _json({"message": "403 Forbidden"}, 403)
        note["body"] = json.loads(request.data)["body"]
        note["updated_at"] = at(self.tick())
        return _json(note)

    def note(self, body: str, author_id: int, *, system: bool = False) -> dict[str, Any]:
        """Add a note as someone (a person pasting the marker, or opsync's bot)."""
        name = "project_42_bot_5f1e" if author_id == BOT_ID else f"user{author_id}"
        note = {
            "id": 3000 + len(self.notes),
            "type": None,
            "body": body,
            "author": user(name, author_id, bot=author_id == BOT_ID),
            "created_at": at(self.tick()),
            "updated_at": at(self.clock),
            "system": system,
            "noteable_id": 1007,
            "noteable_type": "MergeRequest",
            "noteable_iid": IID,
        }
        self.notes.append(note)
        return note

    def _user(self, request: Request) -> Response:
        return _json(user("project_42_bot_5f1e", BOT_ID, bot=True))

    def _a_user(self, request: Request) -> Response:
        uid = int(request.path.rsplit("/", 1)[1])
        if uid not in self.bots:
            return _json({"message": "404 User Not Found"}, 404)
        name = next(a["user"]["username"] for a in self.approved_by if a["user"]["id"] == uid)
        return self._guard(request, "users") or _json(user(name, uid, bot=self.bots[uid]))

    def _members(self, request: Request) -> Response:
        # `acme%2Fops` arrives decoded (`acme/ops`): the group is what lies between.
        group = request.path.split("/groups/", 1)[1].rsplit("/members/all", 1)[0]
        denied = self._guard(request, "members")
        if denied:
            return denied
        members = self.groups.get(group)
        if members is None:
            return _json({"message": "404 Group Not Found"}, 404)
        page = int(request.args.get("page", "1"))
        headers = {"X-Next-Page": str(page + 1) if page < len(members) else ""}
        return _json(members[page - 1 : page], headers=headers)


def member(username: str, uid: int, *, state: str = "active") -> dict[str, Any]:
    data = user(username, uid)
    data.update(state=state, access_level=30, created_at=at(0), expires_at=None)
    return data


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data), status=status, headers=headers or {}, content_type="application/json"
    )
