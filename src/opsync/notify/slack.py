"""Slack incoming webhooks: `{"text": ...}` in Slack's mrkdwn.

Documented (api.slack.com, incoming webhooks): HTTP 200 with the body `ok` on success;
a message's text is truncated past 40,000 characters; about one message a second.
"""

from __future__ import annotations

from opsync.notify.base import Platform, Request
from opsync.notify.http import Answer
from opsync.notify.text import SLACK

LIMIT = 36_000  # bytes, so at most 36,000 characters: under Slack's 40,000


def build(url: str, secret: str, title: str, text: str, now: float) -> Request:
    return Request(url, {"text": f"*{title}*\n{text}", "mrkdwn": True})


def problem(answer: Answer) -> str | None:
    if answer.status == 200:
        return None
    return f"Slack answered HTTP {answer.status} {answer.text[:200]}".strip()


PLATFORM = Platform("slack", "Slack", LIMIT, SLACK, build, problem)
