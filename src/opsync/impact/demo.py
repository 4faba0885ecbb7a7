"""The demo's impact step (DESIGN §11): launch the example feature, then score it."""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any


def launch_and_score(s: Any, today: date | None = None) -> None:
    """Mark member-tiers launched in the week the example data steps up (five weeks ago),
    then print `opsync impact` against its promise (up 5 % within 8 weeks)."""
    from opsync.isoweek import current_week, week_start

    spec = "opsync/features/member-tiers.md"
    monday = week_start(current_week(today)) - timedelta(weeks=5)
    stamp = f"{(monday + timedelta(days=2)).isoformat()}T10:00:00+00:00"
    s.say("8. The feature is launched (dated in the week the example's numbers step up)")
    for old in ("status: research", "status: design"):
        if old in (s.repo / spec).read_text(encoding="utf-8"):
            s.edit(spec, old, "status: launched")
    names = ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(dict.fromkeys(names, stamp))  # the shell step passes its env on
    try:
        s.shell("git", "commit", "-q", "-am", "Launch member-tiers", author="alice")
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    s.opsync("events", expect=0)
    s.say("   Its impact card: before and after the launch week, against the promise")
    s.opsync("impact", "member-tiers", expect=0)
