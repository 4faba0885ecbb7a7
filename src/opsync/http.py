"""What the forge clients share over HTTP: a response, redirects that keep the token on
its own origin, and URL path segments. Each client keeps its own API's rules."""

from __future__ import annotations

import http.client
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import IO


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
