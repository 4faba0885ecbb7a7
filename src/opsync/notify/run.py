"""`opsync week notify`: one digest per channel; a failed post never stops the others."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import click

from opsync.errors import ConfigError, ExitCode
from opsync.notify.channels import Resolved, platform, resolve
from opsync.notify.digest import Digest, collect, message
from opsync.notify.http import PostError, post_json, scrub
from opsync.notify.text import MARKDOWN
from opsync.workspace.policy import NotifyChannel

RATE_GAP = 3.0  # seconds between two posts to one DingTalk/WeCom robot: 20 a minute


@dataclass(frozen=True)
class NotifyOptions:
    root: Path
    week: str
    today: date
    dry_run: bool = False
    channel: str | None = None
    if_incomplete: bool = False  # the reminder: post only when the doc is missing or incomplete


@dataclass
class Pacer:
    """Spaces posts to the same rate-limited robot (two channels may share one)."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    last: dict[str, float] = field(default_factory=dict)

    def wait(self, url: str) -> None:
        key = hashlib.sha256(url.encode()).hexdigest()
        if key in self.last:
            gap = RATE_GAP - (self.clock() - self.last[key])
            if gap > 0:
                self.sleep(gap)
        self.last[key] = self.clock()


def _chosen(channels: tuple[NotifyChannel, ...], name: str | None) -> list[NotifyChannel]:
    if not channels:
        raise ConfigError(
            "opsync.yml has no `notify:` channels",
            "add one, e.g. notify: [{name: team, url_env: OPSYNC_NOTIFY_URL}] (docs/notify.md)",
        )
    if name is None:
        return list(channels)
    found = [c for c in channels if c.name == name]
    if not found:
        names = ", ".join(c.name for c in channels)
        raise ConfigError(f"--channel {name}: no such channel", f"opsync.yml lists: {names}")
    return found


def send(channel: Resolved, digest: Digest, pacer: Pacer, now: float | None = None) -> str | None:
    """Post the digest to one channel; None when it was accepted, else why not (scrubbed)."""
    target = platform(channel.kind)
    text = message(digest, target.style, target.limit, target.label)
    try:
        if target.deliver is not None:
            problem = target.deliver(channel.url, digest.title, text)
        else:
            request = target.build(
                channel.url, channel.secret, digest.title, text, time.time() if now is None else now
            )
            if target.rate_limited:
                pacer.wait(channel.url)
            problem = target.problem(post_json(request.url, request.body))
    except PostError as exc:
        problem = str(exc)
    return scrub(problem, channel.secrets) if problem else None


def _preview(channel: Resolved, digest: Digest) -> None:
    """The message as this channel would get it; the channel's name and kind, no URL."""
    click.echo(f"── {channel.name} ({channel.kind or 'kind unknown'}) ──")
    if channel.problem:
        click.echo(f"(not ready to send: {channel.problem})")
    if channel.kind:
        target = platform(channel.kind)
        text = message(digest, target.style, target.limit, target.label)
    else:
        text = message(digest, MARKDOWN, 30_000, "chat")
    click.echo(f"{digest.title}\n{text}\n")


def run(
    options: NotifyOptions, env: Mapping[str, str] | None = None, pacer: Pacer | None = None
) -> ExitCode:
    from opsync.workspace.root import open_workspace as load_workspace

    policy = load_workspace(options.root).policy
    channels = [resolve(c, env) for c in _chosen(policy.notify, options.channel)]
    digest = collect(options.root, options.week, options.today)
    if options.if_incomplete and digest.complete:
        click.echo(f"{digest.path} is complete: no reminder sent", err=True)
        return ExitCode.OK
    if options.dry_run:
        for channel in channels:
            _preview(channel, digest)
        return ExitCode.OK
    pacer = pacer or Pacer()
    failed: list[tuple[str, str, ExitCode]] = []
    for channel in channels:
        if channel.problem:
            failed.append((channel.name, channel.problem, ExitCode.USAGE))
            continue
        problem = send(channel, digest, pacer)
        if problem:
            failed.append((channel.name, problem, ExitCode.UNVERIFIED))
        else:
            click.echo(
                f"sent the {digest.week} digest to {channel.name} ({channel.kind})", err=True
            )
    for name, problem, _ in failed:
        click.echo(f"opsync: error: {name}: {problem}", err=True)
    if not failed:
        return ExitCode.OK
    return max((code for _, _, code in failed), key=int)
