"""The one sticky PR comment, end to end: `opsync check --comment` in a simulated
Actions step against a local GitHub on 127.0.0.1 (issue comments listed across pages,
created, edited in place), plus the upsert's rules on their own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from opsync.errors import ExitCode
from opsync.github.client import GitHubClient
from opsync.github.comment import MARKER, find_comment, post_report, upsert_comment
from opsync.results import error_report
from test_actions_e2e import (  # the same repo, payloads and local GitHub as the gate's e2e
    NUMBER,
    REPO,
    REVIEWS,
    TOKEN,
    Pr,
    _template,  # noqa: F401  (a fixture: pytest finds it in this module's namespace)
    merge_group_event,
    review,
)

COMMENTS = f"/repos/{REPO}/issues/{NUMBER}/comments"
EDIT = f"/repos/{REPO}/issues/comments"


def comment(
    cid: int, body: str, *, login: str = "github-actions[bot]", kind: str = "Bot"
) -> dict[str, Any]:
    """One issue comment as GET /repos/{o}/{r}/issues/{n}/comments returns it."""
    return {
        "id": cid,
        "html_url": f"https://github.com/{REPO}/pull/{NUMBER}#issuecomment-{cid}",
        "body": body,
        "user": {"login": login, "type": kind},
    }


class Comments:
    """A stateful comment thread on the local server: GET (paged), POST, PATCH."""

    def __init__(self, server: HTTPServer, existing: list[dict[str, Any]] | None = None) -> None:
        self.items = list(existing or [])
        self.posts = 0
        self.patches = 0
        self.server = server
        server.expect_request(COMMENTS, method="GET").respond_with_handler(self._list)
        server.expect_request(COMMENTS, method="POST").respond_with_handler(self._create)
        for item in self.items:
            path = f"{EDIT}/{item['id']}"
            server.expect_request(path, method="PATCH").respond_with_handler(self._edit)

    def _list(self, request: Request) -> Response:
        page = int(request.args.get("page", "1"))
        chunk = self.items[(page - 1) * 100 : page * 100]
        headers = {}
        if len(self.items) > page * 100:
            nxt = self.server.url_for(COMMENTS) + f"?per_page=100&page={page + 1}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        return Response(json.dumps(chunk), 200, headers, content_type="application/json")

    def _create(self, request: Request) -> Response:
        self.posts += 1
        made = comment(9000 + self.posts, json.loads(request.data)["body"])
        self.items.append(made)
        return Response(json.dumps(made), 201, content_type="application/json")

    def _edit(self, request: Request) -> Response:
        self.patches += 1
        cid = int(request.path.rsplit("/", 1)[1])
        item = next(i for i in self.items if i["id"] == cid)
        item["body"] = json.loads(request.data)["body"]
        return Response(json.dumps(item), 200, content_type="application/json")

    def ours(self) -> list[dict[str, Any]]:
        return [c for c in self.items if c["body"].startswith(MARKER)]


def gate_run(
    gate: Pr, reviews: list[dict[str, Any]], event_name: str = "pull_request_target"
) -> Any:
    payload = gate.payload()
    gate.serve(payload, reviews)
    return gate.check(payload, event_name, args=("--comment",))


# --- end to end -------------------------------------------------------------------------


@pytest.fixture
def gate(tmp_path: Path, _template: Path, local_api: HTTPServer) -> Pr:  # noqa: F811
    return Pr(tmp_path, _template, local_api)


def test_the_first_run_creates_the_comment_and_the_next_edits_it(gate: Pr) -> None:
    head = gate.edit_spec()
    thread = Comments(gate.github, [comment(1, "LGTM", login="alice", kind="User")])
    first = gate_run(gate, [])
    assert first.code == 1, first
    assert thread.posts == 1 and thread.patches == 0, first
    (ours,) = thread.ours()
    body = ours["body"].replace("\\", "")  # read as a person would, without the escapes
    assert body.startswith(MARKER + "\n## ❌ opsync check: failed"), body
    assert "| ❌ Member system revamp (member-tiers) | research |" in body, body
    assert "### What blocks, and who can unblock it" in body, body
    assert "needs 1 more ops approval(s) of feature member-tiers" in body, body
    assert "ask a reviewer (1 ops: carol, dave) to approve" in body, body  # who unblocks
    assert f"head `{head[:12]}`" in body, body
    assert "pull request comment created" in first.err, first

    # carol approves: the same comment turns green, edited in place, no second one.
    gate.github.clear()
    thread = Comments(gate.github, thread.items)
    second = gate_run(gate, [review(1, "carol", "APPROVED", head)], "pull_request_review")
    assert second.code == 0, second
    assert thread.posts == 0 and thread.patches == 1, second
    (ours,) = thread.ours()
    assert ours["body"].startswith(MARKER + "\n## ✅ opsync check: passed"), ours["body"]
    assert len(thread.items) == 2  # alice's comment and ours
    auth = {r.headers.get("Authorization") for r, _ in gate.github.log}
    assert auth == {f"Bearer {TOKEN}"}


def test_a_stale_approval_says_what_changed(gate: Pr) -> None:
    approved = gate.edit_spec()
    gate.edit_spec("Big spenders churn", "Whales churn")
    thread = Comments(gate.github)
    run = gate_run(gate, [review(1, "carol", "APPROVED", approved)])
    assert run.code == 1, run
    body = thread.ours()[0]["body"].replace("\\", "")
    assert "🔄" in body, body
    assert f"carol's approval (github) is stale: approved at {approved[:7]}, then changed" in body
    assert "opsync/features/member-tiers.md" in body, body


def test_a_run_that_cannot_finish_says_so_in_the_comment(gate: Pr) -> None:
    gate.edit_spec()
    event = gate.payload()
    gate.serve_pull(event)
    gate.github.expect_request(REVIEWS, method="GET").respond_with_json(
        {"message": "Server Error"}, status=500, headers={"Retry-After": "0"}
    )
    thread = Comments(gate.github)
    run = gate.check(event, args=("--comment",))
    assert run.code == 3, run
    body = thread.ours()[0]["body"]
    assert "## ❌ opsync check: could not complete" in body, body
    assert "**Could not finish:**" in body and "HTTP 500" in body, body


def test_a_fork_pull_request_gets_the_comment_too(gate: Pr) -> None:
    gate.edit_spec()
    event = gate.payload()
    event["pull_request"]["head"]["repo"] = {"id": 999, "full_name": "mallory/shop"}
    gate.serve(event, [])
    thread = Comments(gate.github)
    run = gate.check(event, args=("--comment",))
    assert run.code == 1, run
    assert thread.posts == 1, run


def test_a_read_only_token_leaves_a_warning_and_the_verdict(gate: Pr) -> None:
    head = gate.edit_spec()
    event = gate.payload()
    gate.serve(event, [review(1, "carol", "APPROVED", head)])
    gate.github.expect_request(COMMENTS, method="GET").respond_with_json([])
    gate.github.expect_request(COMMENTS, method="POST").respond_with_json(
        {"message": "Resource not accessible by integration"}, status=403
    )
    run = gate.check(event, "pull_request_review", args=("--comment",))
    assert run.code == 0, run  # the verdict does not depend on the comment
    assert "::warning title=opsync comment::cannot write the opsync comment" in run.err, run
    assert "pull-requests: write" in run.err, run
    posts = [r for r, _ in gate.github.log if r.method == "POST"]
    assert len(posts) == 1  # a refused write is not retried


def test_a_merge_queue_run_writes_no_comment(gate: Pr) -> None:
    head = gate.edit_spec()
    pull_event = gate.payload()
    group = merge_group_event(gate)
    gate.serve(pull_event, [review(1, "carol", "APPROVED", head)])
    run = gate.check(group, "merge_group", args=("--comment",))
    assert run.code == 0, run
    assert "a merge queue run is not about one pull request" in run.err, run
    assert "::warning" not in run.err + run.out, run
    assert not any("/comments" in r.path for r, _ in gate.github.log)


def test_without_comment_nothing_is_written(gate: Pr) -> None:
    gate.edit_spec()
    event = gate.payload()
    gate.serve(event, [])
    run = gate.check(event)
    assert run.code == 1, run
    assert {r.method for r, _ in gate.github.log} == {"GET"}
    assert not any("/comments" in r.path for r, _ in gate.github.log)


# --- the upsert's rules -----------------------------------------------------------------


@pytest.fixture
def client(local_api: HTTPServer) -> GitHubClient:
    return GitHubClient("t0ken", local_api.url_for("/").rstrip("/"), sleep=lambda _: None)


def test_a_persons_comment_with_the_marker_is_never_edited(
    local_api: HTTPServer, client: GitHubClient
) -> None:
    planted = comment(5, f"{MARKER}\nfake all green", login="mallory", kind="User")
    thread = Comments(local_api, [planted])
    posted = upsert_comment(client, REPO, NUMBER, f"{MARKER}\nreal")
    assert posted.action == "created"
    assert planted["body"] == f"{MARKER}\nfake all green"
    assert thread.posts == 1 and thread.patches == 0


def test_the_marker_is_found_on_a_later_page_and_an_equal_body_is_left_alone(
    local_api: HTTPServer, client: GitHubClient
) -> None:
    chatter = [comment(n, f"comment {n}", login="bob", kind="User") for n in range(1, 131)]
    ours = comment(131, f"{MARKER}\nsame")
    thread = Comments(local_api, [*chatter, ours])
    assert upsert_comment(client, REPO, NUMBER, f"{MARKER}\nsame").action == "unchanged"
    assert upsert_comment(client, REPO, NUMBER, f"{MARKER}\nnew").action == "updated"
    assert thread.posts == 0 and thread.patches == 1
    pages = [r.query_string.decode() for r, _ in local_api.log if r.method == "GET"]
    assert pages == ["per_page=100", "per_page=100&page=2"] * 2


def test_find_comment_needs_the_marker_first_and_a_bot() -> None:
    assert find_comment([comment(1, f"quote: {MARKER}")]) is None
    assert find_comment([comment(1, MARKER, kind="User")]) is None
    assert find_comment([comment(1, "x"), comment(2, MARKER), comment(3, MARKER)])["id"] == 2


def test_an_error_report_body_and_a_failed_post_are_a_warning(
    local_api: HTTPServer, client: GitHubClient
) -> None:
    local_api.expect_request(COMMENTS, method="GET").respond_with_json([])
    local_api.expect_request(COMMENTS, method="POST").respond_with_json(
        {"message": "Server Error"}, status=502
    )
    report = error_report("check", ExitCode.UNVERIFIED, "GitHub is down", "re-run")
    warning = post_report(client, REPO, NUMBER, report)
    assert isinstance(warning, str) and "cannot write the opsync comment" in warning
    assert sum(r.method == "POST" for r, _ in local_api.log) == 1  # never posted twice


# --- right by default in Actions --------------------------------------------------------


def test_a_bare_check_in_actions_writes_annotations_summary_and_outputs(gate: Pr) -> None:
    gate.edit_spec()
    event = gate.payload()
    gate.serve(event, [])
    run = gate.check(event, args=("--format", "text"))  # explicit text stays text
    assert "::error" not in run.out, run
    gate.github.clear()
    gate.serve(event, [])
    bare = gate.check(event, bare=True)
    assert bare.code == 1, bare
    assert "::error file=opsync/features/member-tiers.md,line=2,col=1,title=ops-signoff::" in (
        bare.out
    ), bare
    assert "## ❌ opsync check: failed" in bare.summary, bare
    assert bare.result == "fail", bare


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "gitlab", "markdown"])
def test_every_format_writes_a_document_on_exit_3(gate: Pr, fmt: str) -> None:
    gate.edit_spec()
    event = gate.payload()
    gate.github.expect_request(f"/repos/{REPO}/pulls/{NUMBER}", method="GET").respond_with_json(
        {"message": "Resource not accessible by integration"}, status=403
    )
    run = gate.check(event, args=("--format", fmt), bare=True)
    assert run.code == 3, run
    assert run.result == "error", run
    out = run.out
    assert out.strip(), f"{fmt}: empty document\n{run}"
    if fmt == "json":
        doc = json.loads(out)
        assert doc["result"] == "error" and doc["exit_code"] == 3
        assert "answered 403" in doc["error"]["message"]
    elif fmt == "sarif":
        (sarif_run,) = json.loads(out)["runs"]
        (invocation,) = sarif_run["invocations"]
        assert invocation["executionSuccessful"] is False
        assert "answered 403" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    elif fmt == "gitlab":
        (issue,) = json.loads(out)
        assert issue["severity"] == "blocker" and "answered 403" in issue["description"]
    else:
        assert "answered 403" in out, run
