"""What the forge clients share over HTTP: a response, redirects that keep the token on
its own origin, and URL path segments. Each client keeps its own API's rules."""

from __future__ import annotations

import http.client
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import IO, Any

from opsync.errors import VerifyError

MAX_BODY = 20 * 1024 * 1024  # API answers are kilobytes; refuse runaway responses


@dataclass(frozen=True)
class Response:
    status: int
    headers: Message
    body: bytes


class SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects (a renamed repository answers 301), but carry the credential
    header only to the API's own origin: a redirect elsewhere never sees the token."""

    def __init__(self, api_origin: str, header: str, value: str) -> None:
        self._origin = api_origin
        self._header = header
        self._value = value

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and origin(newurl) == self._origin:
            new.add_unredirected_header(self._header, self._value)
        return new


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def segment(value: str | int) -> str:
    """One URL path segment: `acme/ops` (a GitLab group path) is encoded whole."""
    return urllib.parse.quote(str(value), safe="")


def decode(resp: Response, what: str, forge: str, hint: str) -> Any:
    """The JSON of an API answer; too large, too deeply nested or not JSON is exit 3."""
    from opsync.jsonload import TooDeep, loads

    if len(resp.body) > MAX_BODY:
        raise VerifyError(f"{what}: the response is larger than {MAX_BODY} bytes", None)
    try:
        return loads(resp.body)
    except TooDeep as exc:
        raise VerifyError(f"{what}: {forge}'s answer is {exc}", None) from None
    except ValueError:
        raise VerifyError(
            f"{what}: {forge} sent something that is not JSON (HTTP {resp.status})", hint
        ) from None


def api_message(resp: Response, keys: tuple[str, ...] = ("message",)) -> str:
    """The API's own message (the first of `keys` present), short, for context in errors."""
    from opsync.jsonload import loads

    try:
        data = loads(resp.body)
    except ValueError:
        return ""
    found = [data.get(k) for k in keys] if isinstance(data, dict) else []
    msg = next((m for m in found if m), None)
    return f": {str(msg)[:200]}" if msg else ""
