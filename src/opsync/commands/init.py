"""`opsync init`: scaffold a workspace. Never overwrites: existing files are skipped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from opsync.errors import ExitCode

CI_CHOICES = ("github", "gitlab")
GITLAB_TARGET = ".gitlab-ci.opsync.yml"


@dataclass(frozen=True)
class InitOptions:
    root: Path
    example: bool = False
    ci: str | None = None
    lang: str = "en"


@dataclass(frozen=True)
class Planned:
    path: str  # repo-relative, POSIX
    text: str


@dataclass(frozen=True)
class Outcome:
    path: str
    created: bool
    error: str | None = None


def plan(options: InitOptions, week: str, warn: list[str]) -> list[Planned]:
    """Every file init would write, rendered; nothing touches the disk yet."""
    from opsync import isoweek, scaffold
    from opsync.policy import POLICY_FILE
    from opsync.schema_check import KINDS

    loaded = scaffold.load_policy(options.root)
    if loaded.warning:
        warn.append(loaded.warning)
    paths = loaded.policy.paths
    recent = [week]
    for _ in range(10):  # ten weeks: the demo's launch sits in the middle (a known step)
        recent.insert(0, isoweek.previous_week(recent[0]))
    context = {
        "example": options.example,
        "ci": options.ci,
        "week": week,
        "quarter": scaffold.week_quarter(week),
        "recent_weeks": recent[:-1],  # full weeks of data before this one
    }

    def render(name: str, target: str, **extra: object) -> Planned:
        return Planned(target, scaffold.render(name, options.lang, {**context, **extra}))

    files = [
        render(
            "opsync.yml.j2", POLICY_FILE, schema=scaffold.schema_ref(POLICY_FILE, KINDS["policy"])
        ),
        render(
            "metrics.yml.j2",
            paths.metrics,
            schema=scaffold.schema_ref(paths.metrics, KINDS["metrics"]),
        ),
        render("allowed_signers.j2", paths.allowed_signers),
    ]
    if options.example:
        files += [
            render("example/week.md.j2", paths.week_path(week)),
            render(
                "example/member-tiers.md.j2", paths.feature_path("member-tiers"), id="member-tiers"
            ),
            render("example/push-copy.md.j2", "launch/member-tiers/push-copy.md"),
            render("example/metrics.csv.j2", f"{paths.data}/metrics.csv"),
        ]
    else:
        # The registry on disk if there is one, else the one about to be written.
        registry = scaffold.read_text(options.root / paths.metrics) or files[1].text
        goal = {"metric": scaffold.north_star(registry)}
        text = scaffold.render_week_doc(week, options.lang, {"goal": goal})
        files.append(Planned(paths.week_path(week), text))
    files += _copies(scaffold.SCHEMA_DIR, "schemas", "*.schema.json", warn)
    if options.ci == "github":
        files += _copies(".github/workflows", "templates/ci/github", "*.yml", warn)
    elif options.ci == "gitlab":
        files += _gitlab(warn)
    return files


def _copies(target_dir: str, source: str, pattern: str, warn: list[str]) -> list[Planned]:
    """Package files copied verbatim (schemas, CI workflows: no template syntax)."""
    from opsync.resources import data_dir

    kind, _, sub = source.partition("/")
    try:
        folder = data_dir(kind) / sub if sub else data_dir(kind)
    except FileNotFoundError:
        folder = None
    found = sorted(folder.glob(pattern)) if folder and folder.is_dir() else []
    if not found:
        warn.append(f"this opsync build ships no {source}/{pattern}; nothing copied")
    return [Planned(f"{target_dir}/{f.name}", f.read_text(encoding="utf-8")) for f in found]


def _gitlab(warn: list[str]) -> list[Planned]:
    from opsync.resources import data_dir

    source = data_dir("templates") / "ci" / "gitlab-ci.yml"
    if not source.is_file():
        warn.append("this opsync build ships no templates/ci/gitlab-ci.yml; nothing copied")
        return []
    return [Planned(GITLAB_TARGET, source.read_text(encoding="utf-8"))]


def write_all(root: Path, files: list[Planned]) -> list[Outcome]:
    """Write what is missing; one failure (permissions) does not stop the others."""
    from opsync.fsutil import symlinked_folder, write_new
    from opsync.source import normalize

    outcomes = []
    for item in files:
        rel = normalize(item.path)
        if rel is None:
            outcomes.append(Outcome(item.path, False, "the path leaves the repository"))
            continue
        link = symlinked_folder(root, rel)
        if link:
            outcomes.append(Outcome(rel, False, f"{link} is a symlink; not writing through it"))
            continue
        try:
            outcomes.append(Outcome(rel, write_new(root / rel, item.text)))
        except OSError as exc:
            outcomes.append(Outcome(rel, False, exc.strerror or str(exc)))
    return outcomes


def next_steps(options: InitOptions, outcomes: list[Outcome]) -> list[str]:
    written = {o.path for o in outcomes if o.created}
    if options.example:
        steps = [
            "opsync validate: check the example workspace",
            "opsync status member-tiers: see the example feature's gates",
            "replace the example roster, metrics and feature with your own",
        ]
    else:
        steps = [
            "opsync.yml: list product, ops and admin logins under `roles`",
            "opsync/metrics.yml: your north star and at most three key metrics",
            "opsync/allowed_signers: the ops reviewers' SSH public keys",
            "opsync validate, then commit",
        ]
    if options.ci == "github" and any(p.startswith(".github/") for p in written):
        steps.append("make the opsync check a required status check in branch protection")
    if options.ci == "gitlab" and GITLAB_TARGET in written:
        steps.append(f"add to .gitlab-ci.yml:  include: [{{local: {GITLAB_TARGET}}}]")
    steps.append("opsync new feature ID: start a feature spec")
    return ["Next steps:", *(f"  {n}. {step}" for n, step in enumerate(steps, start=1))]


def run(options: InitOptions, week: str | None = None) -> ExitCode:
    from opsync.isoweek import current_week

    warnings: list[str] = []
    files = plan(options, week or current_week(), warnings)
    outcomes = write_all(options.root, files)
    for outcome in outcomes:
        if outcome.error:
            click.echo(f"failed            {outcome.path}: {outcome.error}", err=True)
        elif outcome.created:
            click.echo(f"created           {outcome.path}", err=True)
        else:
            click.echo(f"skipped (exists)  {outcome.path}", err=True)
    for warning in warnings:
        click.echo(f"opsync: warning: {warning}", err=True)
    if not any(o.created for o in outcomes) and not any(o.error for o in outcomes):
        click.echo("Nothing to do: every file exists (init never overwrites).", err=True)
    click.echo("\n".join(next_steps(options, outcomes)), err=True)
    if any(o.error for o in outcomes):
        click.echo("opsync: error: some files could not be written (see above)", err=True)
        return ExitCode.USAGE
    return ExitCode.OK


@click.command(
    name="init",
    epilog="""\b
Examples:
  opsync init                      a pilot workspace (advisory) to fill in
  opsync init --example            a complete example: roster, metrics, a feature
  opsync init --example --lang zh  the example with Chinese templates
  opsync init --ci github          also write the GitHub workflows
""",
)
@click.option("--example", is_flag=True, help="Add a complete example: roster, metrics, a feature.")
@click.option("--ci", type=click.Choice(CI_CHOICES), help="Also write CI workflow templates.")
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Template language.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Where to scaffold (default: the git repo root, or the current folder).",
)
def command(example: bool, ci: str | None, lang: str, directory: Path | None) -> int:
    """Scaffold opsync.yml, the metric registry, this week's doc and schemas.

    Never overwrites: a file that exists is listed as skipped and left as it is.
    """
    from opsync.scaffold import find_root

    root = directory if directory is not None else find_root(Path.cwd())
    return int(run(InitOptions(root=root.resolve(), example=example, ci=ci, lang=lang)))
