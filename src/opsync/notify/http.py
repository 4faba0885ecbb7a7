"""One JSON POST with the standard library, with secrets kept out of every message."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

TIMEOUT = 15.0  # seconds; a chat webhook answers in well under one


@dataclass(frozen=True)
class Answer:
    status: int
    text: str

    def json(self) -> dict[str, Any]:
        from opsync.jsonload import loads

        try:
            data = loads(self.text)  # a chat platform's answer is data: depth-limited too
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


class PostError(Exception):
    """The request did not get an HTTP answer (DNS, refused, timeout, TLS)."""


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with every secret (webhook URL, its query, the signing secret) masked."""
    # Short parts (a path of "/") would mask ordinary text and hide nothing.
    for secret in sorted((s for s in secrets if len(s) >= 8), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def post_json(url: str, body: dict[str, Any], timeout: float = TIMEOUT) -> Answer:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "opsync"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, response.read(65_536).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        text = exc.read(65_536).decode("utf-8", "replace") if exc.fp else ""
        return Answer(exc.code, text)
    except urllib.error.URLError as exc:
        raise PostError(f"could not reach the webhook: {exc.reason}") from None
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        raise PostError(f"could not reach the webhook: {exc}") from None
    except ValueError:  # urllib's "unknown url type" quotes the URL: do not pass it on
        raise PostError("the webhook URL is malformed: copy it again from the platform") from None
