"""`opsync new feature ID` and `opsync new week`: one file from a template, never over one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import click

from opsync.commands.options import workspace_option
from opsync.errors import ConfigError, ExitCode

FEATURE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANG = click.Choice(["en", "zh"])


@dataclass(frozen=True)
class FeatureOptions:
    root: Path
    feature_id: str
    title: str | None = None
    product: str | None = None
    ops: str | None = None
    metric: str | None = None
    lang: str | None = None  # default: `lang` in opsync.yml
    week: str | None = None  # default: the current ISO week


@dataclass(frozen=True)
class WeekOptions:
    root: Path
    week: str | None = None
    lang: str | None = None  # default: `lang` in opsync.yml


@dataclass
class Workspace:
    """What `new` needs from opsync.yml; warnings go to stderr before writing."""

    root: Path
    features: str
    weeks: str
    metrics: str
    roles: dict[str, tuple[str, ...]]
    warnings: list[str] = field(default_factory=list)
    lang: str = "en"  # the team's language, from opsync.yml


def workspace(root: Path) -> Workspace:
    from opsync.workspace.root import policy_or_defaults
    from opsync.workspace.source import normalize

    loaded = policy_or_defaults(root)
    policy, warnings = loaded.policy, [loaded.warning] if loaded.warning else []
    folders = {}
    for name in ("features", "weeks", "metrics"):
        value = getattr(policy.paths, name)
        clean = normalize(value) if isinstance(value, str) else None
        if clean is None:
            raise ConfigError(
                f"opsync.yml: paths.{name} '{value}' is not a path inside the repository",
                "use a relative path without `..`, e.g. opsync/features",
            )
        folders[name] = clean
    lang = policy.lang if policy.lang in ("en", "zh") else "en"
    return Workspace(root, roles=dict(policy.roles), warnings=warnings, lang=lang, **folders)


def check_feature_id(feature_id: str) -> None:
    if not FEATURE_ID.match(feature_id) or len(feature_id) > 100:
        raise ConfigError(
            f"'{feature_id}' is not a valid feature id",
            "use at most 100 lowercase letters, digits and dashes, starting with a letter"
            " or digit (e.g. member-tiers)",
        )


def check_week(week: str) -> str:
    from opsync.isoweek import parse_week

    try:
        parse_week(week)
    except ValueError as exc:
        raise ConfigError(f"--week: {exc}", "pass an existing ISO week, e.g. 2026-W48") from None
    return week.strip()


def _create(ws: Workspace, rel: str, text: str, what: str) -> ExitCode:
    from opsync.fsutil import symlinked_folder, write_new

    for warning in ws.warnings:
        click.echo(f"opsync: warning: {warning}", err=True)
    link = symlinked_folder(ws.root, rel)
    if link:
        raise ConfigError(
            f"cannot write {rel}: {link} is a symlink",
            "make it a real folder, or set another folder under `paths:` in opsync.yml",
        )
    try:
        created = write_new(ws.root / rel, text)
    except OSError as exc:
        raise ConfigError(
            f"cannot write {rel}: {exc.strerror or exc}", "check the folder's permissions"
        ) from None
    if not created:
        raise ConfigError(f"{rel} exists", f"edit it or choose another {what}")
    click.echo(f"created {rel}", err=True)
    click.echo(rel)  # stdout: the path, for `$EDITOR "$(opsync new ...)"`
    return ExitCode.OK


def new_feature(options: FeatureOptions) -> ExitCode:
    from opsync.isoweek import current_week
    from opsync.scaffold import render_feature_doc

    check_feature_id(options.feature_id)
    week = check_week(options.week) if options.week else current_week()
    ws = workspace(options.root)
    for role, login in (("product", options.product), ("ops", options.ops)):
        if (
            login
            and ws.roles
            and login.casefold() not in {m.casefold() for m in ws.roles.get(role, ())}
        ):
            ws.warnings.append(f"'{login}' is not in roles.{role} of opsync.yml")
    title = options.title or options.feature_id.replace("-", " ").capitalize()
    lang = options.lang or ws.lang
    text = render_feature_doc(
        options.feature_id,
        lang,
        {
            "title": " ".join(title.split()),  # one line: it is also the H1
            "owners": {"product": options.product or "", "ops": options.ops or ""},
            "week": week,
            "metric": options.metric or "",
        },
    )
    rel = f"{ws.features}/{options.feature_id}.md"
    code = _create(ws, rel, text, "id")
    if not (ws.root / ws.weeks / f"{week}.md").exists():
        from opsync.i18n import t

        click.echo(t("new.week_missing", lang, path=f"{ws.weeks}/{week}.md"), err=True)
    return code


def new_week(options: WeekOptions) -> ExitCode:
    from opsync.isoweek import current_week
    from opsync.scaffold import north_star, read_text, render_week_doc

    week = check_week(options.week) if options.week else current_week()
    ws = workspace(options.root)
    goal = {"metric": north_star(read_text(ws.root / ws.metrics))}
    text = render_week_doc(week, options.lang or ws.lang, {"goal": goal})
    return _create(ws, f"{ws.weeks}/{week}.md", text, "week")


def find_root(repo: Path | None) -> Path:
    """The folder holding opsync.yml (as `validate` finds it), else the git repo root."""
    from opsync.workspace.root import find_root as find_workspace

    return find_workspace(repo, required=False)


@click.group(
    name="new",
    epilog="""\b
Examples:
  opsync new feature signup-revamp --ops carol --metric first-order-conversion
  opsync new week --week 2026-W48
""",
)
def command() -> None:
    """Create a feature spec or a week doc from a template (never overwrites)."""


@command.command(
    name="feature",
    epilog="""\b
Example:
  opsync new feature signup-revamp --title "Sign-up revamp" --product alice --ops carol
""",
)
@click.argument("feature_id", metavar="ID")
@click.option("--title", help="Title (default: from the id).")
@click.option("--product", metavar="LOGIN", help="Product owner's login.")
@click.option("--ops", metavar="LOGIN", help="Ops owner's login (from day one).")
@click.option("--metric", metavar="ID", help="The aligned metric this feature moves.")
@click.option("--lang", type=LANG, help="Template language (default: `lang` in opsync.yml).")
@workspace_option()
def feature(
    feature_id: str,
    title: str | None,
    product: str | None,
    ops: str | None,
    metric: str | None,
    lang: str | None,
    root: Path | None,
) -> int:
    """Write opsync/features/ID.md for this week."""
    options = FeatureOptions(find_root(root), feature_id, title, product, ops, metric, lang)
    return int(new_feature(options))


@command.command(
    name="week",
    epilog="""\b
Examples:
  opsync new week                  this ISO week
  opsync new week --week 2026-W49  a given week
""",
)
@click.option("--week", metavar="YYYY-Www", help="ISO week (default: the current one).")
@click.option("--lang", type=LANG, help="Template language (default: `lang` in opsync.yml).")
@workspace_option()
def week(week: str | None, lang: str | None, root: Path | None) -> int:
    """Write opsync/weeks/WEEK.md, the weekly alignment doc."""
    return int(new_week(WeekOptions(find_root(root), week, lang)))
