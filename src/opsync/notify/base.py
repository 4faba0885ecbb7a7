"""The one interface every platform module implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opsync.notify.http import Answer
from opsync.notify.text import Style


@dataclass(frozen=True)
class Request:
    url: str  # the webhook URL, with signing query parameters where the platform wants them
    body: dict[str, Any]


@dataclass(frozen=True)
class Platform:
    kind: str
    label: str  # as people name it, in messages
    limit: int  # most UTF-8 bytes of message text, safely under the documented limit
    style: Style
    # (webhook url, signing secret or "", title, text, unix time) -> the request
    build: Callable[[str, str, str, str, float], Request]
    # the platform's answer -> None when the message was accepted, else why not
    problem: Callable[[Answer], str | None]
    rate_limited: bool = False  # 20 messages a minute per bot (DingTalk, WeCom)
    # a library that sends by itself (Apprise): (url, title, text) -> None or why it failed
    deliver: Callable[[str, str, str], str | None] | None = None


def json_code_problem(answer: Answer, field: str, label: str) -> str | None:
    """Platforms that answer HTTP 200 with `{field: 0}` on success and a code otherwise."""
    data = answer.json()
    if answer.status == 200 and data.get(field) == 0:
        return None
    code = data.get(field, "")
    message = data.get("msg") or data.get("errmsg") or answer.text[:200]
    return f"{label} answered HTTP {answer.status} {code} {message}".replace("  ", " ").strip()
