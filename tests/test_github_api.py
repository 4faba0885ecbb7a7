"""The REST client against a real HTTP server on 127.0.0.1; sleeps are recorded, not slept."""

from __future__ import annotations

import socket

import pytest
from pytest_httpserver import HTTPServer

from opsync.errors import ConfigError, ExitCode, VerifyError
from opsync.github.client import GitHubClient

TOKEN = "ghs_secret_token_value"
REVIEWS = "/repos/octo-org/octo-repo/pulls/7/reviews"


@pytest.fixture
def server(local_api: HTTPServer) -> HTTPServer:
    return local_api  # conftest: one server per session, emptied for every test


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(server: HTTPServer, sleeps: Sleeps, **kw: object) -> GitHubClient:
    return GitHubClient(TOKEN, server.url_for("/"), sleep=sleeps, **kw)  # type: ignore[arg-type]


def review(n: int) -> dict[str, object]:
    return {"id": n, "state": "APPROVED", "user": {"login": f"u{n}", "type": "User"}}


def assert_verify_error(exc: pytest.ExceptionInfo[VerifyError], *words: str) -> None:
    text = str(exc.value)
    assert exc.value.exit_code is ExitCode.UNVERIFIED
    assert exc.value.hint, text
    assert TOKEN not in text and TOKEN not in (exc.value.hint or "")
    for word in words:
        assert word in text, text


def test_reviews_follow_link_pagination_with_api_headers(server: HTTPServer) -> None:
    page2 = server.url_for(REVIEWS) + "?per_page=100&page=2"
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    server.expect_request(REVIEWS, query_string="per_page=100", headers=headers).respond_with_json(
        [review(1), review(2)],
        headers={"Link": f'<{page2}>; rel="next", <{page2}>; rel="last"'},
    )
    server.expect_request(
        REVIEWS, query_string="per_page=100&page=2", headers=headers
    ).respond_with_json([review(3)], headers={"Link": f'<{page2}>; rel="last"'})

    sleeps = Sleeps()
    got = client(server, sleeps).list_reviews("octo-org/octo-repo", 7)

    assert [r["id"] for r in got] == [1, 2, 3]
    assert sleeps == []
    agent = server.log[0][0].headers["User-Agent"]
    assert agent.startswith("opsync/")


def test_next_page_on_another_host_is_refused(server: HTTPServer) -> None:
    server.expect_request(REVIEWS).respond_with_json(
        [review(1)], headers={"Link": '<https://evil.example/steal?page=2>; rel="next"'}
    )
    with pytest.raises(VerifyError) as exc:
        client(server, Sleeps()).list_reviews("octo-org/octo-repo", 7)
    assert_verify_error(exc, "another host")


def test_server_error_is_retried_then_succeeds(server: HTTPServer) -> None:
    path = "/repos/octo-org/octo-repo/pulls/7"
    server.expect_oneshot_request(path).respond_with_json({"message": "boom"}, status=502)
    server.expect_request(path).respond_with_json({"number": 7, "body": "Feature: x"})
    sleeps = Sleeps()

    pull = client(server, sleeps).get_pull("octo-org/octo-repo", 7)

    assert pull["number"] == 7
    assert sleeps == [1.0]


def test_server_error_forever_gives_up_with_exit_3(server: HTTPServer) -> None:
    path = "/repos/octo-org/octo-repo/pulls/7"
    server.expect_request(path).respond_with_json({"message": "Server Error"}, status=500)
    sleeps = Sleeps()

    with pytest.raises(VerifyError) as exc:
        client(server, sleeps, attempts=4).get_pull("octo-org/octo-repo", 7)

    assert_verify_error(exc, "after 4 attempts", "HTTP 500", "Server Error")
    assert sleeps == [1.0, 2.0, 4.0]  # exponential backoff, no sleep after the last try
    assert len(server.log) == 4


def test_secondary_rate_limit_honours_retry_after(server: HTTPServer) -> None:
    server.expect_oneshot_request(REVIEWS).respond_with_json(
        {"message": "You have exceeded a secondary rate limit"},
        status=403,
        headers={"retry-after": "7"},
    )
    server.expect_request(REVIEWS).respond_with_json([review(1)])
    sleeps = Sleeps()

    got = client(server, sleeps).list_reviews("octo-org/octo-repo", 7)

    assert [r["id"] for r in got] == [1]
    assert sleeps == [7.0]


def test_primary_rate_limit_waits_until_reset(server: HTTPServer) -> None:
    now = 1_700_000_000.0
    server.expect_oneshot_request(REVIEWS).respond_with_json(
        {"message": "API rate limit exceeded"},
        status=403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(now) + 5)},
    )
    server.expect_request(REVIEWS).respond_with_json([])
    sleeps = Sleeps()

    assert client(server, sleeps, clock=lambda: now).list_reviews("octo-org/octo-repo", 7) == []
    assert sleeps == [5.0]


