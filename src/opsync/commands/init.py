"""`opsync init`: scaffold a workspace. Never overwrites: existing files are skipped."""

from __future__ import annotations

import uuid
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
    action_ref: str | None = None  # --action-ref: OWNER/REPO@SHA for the workflows


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
    from opsync import scaffold
    from opsync.documents.schema import KINDS
    from opsync.workspace.policy import POLICY_FILE
    from opsync.workspace.root import policy_or_defaults

    loaded = policy_or_defaults(options.root)
    if loaded.warning:
        warn.append(loaded.warning)
    paths = loaded.policy.paths
    context = {
        "example": options.example,
        "ci": options.ci,
        "lang": options.lang,
        "week": week,
        "quarter": scaffold.week_quarter(week),
        "repo_id": f"opsync-{uuid.uuid4()}",  # signed into approval records
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
        _gitattributes(options, warn),
    ]
    if options.example:
        files += [
            render("example/week.md.j2", paths.week_path(week)),
            render(
                "example/member-tiers.md.j2", paths.feature_path("member-tiers"), id="member-tiers"
            ),
            render("example/push-copy.md.j2", "launch/member-tiers/push-copy.md"),
        ]
        files += _example_data(week)
    else:
        # The registry on disk if there is one, else the one about to be written.
        registry = scaffold.read_text(options.root / paths.metrics) or files[1].text
        goal = {"metric": scaffold.north_star(registry)}
        text = scaffold.render_week_doc(week, options.lang, {"goal": goal})
        files.append(Planned(paths.week_path(week), text))
    files += _copies(scaffold.SCHEMA_DIR, "schemas", "*.schema.json", warn)
    if options.ci == "github":
        files += _github_workflows(options.action_ref, warn)
    elif options.ci == "gitlab":
        files += _gitlab(options.action_ref, warn)
    return files


def _example_data(week: str) -> list[Planned]:
    """The example's members and orders, generated (its metric queries read them)."""
    from opsync.datapull import example

    data = example.generate(week)
    return [Planned(example.MEMBERS_PATH, data.members), Planned(example.ORDERS_PATH, data.orders)]


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


GITATTRIBUTES = ".gitattributes"


def _gitattributes(options: InitOptions, warn: list[str]) -> Planned:
    """LF in Git for opsync's files, so a CRLF save does not make approvals stale.
    An existing .gitattributes is never rewritten: init says what to add instead."""
    from opsync import scaffold

    text = scaffold.render("gitattributes.j2", options.lang, {})
    path = options.root / GITATTRIBUTES
    if path.exists() or path.is_symlink():
        existing = scaffold.read_text(path)
        rules = [line for line in text.splitlines() if line and not line.startswith("#")]
        missing = [line for line in rules if line not in existing.splitlines()]
        if missing:
            warn.append(
                f"{GITATTRIBUTES} exists; add these lines so a CRLF save does not make "
                f"approvals stale: {'; '.join(missing)}"
            )
    return Planned(GITATTRIBUTES, text)


def _github_workflows(override: str | None, warn: list[str]) -> list[Planned]:
    """The workflow templates, with the opsync action pinned from one place."""
    from opsync.github.workflows import action_ref, pin_action

    ref = action_ref(override)
    if ref.warning:
        warn.append(ref.warning)
    workflows = _copies(".github/workflows", "templates/ci/github", "*.yml", warn)
    return [Planned(f.path, pin_action(f.text, ref)) for f in workflows]


def _gitlab(override: str | None, warn: list[str]) -> list[Planned]:
    """The GitLab template, installing opsync from the same pinned commit the GitHub
    action would use (never a package name anyone could publish first)."""
    from opsync.github.workflows import action_ref, pin_install
    from opsync.resources import data_dir

    source = data_dir("templates") / "ci" / "gitlab-ci.yml"
    if not source.is_file():
        warn.append("this opsync build ships no templates/ci/gitlab-ci.yml; nothing copied")
        return []
    ref = action_ref(override)
    if not ref.pinned:
        warn.append(
            f"the GitLab template installs opsync from tag {ref.comment}; pin a commit with "
            "--action-ref OWNER/REPO@<commit sha>"
        )
    return [Planned(GITLAB_TARGET, pin_install(source.read_text(encoding="utf-8"), ref))]


def write_all(root: Path, files: list[Planned]) -> list[Outcome]:
    """Write what is missing; one failure (permissions) does not stop the others."""
    from opsync.fsutil import symlinked_folder, write_new
    from opsync.workspace.source import normalize

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
            "opsync metrics pull: the example's metric values from data/*.csv "
            "(needs pip install 'opsync[duckdb]')",
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
        steps.append(
            "require the status check `opsync sign-off gate` (docs/github.md), "
            "and CODEOWNERS on .github/workflows/"
        )
    if options.ci == "gitlab" and GITLAB_TARGET in written:
        steps.append(f"add to .gitlab-ci.yml:  include: [{{local: {GITLAB_TARGET}}}]")
        steps.append(
            "add the CI/CD variable OPSYNC_GITLAB_TOKEN (project access token, Reporter, "
            "read_api; api for the MR note), masked, not protected: see docs/gitlab.md"
        )
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
  opsync init --ci github --action-ref acme/opsync@<commit sha>
                                   ... using your fork of the opsync action
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
    "--repo",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Where to scaffold (default: the git repo root, or the current folder).",
)
@click.option(
    "--action-ref",
    metavar="OWNER/REPO@SHA",
    help="With --ci github: the opsync action the workflows use (default: this release's).",
)
def command(
    example: bool, ci: str | None, lang: str, directory: Path | None, action_ref: str | None
) -> int:
    """Scaffold opsync.yml, the metric registry, this week's doc and schemas.

    Never overwrites: a file that exists is listed as skipped and left as it is.
    """
    from opsync.workspace.root import find_root

    if action_ref is not None and ci is None:
        raise click.UsageError("--action-ref needs --ci github or --ci gitlab")
    root = directory if directory is not None else find_root(Path.cwd(), required=False)
    options = InitOptions(root.resolve(), example, ci, lang, action_ref)
    return int(run(options))
