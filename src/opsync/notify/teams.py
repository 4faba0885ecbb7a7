"""Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received").

Workflows accept Adaptive Cards only: `{"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "content": <AdaptiveCard>}]}`. A posted
message is limited to about 28 KB; the flow answers 202 Accepted.
"""

from __future__ import annotations

from opsync.notify.base import Platform, Request
from opsync.notify.http import Answer
from opsync.notify.text import MARKDOWN

LIMIT = 20_000  # bytes of text, under the ~28 KB message limit with the card around it


def build(url: str, secret: str, title: str, text: str, now: float) -> Request:
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium",
             "wrap": True},
            {"type": "TextBlock", "text": text, "wrap": True},
        ],
    }  # fmt: skip
    attachment = {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": None,
        "content": card,
    }
    return Request(url, {"type": "message", "attachments": [attachment]})


def problem(answer: Answer) -> str | None:
    if 200 <= answer.status < 300:
        return None
    return f"Teams answered HTTP {answer.status} {answer.text[:200]}".strip()


PLATFORM = Platform("teams", "Teams", LIMIT, MARKDOWN, build, problem)
