"""`opsync approve FEATURE --key KEY [--as LOGIN]`: sign an ops approval record for the
feature's current committed content (its bundle digest at HEAD)."""

from __future__ import annotations

from pathlib import Path

import click

from opsync.commands.completion import complete_approvable
from opsync.commands.options import finish, make_console, repo_option


@click.command(
    "approve",
    epilog="""\b
Examples:
  opsync approve member-tiers --key ~/.ssh/id_ed25519
  opsync approve member-tiers --key ~/.ssh/id_ed25519.pub --as carol   (key in ssh-agent)
  opsync approve @metrics --key ~/.ssh/id_ed25519     approve a registry change
  opsync approve @policy --key ~/.ssh/id_ed25519      (admins) approve a policy change
Then commit the record it writes.
""",
)
@click.argument("feature", shell_complete=complete_approvable)
@click.option(
    "--key",
    "key",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your SSH key (private, or .pub with the key in ssh-agent).",
)
@click.option(
    "--as",
    "login",
    help="Your forge login (default: the allowed_signers entry whose key matches --key).",
)
@click.option(
    "--base",
    "base",
    metavar="REF",
    help="The branch the change merges into (default: origin/HEAD, origin/main, main, ...). "
    "The approval counts only for the change from there.",
)
@repo_option()
@click.option("-q", "--quiet", count=True, help="Less output on stderr.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto")
def command(
    feature: str,
    key: Path,
    login: str | None,
    base: str | None,
    repo: Path,
    quiet: int,
    color: str,
) -> None:
    """Approve FEATURE's current content as an ops reviewer, with an SSH signature.

    The record (opsync/approvals/FEATURE/LOGIN.yml) binds your login to the digest of the
    spec and its launch materials at HEAD, and to their digest at the base the change
    starts from. Any later change to them makes it stale; other changes keep it. It never
    approves a later return to the same content from another base. `opsync check`
    verifies it against the base branch's allowed_signers.
    """
    from opsync.gate.approve import approve

    console = make_console(color, quiet, 0)
    result = approve(repo, feature, key.expanduser(), login, base=base)
    for warning in result.warnings:
        console.info(f"warning: {warning}")
    console.info(
        f"{'replaced' if result.replaced else 'wrote'} {result.path} "
        f"({result.reviewer} approves {feature} at {result.digest[:19]}…)"
    )
    console.info(f"next: git add {result.path} && git commit -m 'Approve {feature}'")
    console.report(result.path)
    finish(0)
