"""Demo steps of round 2, one function each, called in order from commands/demo.py."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

import click

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


def play_pull(session: Session) -> None:
    """`opsync metrics pull` on the demo repo, then commit the values as the weekly PR would.

    Without the DuckDB extra the step is shown and skipped, not failed: the gate's own
    install carries no database engine.
    """
    session.say("8. The metric values come from the team's own data (DuckDB, offline)")
    if importlib.util.find_spec("duckdb") is None:
        click.echo("$ opsync metrics pull")
        click.echo("  skipped: DuckDB is not installed; pip install 'opsync[duckdb]' to see it")
        return
    session.opsync("metrics", "pull", expect=0)
    session.shell("git", "add", "-A")
    session.shell("git", "commit", "-q", "-m", "Pull metric values", author="carol")