def test_rate_limit_longer_than_the_cap_fails_at_once(server: HTTPServer) -> None:
    now = 1_700_000_000.0
    server.expect_request(REVIEWS).respond_with_json(
        {"message": "API rate limit exceeded"},
        status=429,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(now) + 3600)},
    )
    sleeps = Sleeps()

    with pytest.raises(VerifyError) as exc:
        client(server, sleeps, clock=lambda: now, max_wait=60).list_reviews("octo-org/octo-repo", 7)

    assert_verify_error(exc, "3600 s")
    assert sleeps == []
    assert len(server.log) == 1


def test_plain_403_is_not_retried(server: HTTPServer) -> None:
    server.expect_request(REVIEWS).respond_with_json(
        {"message": "Resource not accessible by integration"}, status=403
    )
    with pytest.raises(VerifyError) as exc:
        client(server, Sleeps()).list_reviews("octo-org/octo-repo", 7)
    assert_verify_error(exc, "403", "Resource not accessible")
    assert "pull-requests: read" in (exc.value.hint or "")
    assert len(server.log) == 1


def test_401_says_token_invalid(server: HTTPServer) -> None:
    server.expect_request(REVIEWS).respond_with_json({"message": "Bad credentials"}, status=401)
    with pytest.raises(VerifyError) as exc:
        client(server, Sleeps()).list_reviews("octo-org/octo-repo", 7)
    assert_verify_error(exc, "token invalid", "Bad credentials")
    assert "GITHUB_TOKEN" in (exc.value.hint or "")


def test_response_that_is_not_json_cannot_be_verified(server: HTTPServer) -> None:
    server.expect_request(REVIEWS).respond_with_data("<html>login</html>", status=200)
    with pytest.raises(VerifyError) as exc:
        client(server, Sleeps()).list_reviews("octo-org/octo-repo", 7)
    assert_verify_error(exc, "not JSON")


TEAM_MEMBERS = "/orgs/octo-org/teams/ops-team/members"


@pytest.mark.parametrize(("members", "expected"), [(["bob", "Alice"], True), (["bob"], False)])
def test_team_membership_reads_the_member_list(
    server: HTTPServer, members: list[str], expected: bool
) -> None:
    # The list holds active members only; a pending invitation is not on it.
    server.expect_request(TEAM_MEMBERS).respond_with_json(
        [{"login": m, "type": "User"} for m in members]
    )
    api = client(server, Sleeps())
    assert api.team_membership("octo-org", "ops-team", "alice") is expected
    assert api.team_membership("octo-org", "ops-team", "bob") is True
    assert len(server.log) == 1  # one read per team, however many logins are asked


@pytest.mark.parametrize("status", [403, 404])
def test_team_membership_403_404_cannot_verify(server: HTTPServer, status: int) -> None:
    server.expect_request(TEAM_MEMBERS).respond_with_json({"message": "Not Found"}, status=status)
    sleeps = Sleeps()
    with pytest.raises(VerifyError) as exc:
        client(server, sleeps).team_membership("octo-org", "ops-team", "alice")
    assert_verify_error(exc, "cannot verify", "octo-org/ops-team", str(status))
    assert "read:org" in (exc.value.hint or "")
    assert sleeps == []


def test_redirect_to_another_origin_drops_the_token(server: HTTPServer) -> None:
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        other.expect_request("/moved").respond_with_json({"number": 7})
        server.expect_request("/repos/octo-org/octo-repo/pulls/7").respond_with_data(
            "", status=301, headers={"Location": other.url_for("/moved")}
        )
        pull = client(server, Sleeps()).get_pull("octo-org/octo-repo", 7)
        assert pull == {"number": 7}
        assert "Authorization" not in other.log[0][0].headers
    finally:
        other.stop()


def test_unreachable_api_is_retried_then_exit_3() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps = Sleeps()
    gh = GitHubClient(TOKEN, f"http://127.0.0.1:{port}", sleep=sleeps, attempts=2, timeout=2)
    with pytest.raises(VerifyError) as exc:
        gh.get_pull("octo-org/octo-repo", 7)
    assert_verify_error(exc, "network error")
    assert sleeps == [1.0]


def test_missing_token_and_bad_repo_name_are_explained() -> None:
    with pytest.raises(VerifyError) as exc:
        GitHubClient("", None)
    assert "GITHUB_TOKEN" in (exc.value.hint or "")
    with pytest.raises(ConfigError) as bad:
        GitHubClient(TOKEN, "http://127.0.0.1:9").get_pull("not a repo", 1)
    assert "OWNER/NAME" in (bad.value.hint or "")


def test_secondary_rate_limit_without_headers_waits_a_minute(server: HTTPServer) -> None:
    server.expect_oneshot_request(REVIEWS).respond_with_json(
        {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
        status=403,
    )
    server.expect_request(REVIEWS).respond_with_json([review(1)])
    sleeps = Sleeps()

    assert len(client(server, sleeps).list_reviews("octo-org/octo-repo", 7)) == 1
    assert sleeps == [60.0]
