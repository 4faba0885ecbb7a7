"""`opsync demo`: the whole flow on the built-in example, in a throwaway repo.

It runs the same commands a team would type — init, validate, a feature PR that the
gate blocks, an ops reviewer's signed approval that unblocks it, a later edit that makes
the approval stale — and prints each command with its real output.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from opsync.cli import finish
from opsync.errors import ConfigError


@dataclass
class Session:
    repo: Path
    keys: Path
    color: bool
    failures: int = 0

    def say(self, text: str) -> None:
        click.echo("\n" + click.style(text, bold=True, fg="cyan", reset=True), color=self.color)

    def shell(self, *args: str, author: str | None = None) -> str:
        env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1")
        if author:
            env |= {
                "GIT_AUTHOR_NAME": author,
                "GIT_AUTHOR_EMAIL": f"{author}@example.com",
                "GIT_COMMITTER_NAME": author,
                "GIT_COMMITTER_EMAIL": f"{author}@example.com",
            }
        click.echo(click.style(f"$ {shlex.join(args)}", dim=True), color=self.color)
        done = subprocess.run(
            args, cwd=self.repo, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise ConfigError(f"demo step failed: {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def opsync(self, *args: str, expect: int) -> None:
        line = "opsync " + shlex.join(args)
        click.echo(click.style(f"$ {line}", dim=True), color=self.color)
        env = dict(os.environ, NO_COLOR="" if self.color else "1")
        done = subprocess.run(
            [sys.executable, "-m", "opsync", *args],
            cwd=self.repo,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        output = (done.stdout + done.stderr).rstrip()
        click.echo("  " + output.replace("\n", "\n  "))
        verdict = f"exit {done.returncode}"
        if done.returncode == expect:
            click.echo(click.style(f"  → {verdict}, as expected", fg="green"), color=self.color)
        else:
            self.failures += 1
            click.echo(click.style(f"  → {verdict}, expected {expect}", fg="red"), color=self.color)

    def edit(self, path: str, old: str, new: str) -> None:
        target = self.repo / path
        text = target.read_text(encoding="utf-8")
        if old not in text:
            raise ConfigError(f"demo: the example {path} changed; cannot find {old!r}")
        target.write_text(text.replace(old, new, 1), encoding="utf-8")


def play(s: Session) -> None:
    spec = "opsync/features/member-tiers.md"
    s.say("1. Scaffold a workspace with the built-in example (a repo of the team's own)")
    s.shell("git", "init", "-q", "-b", "main")
    s.shell("git", "config", "user.name", "erin")
    s.shell("git", "config", "user.email", "erin@example.com")
    s.shell("git", "config", "commit.gpgsign", "false")
    s.opsync("init", "--example", expect=0)
    s.say("2. carol (ops) registers her SSH signing key; erin (admin) merges the set-up")
    s.shell(
        "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "carol", "-f", str(s.keys / "carol")
    )
    public = (s.keys / "carol.pub").read_text(encoding="utf-8").strip()
    with (s.repo / "opsync/allowed_signers").open("a", encoding="utf-8") as handle:
        handle.write(f'carol namespaces="opsync" {public}\n')
    s.shell("git", "add", "-A")
    s.shell("git", "commit", "-q", "-m", "Set up opsync")
    s.opsync("validate", expect=0)

    s.say("3. alice (product) opens a feature PR: code plus the spec moving to design")
    s.shell("git", "checkout", "-q", "-b", "member-tiers")
    (s.repo / "src").mkdir(exist_ok=True)
    (s.repo / "src/tiers.py").write_text("TIERS = ('silver', 'gold')\n", encoding="utf-8")
    s.edit(spec, "status: research", "status: design")
    s.shell("git", "add", "-A")
    s.shell("git", "commit", "-q", "-m", "Member tiers: design", author="alice")
    s.say("   The gate blocks the merge: no ops sign-off for this content yet")
    s.opsync("check", "--base", "main", expect=1)

    s.say("4. carol reviews and signs off with her SSH key; the record is committed")
    s.opsync("approve", "member-tiers", "--key", str(s.keys / "carol"), expect=0)
    s.shell("git", "add", "-A")
    s.shell("git", "commit", "-q", "-m", "Approve member-tiers", author="carol")
    s.opsync("check", "--base", "main", expect=0)

    s.say("5. A later push that changes only code keeps the approval")
    (s.repo / "src/tiers.py").write_text("TIERS = ('silver', 'gold', 'black')\n", encoding="utf-8")
    s.shell("git", "commit", "-q", "-am", "Add a tier", author="alice")
    s.opsync("check", "--base", "main", expect=0)

    s.say("6. A push that changes the spec makes the approval stale")
    s.edit(spec, "- [ ] savings banner", "- [ ] savings banner (and a share button)")
    s.shell("git", "commit", "-q", "-am", "Scope: share button", author="alice")
    s.opsync("check", "--base", "main", expect=1)

    s.say("7. carol approves the new content; the PR can merge")
    s.opsync("approve", "member-tiers", "--key", str(s.keys / "carol"), expect=0)
    s.shell("git", "add", "-A")
    s.shell("git", "commit", "-q", "-m", "Re-approve member-tiers", author="carol")
    s.opsync("check", "--base", "main", "--format", "markdown", expect=0)
    from opsync.impact.demo import launch_and_score

    launch_and_score(s)


@click.command(
    "demo",
    epilog="""\b
Examples:
  opsync demo                      watch the flow, then the temp repo is removed
  opsync demo --keep               keep the repo to explore it afterwards
""",
)
@click.option("--keep", is_flag=True, help="Keep the demo repo and print where it is.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour (NO_COLOR is respected).",
)
def command(keep: bool, color: str) -> None:
    """Walk through the whole flow on the built-in example, in a temporary repo.

    Needs git and ssh-keygen. Exit 0 when every step behaved as the design says.
    """
    from opsync.console import wants_color

    for tool in ("git", "ssh-keygen"):
        if shutil.which(tool) is None:
            raise ConfigError(f"the demo needs `{tool}`", f"install {tool} and run it again")
    root = Path(tempfile.mkdtemp(prefix="opsync-demo-"))
    (root / "repo").mkdir()
    (root / "keys").mkdir(mode=0o700)
    session = Session(root / "repo", root / "keys", wants_color(color))
    try:
        play(session)
    finally:
        if keep:
            click.echo(f"\nThe demo repo is kept at {root / 'repo'}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    if session.failures:
        click.echo(f"\n{session.failures} step(s) did not behave as expected", err=True)
        finish(1)
    click.echo("\nDone: blocked without sign-off, green with it, stale after a spec change.")
    finish(0)
