"""Demo steps of round 2, one function each, called in order from commands/demo.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from opsync.i18n import t

if TYPE_CHECKING:
    from opsync.commands.demo_session import Session

CHANNEL = """
notify:
  - {name: team, url_env: OPSYNC_NOTIFY_URL, secret_env: OPSYNC_NOTIFY_SECRET, kind: feishu}
"""


def notify_step(s: Session, number: int) -> None:
    """Add a Feishu channel to opsync.yml and preview the digest; nothing is posted."""
    s.say(t("demo.notify", s.lang, number=number))
    with (s.repo / "opsync.yml").open("a", encoding="utf-8") as handle:
        handle.write(CHANNEL)
    s.opsync("week", "notify", "--dry-run", expect=0)
