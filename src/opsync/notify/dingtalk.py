"""DingTalk custom robots: a Markdown message.

Documented (open.dingtalk.com, custom robot access): POST JSON
`{"msgtype": "markdown", "markdown": {"title", "text"}}`; with 加签 on, `timestamp`
(milliseconds) and `sign` are query parameters, sign = urlencode(base64(HMAC-SHA256 keyed
with the secret over "{timestamp}\\n{secret}")); 20 messages a minute per robot (more
throttles it for 10 minutes). No firm byte limit is published for Markdown: opsync stays
well under the 20,000 bytes often quoted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

from opsync.notify.base import Platform, Request, json_code_problem
from opsync.notify.http import Answer
from opsync.notify.text import MARKDOWN

LIMIT = 18_000
TOO_FAST = 130101  # "send too fast": the 20-a-minute limit


def sign(timestamp_ms: int, secret: str) -> str:
    """The `sign` query value, already URL-encoded as DingTalk documents it."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))


def build(url: str, secret: str, title: str, text: str, now: float) -> Request:
    if secret:
        timestamp = int(now * 1000)
        joiner = "&" if "?" in url else "?"
        url = f"{url}{joiner}timestamp={timestamp}&sign={sign(timestamp, secret)}"
    body = {"msgtype": "markdown", "markdown": {"title": title, "text": f"### {title}\n\n{text}"}}
    return Request(url, body)


def problem(answer: Answer) -> str | None:
    if answer.json().get("errcode") == TOO_FAST:
        return (
            "DingTalk refused: more than 20 messages a minute to this robot "
            "(it is throttled for 10 minutes); run again later"
        )
    return json_code_problem(answer, "errcode", "DingTalk")


DINGTALK = Platform("dingtalk", "DingTalk", LIMIT, MARKDOWN, build, problem, rate_limited=True)
