"""A small GitLab REST v4 client on urllib: the reads and the note writes the gate needs.

Every failure becomes a VerifyError (exit 3) that says what failed and what to do: the
gate must never mistake "could not ask GitLab" for "not approved" or "not a member".
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from opsync import __version__
from opsync.errors import ConfigError, VerifyError
from opsync.http import MAX_BODY, Response, SameOriginRedirects, api_message, decode, origin

USER_AGENT = f"opsync/{__version__} (+https://github.com/opsync)"
MAX_PAGES = 200  # 20,000 items at per_page=100
TOKEN_HINT = (
    "set OPSYNC_GITLAB_TOKEN to a project access token (role Reporter, scope `read_api`; "
    "`api` to write the merge request note) as a masked CI/CD variable — "
    "CI_JOB_TOKEN cannot read merge requests on most GitLab versions (docs/gitlab.md)"
)
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass(frozen=True)
class Token:
    """A secret and the header it travels in (`PRIVATE-TOKEN` or `JOB-TOKEN`)."""

    header: str
    value: str = ""

    def __repr__(self) -> str:  # never print the secret, even in a traceback
        return f"Token({self.header}, ***)"


def token_from_env(env: Mapping[str, str]) -> Token | None:
    """OPSYNC_GITLAB_TOKEN, then GITLAB_TOKEN (project/group/personal tokens), then the
    job's own CI_JOB_TOKEN."""
    for name in ("OPSYNC_GITLAB_TOKEN", "GITLAB_TOKEN"):
        if env.get(name):
            return Token("PRIVATE-TOKEN", env[name])
    if env.get("CI_JOB_TOKEN"):
        return Token("JOB-TOKEN", env["CI_JOB_TOKEN"])
    return None


