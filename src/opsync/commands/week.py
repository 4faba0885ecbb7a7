"""`opsync week new` and `opsync week check`: the weekly alignment loop."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from opsync.commands.options import finish, make_console, output_options, workspace_option
from opsync.errors import ConfigError, ExitCode


@dataclass(frozen=True)
class NewOptions:
    root: Path | None
    week: str | None = None
    lang: str | None = None  # default: `lang` in opsync.yml
    today: date | None = None


@dataclass(frozen=True)
class CheckOptions:
    root: Path | None
    week: str | None = None
    today: date | None = None
    fmt: str = "text"
    color: str = "auto"
    quiet: int = 0
    verbose: int = 0


def _week(week: str | None, today: date | None) -> str:
    from opsync.isoweek import current_week, parse_week

    if week is None:
        return current_week(today)
    try:
        parse_week(week)
    except ValueError as exc:
        raise ConfigError(f"--week: {exc}", "pass an ISO week, e.g. 2026-W48") from None
    return week.strip()


def run_new(options: NewOptions) -> ExitCode:
    from opsync.fsutil import inside, write_new
    from opsync.weekly import draft
    from opsync.workspace.root import find_root, open_workspace

    root = find_root(options.root)
    ws = open_workspace(root)
    made = draft(ws, _week(options.week, options.today), options.lang or ws.policy.lang)
    try:
        target = inside(root, made.path)
        created = write_new(target, made.text)
    except OSError as exc:
        message = f"cannot write {made.path}: {exc.strerror or exc}"
        raise ConfigError(message, "check the folder's permissions") from None
    if not created:
        raise ConfigError(
            f"{made.path} exists; `week new` never overwrites",
            "edit that doc, or pass --week for another week",
        )
    click.echo(
        f"created {made.path}: {made.carried} action(s) carried over, "
        f"{made.features} feature(s) in flight",
        err=True,
    )
    click.echo(made.path)  # stdout: the path, for `$EDITOR "$(opsync week new)"`
    return ExitCode.OK


def run_check(options: CheckOptions) -> ExitCode:
    from opsync.weekly import check
    from opsync.workspace.root import find_root, open_workspace

    console = make_console(options.color, options.quiet, options.verbose)
    today = options.today or date.today()
    ws = open_workspace(find_root(options.root))
    result = check(ws, _week(options.week, today), today)
    if options.fmt == "json":
        console.report(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        console.report(result.message())
    return result.exit_code


ROOT = workspace_option()
WEEK = click.option("--week", metavar="YYYY-Www", help="ISO week (default: this week).")
TODAY = click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    hidden=True,
    help="Pretend today is this date (for tests and reproducible runs).",
)


def _day(value: object) -> date | None:
    return value.date() if hasattr(value, "date") else None


@click.group(
    name="week",
    epilog="""\b
Examples:
  opsync week new                  draft this week's alignment doc, pre-filled
  opsync week check                in a scheduled job: fail when it is missing or overdue
  opsync week notify --dry-run     preview the digest for the team chat
""",
)
def command() -> None:
    """The weekly alignment loop: draft this week's doc, check it is done."""


@command.command(
    name="new",
    epilog="""\b
Examples:
  opsync week new                        this ISO week's doc
  opsync week new --week 2026-W49 --lang zh
  $EDITOR "$(opsync week new)"           draft it and open it
""",
)
@WEEK
@click.option(
    "--lang", type=click.Choice(["en", "zh"]), help="Doc language (default: `lang` in opsync.yml)."
)
@ROOT
@TODAY
def new(week: str | None, lang: str | None, root: Path | None, today: object) -> None:
    """Draft this ISO week's alignment doc (never overwrites).

    Pre-filled with last week's unfinished product actions and their ops support, the
    features in flight and the key metrics' latest values. Prints the new file's path.
    """
    finish(run_new(NewOptions(root, week, lang, _day(today))))


@command.command(
    name="check",
    epilog="""\b
Examples:
  opsync week check                      this week's doc, for a scheduled job
  opsync week check --week 2026-W48 --format json

\b
Exit codes: 0 the doc is complete, or incomplete but not yet due;
1 the doc is missing, or incomplete from policy `week: {due_weekday: N}` on
(ISO weekday, 1 = Monday; default 3 = Wednesday); 2 configuration error.
""",
)
@WEEK
@ROOT
@TODAY
@output_options(("text", "json"))
def check(
    week: str | None,
    root: Path | None,
    today: object,
    fmt: str,
    color: str,
    quiet: int,
    verbose: int,
) -> None:
    """Fail when this week's doc is missing, or incomplete once due.

    Incomplete: no goal statement or metric, no product actions, or a week-doc rule
    error such as a product action without ops support."""
    finish(run_check(CheckOptions(root, week, _day(today), fmt, color, quiet, verbose)))


@command.command(
    name="notify",
    epilog="""\b
Examples:
  opsync week notify --dry-run           print the message each channel would get
  opsync week notify                     post this week's digest to every channel
  opsync week notify --channel team      only the channel named `team`
  opsync week notify --if-incomplete     a reminder, only when the doc is missing or incomplete

\b
Channels are `notify:` in opsync.yml; webhook URLs and secrets come from the
environment variables they name and are never printed (docs/notify.md).
Exit codes: 0 sent (or nothing to remind); 2 configuration error (no channels,
a variable unset); 3 a post failed — after every other channel was sent.
""",
)
@click.option("--dry-run", is_flag=True, help="Print each channel's message; send nothing.")
@click.option("--channel", metavar="NAME", help="Only this channel (default: all).")
@click.option(
    "--if-incomplete",
    is_flag=True,
    help="Send only when this week's doc is missing or incomplete (a reminder).",
)
@WEEK
@ROOT
@TODAY
def notify(
    dry_run: bool,
    channel: str | None,
    if_incomplete: bool,
    week: str | None,
    root: Path | None,
    today: object,
) -> None:
    """Post this week's digest to the team chat: goal, actions, metrics, blockers.

    One message per channel: this week's goal, product actions and ops support (or that
    the doc is missing), key metrics with their last change, features in flight and what
    blocks each, outcomes due and the dashboard link — in the team's language (`lang`).
    """
    from opsync.notify.run import NotifyOptions, run
    from opsync.workspace.root import find_root

    day = _day(today) or date.today()
    options = NotifyOptions(find_root(root), _week(week, day), day, dry_run, channel, if_incomplete)
    finish(run(options))
