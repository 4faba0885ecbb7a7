"""Feishu and Lark custom bots: an interactive card whose body is one Markdown element.

Documented (open.feishu.cn, "自定义机器人使用指南"): POST JSON to the webhook; with
signature verification on, `timestamp` (seconds) and `sign` go in the body, where sign is
base64(HMAC-SHA256 keyed with "{timestamp}\\n{secret}" over an empty message); the body
must stay under 20 KB; 100 messages a minute, 5 a second per bot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from opsync.notify.base import Platform, Request
from opsync.notify.http import Answer
from opsync.notify.text import MARKDOWN

LIMIT = 18_000  # of the 20 KB body, leaving room for the card around the text


def sign(timestamp: int, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def build(url: str, secret: str, title: str, text: str, now: float) -> Request:
    body: dict[str, Any] = {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": title}},
            "elements": [{"tag": "markdown", "content": text}],
        },
    }
    if secret:
        timestamp = int(now)
        body = {"timestamp": str(timestamp), "sign": sign(timestamp, secret), **body}
    return Request(url, body)


def _problem(label: str) -> Callable[[Answer], str | None]:
    def problem(answer: Answer) -> str | None:
        data = answer.json()
        code = data.get("code", data.get("StatusCode"))  # older answers: StatusCode
        if answer.status == 200 and code == 0:
            return None
        message = data.get("msg") or data.get("StatusMessage") or answer.text[:200]
        return f"{label} answered HTTP {answer.status}, code {code}: {message}"

    return problem


FEISHU = Platform("feishu", "Feishu", LIMIT, MARKDOWN, build, _problem("Feishu"))
LARK = Platform("lark", "Lark", LIMIT, MARKDOWN, build, _problem("Lark"))
