"""The demo's session: a throwaway repo, and how each step runs a command and checks its
exit code (every command is printed as a user would type it)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from opsync.errors import ConfigError


@dataclass
class Session:
    repo: Path
    keys: Path
    color: bool
    failures: int = 0
    lang: str = "en"  # `--lang`: the example, the narration and the digest

    def say(self, text: str) -> None:
        click.echo("\n" + click.style(text, bold=True, fg="cyan", reset=True), color=self.color)

    def shell(
        self, *args: str, author: str | None = None, env: dict[str, str] | None = None
    ) -> str:
        """Run a command in the demo repo; `env` adds variables (e.g. a commit's date)."""
        env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", **(env or {}))
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
