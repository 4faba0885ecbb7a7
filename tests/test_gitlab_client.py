"""The GitLab client, approvals parsing and the note's safety, against a local server on
127.0.0.1 (no internet): pagination both ways, token headers, errors as exit 3."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from opsync.errors import ConfigError, ExitCode, VerifyError
from opsync.gitlab.approvals import is_bot, parse_approvals, parse_versions
from opsync.gitlab.client import GitLabClient, Token, token_from_env
from opsync.gitlab.note import MARKER, error_body, report_body
from opsync.report.gitlab_format import render
from opsync.report.markdown_format import render_markdown
from opsync.results import Report, error_report

SECRET = "glpat-unit-secret"


def client(server: HTTPServer, token: Token | None = None, **kw: Any) -> GitLabClient:
    return GitLabClient(
        token or Token("PRIVATE-TOKEN", SECRET),
        server.url_for("/api/v4"),
        sleep=lambda _s: None,
        **kw,
    )


def test_token_from_env_prefers_opsync_then_gitlab_then_the_job_token() -> None:
    both = {"OPSYNC_GITLAB_TOKEN": "a", "GITLAB_TOKEN": "b", "CI_JOB_TOKEN": "c"}
    assert token_from_env(both) == Token("PRIVATE-TOKEN", "a")
    assert token_from_env({"GITLAB_TOKEN": "b", "CI_JOB_TOKEN": "c"}) == Token("PRIVATE-TOKEN", "b")
    assert token_from_env({"CI_JOB_TOKEN": "c"}) == Token("JOB-TOKEN", "c")
    assert token_from_env({}) is None
    assert "a" not in repr(Token("PRIVATE-TOKEN", "a" * 20))


def test_x_next_page_pagination_reads_every_page(local_api: HTTPServer) -> None:
    def pages(request: Request) -> Response:
        page = int(request.args.get("page", "1"))
        nxt = str(page + 1) if page < 3 else ""
        body = json.dumps([{"id": page}])
        return Response(body, headers={"X-Next-Page": nxt}, content_type="application/json")

    local_api.expect_request("/api/v4/things").respond_with_handler(pages)
    assert [i["id"] for i in client(local_api).get_pages("/things")] == [1, 2, 3]
    assert [r.args.get("per_page") for r, _ in local_api.log] == ["100"] * 3
    assert {r.headers.get("PRIVATE-TOKEN") for r, _ in local_api.log} == {SECRET}


def test_link_header_pagination_and_a_foreign_host_is_refused(local_api: HTTPServer) -> None:
    def pages(request: Request) -> Response:
        if request.args.get("cursor") == "b":
            link = '<https://evil.example.com/api/v4/things?cursor=c>; rel="next"'
        else:
            link = f'<{local_api.url_for("/api/v4/things")}?cursor=b>; rel="next"'
        return Response("[{}]", headers={"Link": link}, content_type="application/json")

    local_api.expect_request("/api/v4/things").respond_with_handler(pages)
    with pytest.raises(VerifyError, match="another host") as info:
        client(local_api).get_pages("/things")
    assert SECRET not in str(info.value)
    assert len(local_api.log) == 2  # the token went to our host only


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "rejected the token"),
        (403, "may not see it"),
        (404, "not found"),
        (500, "did not answer after 2 attempts"),
        (502, "HTTP 502"),
    ],
)
def test_http_errors_are_exit_3_and_never_show_the_token(
    local_api: HTTPServer, status: int, words: str
) -> None:
    local_api.expect_request("/api/v4/x").respond_with_json({"message": "nope"}, status=status)
    with pytest.raises(VerifyError) as info:
        client(local_api, attempts=2).get("/x")
    assert info.value.exit_code is ExitCode.UNVERIFIED
    assert words in str(info.value)
    assert SECRET not in str(info.value)


def test_a_job_token_travels_as_job_token_and_a_403_says_to_use_a_project_token(
    local_api: HTTPServer,
) -> None:
    local_api.expect_request("/api/v4/x").respond_with_json({"message": "403"}, status=403)
    with pytest.raises(VerifyError) as info:
        client(local_api, Token("JOB-TOKEN", SECRET)).get("/x")
    assert "OPSYNC_GITLAB_TOKEN" in str(info.value)
    ((request, _),) = local_api.log
    assert request.headers.get("JOB-TOKEN") == SECRET
    assert request.headers.get("PRIVATE-TOKEN") is None


def test_a_network_failure_is_exit_3() -> None:
    bad = GitLabClient(
        Token("PRIVATE-TOKEN", SECRET), "http://127.0.0.1:9/api/v4", attempts=1, timeout=2
    )
    with pytest.raises(VerifyError, match="network error"):
        bad.get("/x")


def test_no_token_or_a_bad_url_is_refused_before_any_request() -> None:
    with pytest.raises(VerifyError, match="OPSYNC_GITLAB_TOKEN"):
        GitLabClient(None, "https://gitlab.example.com/api/v4")
    with pytest.raises(ConfigError, match="CI_API_V4_URL"):
        GitLabClient(Token("PRIVATE-TOKEN", SECRET), "ftp://gitlab.example.com")


def test_approvals_with_and_without_a_time_and_deleted_users() -> None:
    data = {
        "approved_by": [
            {"user": {"username": "carol", "id": 1}, "approved_at": "2026-11-24T10:05:00.123Z"},
            {"user": {"username": "dave", "id": 2}},
            {"user": None},  # a deleted account
        ]
    }
    carol, dave = parse_approvals(data, "GET approvals")
    assert carol.username == "carol" and carol.approved_at is not None
    assert carol.approved_at.isoformat() == "2026-11-24T10:05:00.123000+00:00"
    assert dave.approved_at is None
    with pytest.raises(VerifyError, match="expected shape"):
        parse_approvals({"approved_by": "carol"}, "GET approvals")


def test_versions_come_oldest_first_and_a_bad_one_is_exit_3() -> None:
    newest_first = [
        {"id": 2, "head_commit_sha": "b" * 40, "created_at": "2026-11-24T10:02:00Z"},
        {"id": 1, "head_commit_sha": "a" * 40, "created_at": "2026-11-24T10:01:00Z"},
    ]
    assert [v.id for v in parse_versions(newest_first, "v")] == [1, 2]
    with pytest.raises(VerifyError):
        parse_versions([{"id": 3, "created_at": "yesterday"}], "v")


@pytest.mark.parametrize(
    ("user", "bot"),
    [
        ({"username": "carol", "bot": False}, False),
        ({"username": "carol"}, None),  # the approvals API's users: ask /users/:id
        ({"username": "renovate", "bot": True}, True),
        ({"username": "project_42_bot_0f3a9c"}, True),
        ({"username": "group_7_bot_1b2c"}, True),
        ({"username": "project_42_botanist"}, None),  # not a token name: ask
    ],
)
def test_bots(user: dict[str, Any], bot: bool | None) -> None:
    assert is_bot(user) is bot


def test_a_note_line_never_starts_a_quick_action() -> None:
    """GitLab runs `/approve`, `/merge`... at a line start as the token's user."""
    report = Report(
        command="check", findings=(), exit_code=ExitCode.OK, notes=("/approve", "  /merge now")
    )
    plain = render_markdown(report)
    assert re.search(r"^\s*/", plain, re.MULTILINE)  # the threat is real
    for body in (report_body(report), error_body("bad\n/approve")):
        assert body.startswith(MARKER + "\n")
        assert not re.search(r"^\s*/", body, re.MULTILINE), body
    assert "\\/approve" in report_body(report)  # shown as "/approve", inert


def test_the_error_report_is_a_valid_code_quality_array() -> None:
    stopped = error_report("check", ExitCode.UNVERIFIED, "GitLab answered 500", "")
    (issue,) = json.loads(render(stopped))
    assert issue["check_name"] == "opsync-error"
    assert issue["severity"] == "blocker"
    assert issue["location"] == {"path": "opsync.yml", "lines": {"begin": 1}}
    assert "GitLab answered 500" in issue["description"]
    assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])


def test_a_deeply_nested_answer_is_could_not_verify_not_a_crash(local_api: HTTPServer) -> None:
    """A hostile or broken API nesting JSON 100,000 deep is exit 3, never a RecursionError
    (the same loader the GitHub client and the event reader use)."""
    local_api.expect_request("/api/v4/deep").respond_with_data(
        "[" * 100_000 + "]" * 100_000, content_type="application/json"
    )
    with pytest.raises(VerifyError) as caught:
        client(local_api).get("/deep")
    assert caught.value.exit_code == 3
    assert "nested deeper" in caught.value.message
