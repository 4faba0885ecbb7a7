"""`opsync demo`: the whole flow on the built-in example, in a throwaway repo.

It runs the same commands a team would type — init, validate, a feature PR that the
gate blocks, an ops reviewer's signed approval that unblocks it, a later edit that makes
the approval stale — and prints each command with its real output.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from opsync.commands.demo_session import Session
from opsync.commands.demo_steps import dashboard_step, launch_step, notify_step, pull_step
from opsync.commands.options import finish
from opsync.errors import ConfigError
from opsync.i18n import t

# A functional-validation item of the example, per language, and how step 6 rewords it.
SCOPE_EDIT = {
    "en": ("- [ ] savings banner", "- [ ] savings banner (and a share button)"),
    "zh": ("- [ ] 节省金额横幅显示正确", "- [ ] 节省金额横幅显示正确（并加分享按钮）"),
}


def play(s: Session) -> None:
    spec = "opsync/features/member-tiers.md"
    s.say(t("demo.1", s.lang))
    s.shell("git", "init", "-q", "-b", "main")
    s.shell("git", "config", "user.name", "erin")
    s.shell("git", "config", "user.email", "erin@example.com")
    s.shell("git", "config", "commit.gpgsign", "false")
    s.opsync("init", "--example", "--lang", s.lang, expect=0)
    s.say(t("demo.2", s.lang))
    s.shell(
        "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "carol", "-f", str(s.keys / "carol")
    )
    public = (s.keys / "carol.pub").read_text(encoding="utf-8").strip()
    with (s.repo / "opsync/allowed_signers").open("a", encoding="utf-8") as handle:
        handle.write(f'carol namespaces="opsync" {public}\n')
    s.shell("git", "add", "-A")
    s.shell("git", "commit", "-q", "-m", "Set up opsync")
    s.opsync("validate", expect=0)

    s.say(t("demo.3", s.lang))
    s.shell("git", "checkout", "-q", "-b", "member-tiers")
    (s.repo / "src").mkdir(exist_ok=True)
    (s.repo / "src/tiers.py").write_text("TIERS = ('silver', 'gold')\n", encoding="utf-8")
    s.edit(spec, "status: research", "status: design")
    s.shell("git", "add", "-A")
    s.shell("git", "commit", "-q", "-m", "Member tiers: design", author="alice")
    s.say(t("demo.3b", s.lang))
    s.opsync("check", "--base", "main", expect=1)

    s.say(t("demo.4", s.lang))
    s.opsync("approve", "member-tiers", "--key", str(s.keys / "carol"), expect=0)
    s.shell("git", "add", "-A")
    s.shell("git", "commit", "-q", "-m", "Approve member-tiers", author="carol")
    s.opsync("check", "--base", "main", expect=0)

    s.say(t("demo.5", s.lang))
    (s.repo / "src/tiers.py").write_text("TIERS = ('silver', 'gold', 'black')\n", encoding="utf-8")
    s.shell("git", "commit", "-q", "-am", "Add a tier", author="alice")
    s.opsync("check", "--base", "main", expect=0)

    s.say(t("demo.6", s.lang))
    s.edit(spec, *SCOPE_EDIT[s.lang])
    s.shell("git", "commit", "-q", "-am", "Scope: share button", author="alice")
    s.opsync("check", "--base", "main", expect=1)

    s.say(t("demo.7", s.lang))
    s.opsync("approve", "member-tiers", "--key", str(s.keys / "carol"), expect=0)
    s.shell("git", "add", "-A")
    s.shell("git", "commit", "-q", "-m", "Re-approve member-tiers", author="carol")
    s.opsync("check", "--base", "main", "--format", "markdown", expect=0)
    pull_step(s, 8)
    launch_step(s, 9)
    dashboard_step(s, 10)
    notify_step(s, 11)


@click.command(
    "demo",
    epilog="""\b
Examples:
  opsync demo                      watch the flow, then the temp repo is removed
  opsync demo --keep               keep the repo to explore it afterwards
  opsync demo --lang zh            the same flow in Chinese
""",
)
@click.option("--keep", is_flag=True, help="Keep the demo repo and print where it is.")
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="The team's language for the example and the narration.",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour (NO_COLOR is respected).",
)
def command(keep: bool, lang: str, color: str) -> None:
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
    session = Session(root / "repo", root / "keys", wants_color(color), lang=lang)
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
    click.echo("\n" + t("demo.done", lang))
    finish(0)
