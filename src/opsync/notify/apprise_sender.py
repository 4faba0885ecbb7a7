"""Any other service through an Apprise URL (`tgram://`, `mailto://`, `matrix://`, ...).

Apprise is a well-kept library that knows 100+ services and their limits; it is an
optional extra (`pip install 'opsync[notify]'`) imported only when a channel uses it.
"""

from __future__ import annotations

import logging

from opsync.notify.base import Platform, Request
from opsync.notify.http import Answer
from opsync.notify.text import MARKDOWN

LIMIT = 30_000  # Apprise splits or trims per service; this only bounds the digest


def deliver(url: str, title: str, text: str) -> str | None:
    try:
        import apprise  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return "kind apprise needs the Apprise library: pip install 'opsync[notify]'"
    # Apprise logs failures with parts of the URL; the URL is a secret here.
    logger = logging.getLogger("apprise")
    was_disabled, logger.disabled = logger.disabled, True
    try:
        sender = apprise.Apprise()
        if not sender.add(url):
            return "Apprise does not recognise this URL: check its scheme and format"
        sent = sender.notify(title=title, body=text, body_format=apprise.NotifyFormat.MARKDOWN)
    except Exception as exc:  # a plugin's own error; its text may quote the URL: scrubbed later
        return f"Apprise failed: {type(exc).__name__}: {exc}"
    finally:
        logger.disabled = was_disabled
    return None if sent else "Apprise could not deliver the message"


def _unused_build(url: str, secret: str, title: str, text: str, now: float) -> Request:
    return Request(url, {"title": title, "body": text})


def _unused_problem(answer: Answer) -> str | None:
    return None


PLATFORM = Platform(
    "apprise", "Apprise", LIMIT, MARKDOWN, _unused_build, _unused_problem, deliver=deliver
)
