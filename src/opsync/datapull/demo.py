"""The demo's metrics step (DESIGN §11): values pulled from the example's generated data."""

from __future__ import annotations

import importlib.util
from typing import Any

import click


def play_pull(session: Any) -> None:
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
