"""A small GitHub REST client on urllib: the three reads the gate needs, done carefully.

Every failure becomes a VerifyError (exit 3) that says what failed and what to do: the
gate must never mistake "could not ask GitHub" for "no approval" or "not a member".
The token is sent only to the configured API origin and never appears in a message.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from opsync import __version__
from opsync.errors import ConfigError, VerifyError
from opsync.http import (
    MAX_BODY,
    Response,
    SameOriginRedirects,
    api_message,
    decode,
    origin,
    segment,
)

DEFAULT_API_URL = "https://api.github.com"
USER_AGENT = f"opsync/{__version__} (+https://github.com/opsync)"
MAX_PAGES = 200  # 20,000 items at per_page=100: far beyond any real review list

_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
# `[^<>]`, not `[^>]`: from each `<` the match stops at the next `<`, so a hostile Link
# header of 60,000 `<` is read in linear time, not quadratic.
_LINK_NEXT = re.compile(r'<([^<>]+)>\s*;\s*rel="?next"?')
_TOKEN_HINT = "set GITHUB_TOKEN (in a workflow: `GITHUB_TOKEN: ${{ github.token }}`)"


class GitHubClient:
    """Reads pull requests, reviews and team memberships.

    `sleep` and `clock` are injectable so tests exercise retries without waiting.
    Retries: 5xx, 429, network errors and secondary rate limits (403 with `retry-after`
    or `x-ratelimit-remaining: 0`), with exponential backoff; a server-requested wait is
    honoured up to `max_wait` seconds, and a longer one fails at once rather than
    burning CI minutes.
    """

    def __init__(
        self,
        token: str | None,
        api_url: str | None = None,
        *,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not token:
            raise VerifyError(
                "no GitHub token: cannot read reviews or team memberships", _TOKEN_HINT
            )
        base = (api_url or DEFAULT_API_URL).rstrip("/")
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise ConfigError(
                f"GitHub API URL {base!r} is not an http(s) URL",
                "set GITHUB_API_URL to e.g. https://api.github.com",
            )
        self._base = base
        self._origin = origin(base)
        self._timeout = timeout
        self._attempts = max(1, attempts)
        self._teams: dict[tuple[str, str], frozenset[str]] = {}  # team -> member logins
        self._backoff = backoff
        self._max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        auth = f"Bearer {token}"
        self._auth = auth
        self._opener = urllib.request.build_opener(
            SameOriginRedirects(self._origin, "Authorization", auth)
        )

    # --- public reads ---------------------------------------------------------------

    def get_pull(self, repo: str, number: int) -> dict[str, Any]:
        """GET /repos/{repo}/pulls/{number}."""
        owner, name = _split_repo(repo)
        data = self._get_json(f"/repos/{segment(owner)}/{segment(name)}/pulls/{int(number)}")
        if not isinstance(data, dict):
            raise _shape_error(f"pull request {repo}#{number}")
        return data

    def list_reviews(self, repo: str, number: int) -> list[dict[str, Any]]:
        """Every review of a pull request, all pages, oldest first (REST shape)."""
        owner, name = _split_repo(repo)
        path = f"/repos/{segment(owner)}/{segment(name)}/pulls/{int(number)}/reviews"
        return self._get_pages(path)

    def team_membership(self, org: str, team_slug: str, login: str) -> bool:
        """Is `login` an active member of the team (pending invitations are not)?

        Read as the team's member list rather than the per-user membership endpoint:
        GitHub answers 404 there both for "not a member" and for "this token may not see
        the team". A 200 on the list proves the token sees the team, so a login absent
        from it really is not a member; a 403/404 on the list is "cannot verify" (exit 3).
        """
        key = (org.casefold(), team_slug.casefold())
        if key not in self._teams:
            path = f"/orgs/{segment(org)}/teams/{segment(team_slug)}/members"
            what = f"members of team {org}/{team_slug}"
            try:
                members = self._get_pages(path)
            except VerifyError as exc:
                raise VerifyError(
                    f"cannot verify {what}: {exc.message}",
                    "give the token organization read access (a fine-grained token or GitHub "
                    "App with `members: read`, or a classic token with `read:org`) — the "
                    "default workflow GITHUB_TOKEN cannot read team membership — or list the "
                    "reviewers by login in opsync.yml instead of by team",
                ) from exc
            self._teams[key] = frozenset(
                str(m.get("login", "")).casefold() for m in members if isinstance(m, dict)
            )
        return login.casefold() in self._teams[key]

    # --- generic calls (the sticky comment uses these) -------------------------------

    def get_pages(self, path: str) -> list[dict[str, Any]]:
        """Every item of a paginated list under the API root, e.g. an issue's comments."""
        return self._get_pages(path)

    def send_json(self, method: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST or PATCH `payload` to `path`; the JSON object GitHub answers with.

        Not retried after a network error or a 5xx: the write may have happened, and a
        retry could post twice. Rate limits (the request was refused) are retried.
        """
        what = f"{method} {path}"
        data = json.dumps(payload).encode("utf-8")
        resp = self._request(self._base + path, what, method=method, data=data)
        answer = _decode(resp, what)
        if not isinstance(answer, dict):
            raise _shape_error(what)
        return answer

    # --- plumbing -------------------------------------------------------------------

    def _get_json(self, path: str) -> Any:
        return _decode(self._request(self._base + path, f"GET {path}"), f"GET {path}")

    def _get_pages(self, path: str) -> list[dict[str, Any]]:
        url: str | None = f"{self._base}{path}?per_page=100"
        seen: set[str] = set()
        items: list[dict[str, Any]] = []
        while url is not None:
            if url in seen or len(seen) >= MAX_PAGES:
                raise VerifyError(
                    f"GET {path}: pagination did not end after {len(seen)} pages",
                    "check GITHUB_API_URL points at a GitHub API; then re-run the job",
                )
            seen.add(url)
            resp = self._request(url, f"GET {path}")
            page = _decode(resp, f"GET {path}")
            if not isinstance(page, list) or not all(isinstance(i, dict) for i in page):
                raise _shape_error(f"GET {path}")
            items.extend(page)
            url = self._next_link(resp, path)
        return items

    def _next_link(self, resp: Response, path: str) -> str | None:
        match = _LINK_NEXT.search(resp.headers.get("link", "") or "")
        if match is None:
            return None
        url = match.group(1)
        if origin(url) != self._origin:
            # The token must never follow a link to another host.
            raise VerifyError(
                f"GET {path}: the next page points to another host ({origin(url)})",
                "check GITHUB_API_URL; opsync only talks to the configured API host",
            )
        return url

    def _request(
        self,
        url: str,
        what: str,
        allow: tuple[int, ...] = (),
        *,
        method: str = "GET",
        data: bytes | None = None,
    ) -> Response:
        last = ""
        safe = method == "GET"  # only reads may be repeated after an unknown outcome
        for attempt in range(self._attempts):
            try:
                resp = self._send(url, method, data)
            except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
                reason = getattr(exc, "reason", exc)
                last = f"network error: {reason}"
                if not safe:
                    raise VerifyError(f"{what}: {last}", "re-run the job") from None
                wait = self._backoff * 2.0**attempt
            else:
                if resp.status < 300 or resp.status in allow:
                    return resp
                wait_or_none = self._retry_wait(resp, attempt)
                rate_limited = resp.status in (403, 429) and wait_or_none is not None
                if wait_or_none is None or (not safe and not rate_limited):
                    raise _http_error(resp, what)
                last = f"HTTP {resp.status}{api_message(resp)}"
                wait = wait_or_none
            if wait > self._max_wait:
                raise VerifyError(
                    f"{what}: GitHub asks to wait {int(wait)} s ({last}), longer than "
                    f"opsync waits ({int(self._max_wait)} s)",
                    "re-run the job after the reset, or use a token with a higher "
                    "rate limit (a GitHub App token)",
                )
            if attempt + 1 < self._attempts:
                self._sleep(wait)
        raise VerifyError(
            f"{what}: GitHub did not answer after {self._attempts} attempts ({last})",
            "check https://www.githubstatus.com and GITHUB_API_URL, then re-run the job",
        )

    def _send(self, url: str, method: str = "GET", data: bytes | None = None) -> Response:
        req = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", USER_AGENT)
        req.add_unredirected_header("Authorization", self._auth)
        try:
            with self._opener.open(req, timeout=self._timeout) as raw:
                return Response(raw.status, raw.headers, raw.read(MAX_BODY + 1))
        except urllib.error.HTTPError as err:
            with err:
                body = err.read(MAX_BODY + 1)
            return Response(err.code, err.headers, body)

    def _retry_wait(self, resp: Response, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when retrying cannot help.

        Follows GitHub's guidance: `retry-after` if sent; else, with no requests left,
        until `x-ratelimit-reset`; else, for a secondary rate limit, at least a minute.
        """
        headers = resp.headers
        remaining = headers.get("x-ratelimit-remaining")
        retry_after = headers.get("retry-after")
        secondary = resp.status == 403 and "rate limit" in api_message(resp).lower()
        rate_limited = resp.status == 429 or (
            resp.status == 403 and (retry_after is not None or remaining == "0" or secondary)
        )
        if not rate_limited and resp.status < 500:
            return None
        if retry_after is not None and retry_after.strip().isdigit():
            return float(retry_after)
        reset = headers.get("x-ratelimit-reset")
        if remaining == "0" and reset is not None and reset.strip().isdigit():
            return max(float(reset) - self._clock(), 1.0)
        backoff = self._backoff * 2.0**attempt
        return max(backoff, 60.0) if rate_limited else backoff


def _split_repo(repo: str) -> tuple[str, str]:
    if not _REPO.fullmatch(repo):
        raise ConfigError(
            f"{repo!r} is not a GitHub repository name",
            "use the form OWNER/NAME, e.g. octo-org/octo-repo",
        )
    owner, name = repo.split("/")
    return owner, name


def _decode(resp: Response, what: str) -> Any:
    return decode(resp, what, "GitHub", _NOT_JSON_HINT)


_NOT_JSON_HINT = "check GITHUB_API_URL points at the REST API (for GHES: https://HOST/api/v3)"


def _http_error(resp: Response, what: str) -> VerifyError:
    status, detail = resp.status, api_message(resp)
    if status == 401:
        return VerifyError(
            f"{what}: GitHub rejected the token (401{detail}): token invalid or expired",
            _TOKEN_HINT,
        )
    if status in (403, 404):
        return VerifyError(
            f"{what}: GitHub answered {status}{detail}: not found, or the token may not see it",
            "check the repository and number, and give the job `permissions: "
            "pull-requests: read` (and `contents: read` for private repositories)",
        )
    return VerifyError(
        f"{what}: GitHub answered {status}{detail}",
        "check GITHUB_API_URL and the token's permissions, then re-run the job",
    )


def _shape_error(what: str) -> VerifyError:
    return VerifyError(
        f"{what}: GitHub's answer does not have the expected shape",
        "check GITHUB_API_URL points at the GitHub REST API, then re-run the job",
    )
