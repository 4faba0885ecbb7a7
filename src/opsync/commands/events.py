"""`opsync events`: launches (from Git history) and campaigns (from week docs)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import click

from opsync.commands.options import finish, workspace_option
from opsync.errors import ExitCode
from opsync.impact.events import Event

CSV_COLUMNS = ("kind", "feature", "date", "week", "metric", "title", "commit", "action", "owner")


@dataclass(frozen=True)
class EventsOptions:
    root: Path | None
    ref: str = "HEAD"
    fmt: str = "text"


def render_text(events: list[Event]) -> str:
    if not events:
        return "no launches or campaigns yet\n"
    lines = []
    for e in events:
        if e.kind == "launch":
            when = e.date.isoformat() if e.date else "date unknown"
            extra = f" ({e.note})" if e.note else f" @ {e.commit[:7]}"
            lines.append(f"{when:<12} launch    {e.feature}  metric={e.metric or '-'}{extra}")
        else:
            lines.append(
                f"{e.week:<12} campaign  {e.feature}  metric={e.metric or '-'}  "
                f"{e.action}" + (f" ({e.owner})" if e.owner else "")
            )
    return "\n".join(lines) + "\n"


def render_csv(events: list[Event]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in events:
        row = e.to_dict()
        writer.writerow([_cell(row.get(c)) for c in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell opened in a spreadsheet must not run as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def run(options: EventsOptions) -> ExitCode:
    from opsync.impact.events import all_events, launch_history
    from opsync.workspace.root import find_root
    from opsync.workspace.root import open_workspace as load_workspace

    root = find_root(options.root)
    ws = load_workspace(root)
    history = launch_history(root, ws.policy.paths.features, options.ref)
    events = all_events(ws, history)
    if history.note:
        click.echo(f"opsync: launch dates unknown: {history.note}", err=True)
    if options.fmt == "json":
        click.echo(json.dumps([e.to_dict() for e in events], indent=2, ensure_ascii=False))
    elif options.fmt == "csv":
        click.echo(render_csv(events), nl=False)
    else:
        click.echo(render_text(events), nl=False)
    return ExitCode.OK


@click.command(
    "events",
    epilog="""\b
Examples:
  opsync events                     launches and campaigns, oldest first
  opsync events --format csv > events.csv
  opsync events --ref main --format json
""",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
    show_default=True, help="Output format.",
)  # fmt: skip
@click.option(
    "--ref", default="HEAD", show_default=True, help="The branch whose history dates launches."
)
@workspace_option()
def command(fmt: str, ref: str, root: Path | None) -> None:
    """List launches and campaigns: the events the charts and `opsync impact` use.

    A launch is the first commit on the first-parent history of the branch at which a
    feature's status became `launched` (a reverted launch does not count). A campaign
    is an ops_support row of a week doc, spanning that ISO week. When the history is
    shallow or missing, a launch's date is unknown and said so.
    """
    finish(run(EventsOptions(root, ref, fmt)))
