"""The command line: a lazy root group, so `opsync --help` imports almost nothing.

Each command lives in `opsync.commands.<module>` and exposes a click command named
`command`. The module is imported only when that command runs or its help is shown.
"""

from __future__ import annotations

import importlib
import sys

import click

from opsync import __version__

# name -> (module, one-line help shown in `opsync --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "Scaffold opsync in this repo (never overwrites)."),
    "new": ("new", "Create a feature spec or a week doc from a template."),
    "validate": ("validate", "Lint the whole workspace: schemas and references."),
    "check": ("check", "The PR gate: every touched feature's gates, base...head."),
    "approve": ("approve", "Write an SSH-signed ops approval record for a feature."),
    "status": ("status", "Gates per feature on any branch (re-verifies records)."),
    "week": ("week", "The weekly alignment loop: `week new`, `week check`."),
    "dashboard": ("dashboard", "Build the shared dashboard as a static site."),
    "events": ("events", "List launches (from Git history) and campaigns (week docs)."),
    "impact": ("impact", "Before/after a launch: each feature's metric against its promise."),
    "metrics": ("metrics", "Metric values from the team's data: `metrics pull`."),
    "schema": ("schema", "Print the JSON Schema of a file kind."),
    "demo": ("demo", "Run the whole flow on a built-in example."),
}

EPILOG = """\b
Examples:
  opsync init --example          scaffold a workspace with an example feature
  opsync validate                lint every opsync file
  opsync check --base main       gate the current branch against main
  opsync demo                    watch the whole flow on a temporary repo

Exit codes: 0 pass, 1 findings, 2 usage or configuration error, 3 could not verify.
"""


class LazyGroup(click.Group):
    """click's documented lazy-loading pattern, driven by a static map."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"opsync.commands.{COMMANDS[cmd_name][0]}")
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the static map: listing commands must not import them.
        rows = [(name, summary) for name, (_, summary) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="opsync")
def root() -> None:
    """opsync: product and ops alignment as code, checked on every pull request.

    Goals, shared metrics and feature specs live as YAML and Markdown in the repo;
    `opsync check` blocks a merge until each touched feature has an aligned metric,
    its launch materials and an ops reviewer's sign-off for its current content.
    """


def main(argv: list[str] | None = None) -> None:
    """Entry point: map every OpsyncError to its exit code, never a traceback."""
    from opsync.errors import OpsyncError

    try:
        code = root.main(args=argv, prog_name="opsync", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except OpsyncError as exc:
        from opsync.safetext import one_line  # messages may carry repo text

        click.echo(f"opsync: error: {one_line(exc.message)}", err=True)
        if exc.hint:
            click.echo(f"  fix: {one_line(exc.hint)}", err=True)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # never a traceback, never exit 1 ("findings") for a crash
        import os

        from opsync.errors import internal_error
        from opsync.safetext import one_line

        error = internal_error(exc)
        click.echo(f"opsync: error: {one_line(error.message)}", err=True)
        click.echo(f"  fix: {error.hint}", err=True)
        if os.environ.get("OPSYNC_DEBUG"):
            raise
        sys.exit(int(error.exit_code))
    sys.exit(code if isinstance(code, int) else 0)
