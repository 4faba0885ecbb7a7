"""`opsync impact [FEATURE]...`: each launch's metric before and after, against its promise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from opsync.commands.options import finish, workspace_option
from opsync.errors import ConfigError, ExitCode


@dataclass(frozen=True)
class ImpactOptions:
    root: Path | None
    features: tuple[str, ...] = ()
    grain: str = "week"
    window: int = 4
    fmt: str = "text"
    ref: str = "HEAD"
    today: date | None = None


def run(options: ImpactOptions) -> ExitCode:
    from opsync.impact.analysis import Inputs, impact, metric_series
    from opsync.impact.events import all_events, launch_history
    from opsync.impact.render import render_json, render_markdown, render_text
    from opsync.workspace.root import find_root
    from opsync.workspace.root import open_workspace as load_workspace

    root = find_root(options.root)
    ws = load_workspace(root)
    missing = [f for f in options.features if not ws.feature_exists(f)]
    if missing:
        raise ConfigError(
            f"no such feature: {', '.join(missing)}",
            f"feature specs live in {ws.policy.paths.features}/ (see `opsync status`)",
        )
    paths = (
        [ws.policy.paths.feature_path(f) for f in options.features]
        if options.features
        else list(ws.feature_paths())
    )
    features = [f for f in map(ws.feature_at, paths) if f is not None]
    if not options.features:  # all: the launched ones (the others have nothing to show)
        features = [f for f in features if f.status == "launched"]
    history = launch_history(root, ws.policy.paths.features, options.ref)
    inputs = Inputs(
        metric_series(ws, options.grain),
        history,
        all_events(ws, history),
        options.today or date.today(),
        options.grain,
        options.window,
    )
    impacts = [impact(f, inputs) for f in features]
    for finding in ws.problems()[:5]:
        click.echo(f"opsync: skipped {finding.path}: {finding.message}", err=True)
    if options.fmt == "json":
        click.echo(render_json(impacts), nl=False)
    elif options.fmt == "markdown":
        click.echo(render_markdown(impacts, ws.policy.lang), nl=False)
    else:
        click.echo(render_text(impacts, ws.policy.lang), nl=False)
    return ExitCode.OK


def _day(value: object) -> date | None:
    return value if isinstance(value, date) else None


@click.command(
    "impact",
    epilog="""\b
Examples:
  opsync impact                         every launched feature
  opsync impact member-tiers --window 6
  opsync impact --grain month --format markdown >> report.md
""",
)
@click.argument("features", nargs=-1)
@click.option("--grain", type=click.Choice(["week", "month"]), default="week", show_default=True)
@click.option(
    "--window", type=click.IntRange(1, 52), default=4, show_default=True,
    help="Periods compared on each side of the launch period.",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
    show_default=True, help="Output format.",
)  # fmt: skip
@click.option(
    "--ref", default="HEAD", show_default=True, help="The branch whose history dates launches."
)
@workspace_option()
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), hidden=True)
def command(
    features: tuple[str, ...],
    grain: str,
    window: int,
    fmt: str,
    ref: str,
    root: Path | None,
    today: object,
) -> None:
    """Compare each launched feature's metric over N periods before and after its launch.

    Shows the change, a 90% bootstrap interval (deterministic) and a verdict against the
    spec's `expected` promise: met, not-met, inconclusive, too-early, no-data or
    not-launched, with the other launches and campaigns inside the window. The
    comparison is directional, not causal. Exit 0 (a report), 2 for an unknown feature.
    """
    day = today.date() if hasattr(today, "date") else None
    finish(run(ImpactOptions(root, features, grain, window, fmt, ref, _day(day))))