class GitLabClient:
    """GET/POST/PUT against `CI_API_V4_URL`. Retries 5xx, 429 and network errors with
    backoff (`sleep` is injectable for tests); 401/403/404 fail at once."""

    def __init__(
        self,
        token: Token | None,
        api_url: str | None,
        *,
        timeout: float = 10.0,
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if token is None or not token.value:
            raise VerifyError("no GitLab token: cannot read merge request approvals", TOKEN_HINT)
        base = (api_url or "").rstrip("/")
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise ConfigError(
                f"GitLab API URL {base!r} is not an http(s) URL",
                "run in GitLab CI (it sets CI_API_V4_URL) or set CI_API_V4_URL to "
                "e.g. https://gitlab.example.com/api/v4",
            )
        self._base = base
        self._origin = origin(base)
        self._token = token
        self._timeout = timeout
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._sleep = sleep
        self._opener = urllib.request.build_opener(
            SameOriginRedirects(self._origin, token.header, token.value)
        )

    @property
    def job_token(self) -> bool:
        return self._token.header == "JOB-TOKEN"

    # --- verbs ----------------------------------------------------------------------

    def get(self, path: str) -> Any:
        return _decode(self._request("GET", self._base + path, f"GET {path}"), f"GET {path}")

    def get_object(self, path: str) -> dict[str, Any]:
        data = self.get(path)
        if not isinstance(data, dict):
            raise shape_error(f"GET {path}")
        return data

    def get_pages(self, path: str) -> list[dict[str, Any]]:
        """Every item of a list endpoint: `X-Next-Page` first (GitLab's offset
        pagination), then a `Link: rel="next"` (keyset pagination)."""
        sep = "&" if "?" in path else "?"
        url: str | None = f"{self._base}{path}{sep}per_page=100"
        seen: set[str] = set()
        items: list[dict[str, Any]] = []
        while url is not None:
            if url in seen or len(seen) >= MAX_PAGES:
                raise VerifyError(
                    f"GET {path}: pagination did not end after {len(seen)} pages",
                    "check CI_API_V4_URL points at a GitLab API; then re-run the job",
                )
            seen.add(url)
            resp = self._request("GET", url, f"GET {path}")
            page = _decode(resp, f"GET {path}")
            if not isinstance(page, list) or not all(isinstance(i, dict) for i in page):
                raise shape_error(f"GET {path}")
            items.extend(page)
            url = self._next_page(resp, url, path)
        return items

    def post(self, path: str, data: Mapping[str, Any]) -> dict[str, Any]:
        return self._send_json("POST", path, data)

    def put(self, path: str, data: Mapping[str, Any]) -> dict[str, Any]:
        return self._send_json("PUT", path, data)

    # --- plumbing -------------------------------------------------------------------

    def _send_json(self, method: str, path: str, data: Mapping[str, Any]) -> dict[str, Any]:
        what = f"{method} {path}"
        body = json.dumps(data).encode()
        out = _decode(self._request(method, self._base + path, what, body), what)
        if not isinstance(out, dict):
            raise shape_error(what)
        return out

    def _next_page(self, resp: Response, url: str, path: str) -> str | None:
        page = (resp.headers.get("x-next-page") or "").strip()
        if page:
            if not page.isdigit():
                raise shape_error(f"GET {path} (X-Next-Page {page[:20]!r})")
            parts = urllib.parse.urlsplit(url)
            query = dict(urllib.parse.parse_qsl(parts.query))
            query["page"] = page
            return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
        match = _LINK_NEXT.search(resp.headers.get("link", "") or "")
        if match is None:
            return None
        nxt = match.group(1)
        if origin(nxt) != self._origin:
            raise VerifyError(  # the token must never follow a link to another host
                f"GET {path}: the next page points to another host ({origin(nxt)})",
                "check CI_API_V4_URL; opsync only talks to the configured API host",
            )
        return nxt

    def _request(self, method: str, url: str, what: str, body: bytes | None = None) -> Response:
        last = ""
        for attempt in range(self._attempts):
            try:
                resp = self._send(method, url, body)
            except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
                last = f"network error: {getattr(exc, 'reason', exc)}"
            else:
                if resp.status < 300:
                    return resp
                if resp.status != 429 and resp.status < 500:
                    raise http_error(resp.status, _api_message(resp), what, self.job_token)
                last = f"HTTP {resp.status}{_api_message(resp)}"
            if attempt + 1 < self._attempts:
                self._sleep(self._backoff * 2.0**attempt)
        raise VerifyError(
            f"{what}: GitLab did not answer after {self._attempts} attempts ({last})",
            "check the GitLab instance's status and CI_API_V4_URL, then re-run the job",
        )

    def _send(self, method: str, url: str, body: bytes | None) -> Response:
        req = urllib.request.Request(url, data=body, method=method)
        req.add_header("Accept", "application/json")
        req.add_header("User-Agent", USER_AGENT)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        req.add_unredirected_header(self._token.header, self._token.value)
        try:
            with self._opener.open(req, timeout=self._timeout) as raw:
                return Response(raw.status, raw.headers, raw.read(MAX_BODY + 1))
        except urllib.error.HTTPError as err:
            with err:
                data = err.read(MAX_BODY + 1)
            return Response(err.code, err.headers, data)


def _decode(resp: Response, what: str) -> Any:
    return decode(
        resp, what, "GitLab", "check CI_API_V4_URL points at the REST API (https://HOST/api/v4)"
    )


def _api_message(resp: Response) -> str:
    return api_message(resp, ("message", "error"))


def http_error(status: int, detail: str, what: str, job_token: bool) -> VerifyError:
    if status == 401:
        return VerifyError(
            f"{what}: GitLab rejected the token (401{detail}): invalid, expired or revoked",
            TOKEN_HINT,
        )
    if status in (403, 404):
        hint = (
            "the job token (CI_JOB_TOKEN) may not read this endpoint: " + TOKEN_HINT
            if job_token
            else "check CI_PROJECT_ID and the merge request, and give the token at least "
            "the Reporter role and the `read_api` scope (`api` to write the note)"
        )
        return VerifyError(
            f"{what}: GitLab answered {status}{detail}: not found, or the token may not see it",
            hint,
        )
    return VerifyError(
        f"{what}: GitLab answered {status}{detail}",
        "check CI_API_V4_URL and the token's scopes, then re-run the job",
    )


def shape_error(what: str) -> VerifyError:
    return VerifyError(
        f"{what}: GitLab's answer does not have the expected shape",
        "check CI_API_V4_URL points at a GitLab REST API (v4), then re-run the job",
    )
