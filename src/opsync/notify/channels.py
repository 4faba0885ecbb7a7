"""`notify:` entries of opsync.yml, resolved against the environment.

The webhook URL and secret live in environment variables (CI secrets); this module
reads them and never puts them in a message: errors name the variable, not its value.
"""

from __future__ import annotations

import importlib
import ipaddress
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from opsync.notify.base import Platform
from opsync.workspace.policy import NotifyChannel

# kind -> (module, attribute): imported only for the channels a run uses
PLATFORMS: dict[str, tuple[str, str]] = {
    "feishu": ("feishu", "FEISHU"),
    "lark": ("feishu", "LARK"),
    "dingtalk": ("dingtalk", "DINGTALK"),
    "wecom": ("wecom", "WECOM"),
    "slack": ("slack", "PLATFORM"),
    "teams": ("teams", "PLATFORM"),
    "apprise": ("apprise_sender", "PLATFORM"),
}

# webhook host -> kind (exact hosts, then suffixes)
HOSTS = {
    "open.feishu.cn": "feishu",
    "open.larkoffice.com": "feishu",
    "open.larksuite.com": "lark",
    "oapi.dingtalk.com": "dingtalk",
    "qyapi.weixin.qq.com": "wecom",
    "hooks.slack.com": "slack",
    "webhook.office.com": "teams",
}
HOST_SUFFIXES = {
    ".logic.azure.com": "teams",  # Workflows (Power Automate) HTTP triggers
    ".powerautomate.com": "teams",
    ".powerplatform.com": "teams",
    ".webhook.office.com": "teams",  # the retired Office 365 connectors
}


def platform(kind: str) -> Platform:
    module, attribute = PLATFORMS[kind]
    found: Platform = getattr(importlib.import_module(f"opsync.notify.{module}"), attribute)
    return found


def infer_kind(url: str) -> str | None:
    """The platform of a webhook URL by its host; `apprise` for any non-HTTP scheme."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return "apprise" if parts.scheme else None
    host = (parts.hostname or "").lower()
    if host in HOSTS:
        return HOSTS[host]
    return next((kind for end, kind in HOST_SUFFIXES.items() if host.endswith(end)), None)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Resolved:
    name: str
    kind: str  # "" when it could not be told
    url: str  # "" when the variable is unset: never printed
    secret: str
    problem: str = ""  # why the channel cannot post (names variables, never values)

    @property
    def secrets(self) -> tuple[str, ...]:
        parts = urllib.parse.urlsplit(self.url)
        return (self.url, parts.query, parts.path, self.secret)


def resolve(channel: NotifyChannel, env: Mapping[str, str] | None = None) -> Resolved:
    env = os.environ if env is None else env
    url = env.get(channel.url_env, "").strip()
    secret = env.get(channel.secret_env, "").strip() if channel.secret_env else ""
    kind = channel.kind or (infer_kind(url) if url else "") or ""

    def broken(problem: str) -> Resolved:
        return Resolved(channel.name, kind, url, secret, problem)

    if not url:
        return broken(f"{channel.url_env} is not set: put the webhook URL in that variable")
    if not kind:
        return broken(
            f"cannot tell the platform from the webhook host: set `kind:` ({', '.join(PLATFORMS)})"
        )
    if kind != "apprise":
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https" and not (
            parts.scheme == "http" and _loopback(parts.hostname or "")
        ):
            return broken(f"{channel.url_env} is not an https:// webhook URL")
    if channel.secret_env and not secret:
        return broken(f"{channel.secret_env} is not set: put the signing secret in it")
    return Resolved(channel.name, kind, url, secret)
