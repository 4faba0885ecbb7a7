"""`opsync schema KIND`: print the JSON Schema of a file kind, for editors and CI.

Reads the schema text straight from package data (no jsonschema import), so the output is
byte-for-byte the shipped file and the command stays fast.
"""

from __future__ import annotations

import json

import click

from opsync.documents.schema import KINDS, schema_text

EPILOG = """\b
Examples:
  opsync schema --list                       the kinds and what each describes
  opsync schema policy > policy.schema.json  save one for an editor or CI
  check-jsonschema --schemafile policy.schema.json opsync.yml
"""


def kind_summary(kind: str) -> str:
    """The schema's one-line `title`, e.g. what file it describes."""
    title = json.loads(schema_text(kind)).get("title", "")
    return str(title)


def list_kinds() -> str:
    width = max(len(kind) for kind in KINDS)
    return "\n".join(f"{kind:<{width}}  {kind_summary(kind)}" for kind in KINDS)


def render(kind: str) -> str:
    """The schema of `kind` as shipped, ending with exactly one newline."""
    return schema_text(kind).rstrip("\n") + "\n"


@click.command(
    name="schema",
    epilog=EPILOG,
    help=f"""Print the JSON Schema (Draft 2020-12) of a file KIND to stdout.

    KIND is one of: {", ".join(KINDS)}.""",
)
@click.argument("kind", required=False, metavar="KIND")
@click.option("--list", "list_", is_flag=True, help="List the kinds with a one-line summary.")
def command(kind: str | None, list_: bool) -> None:
    if list_:
        click.echo(list_kinds())
        return
    if kind is None:
        raise click.UsageError(
            f"name a KIND ({', '.join(KINDS)}) or use --list", ctx=click.get_current_context()
        )
    if kind not in KINDS:
        raise click.BadParameter(
            f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)} (see `opsync schema --list`)",
            param_hint="KIND",
        )
    click.echo(render(kind), nl=False)
