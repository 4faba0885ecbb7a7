"""Demo steps of round 2, one function each, called in order from commands/demo.py."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
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


def pull_step(s: Session, number: int) -> None:
    """`opsync metrics pull` on the demo repo, then commit the values as the weekly PR would.

    Without the DuckDB extra the step is shown and skipped, not failed: the gate's own
    install carries no database engine.
    """
    s.say(t("demo.pull", s.lang, number=number))
    if importlib.util.find_spec("duckdb") is None:
        click.echo("$ opsync metrics pull")
        click.echo("  " + t("demo.pull_skipped", s.lang))
        return
    s.opsync("metrics", "pull", expect=0)
    s.shell("git", "add", "-A", "opsync/data")
    s.shell("git", "commit", "-q", "-m", "Pull metric values", author="carol")


def launch_step(s: Session, number: int, today: date | None = None) -> None:
    """Mark member-tiers launched in the week the example data steps up, then print
    `opsync events` and its impact card against its promise (up 5 % within 8 weeks)."""
    from opsync.datapull.example import STEP_WEEKS_AGO
    from opsync.isoweek import current_week, week_start

    spec = "opsync/features/member-tiers.md"
    monday = week_start(current_week(today)) - timedelta(weeks=STEP_WEEKS_AGO)
    stamp = f"{(monday + timedelta(days=2)).isoformat()}T10:00:00+00:00"
    s.say(t("demo.launch", s.lang, number=number))
    for old in ("status: research", "status: design"):
        if old in (s.repo / spec).read_text(encoding="utf-8"):
            s.edit(spec, old, "status: launched")
    dated = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    s.shell("git", "commit", "-q", "-am", "Launch member-tiers", author="alice", env=dated)
    s.opsync("events", expect=0)
    s.say(t("demo.impact", s.lang))
    s.opsync("impact", "member-tiers", expect=0)


def dashboard_step(s: Session, number: int) -> None:
    """The shared dashboard, built into the demo repo (kept with --keep)."""
    s.say(t("demo.dashboard", s.lang, number=number))
    s.opsync("dashboard", "--out", "site", expect=0)
