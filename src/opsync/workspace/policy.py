"""`opsync.yml`: roles, enforcement, sign-off, paths and gate thresholds.

Built from an already schema-checked mapping; every field has the default docs/file-formats.md
and docs/gates.md name, so an empty policy file is a valid pilot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opsync.documents.markdown_doc import DEFAULT_SECTION_TITLES
from opsync.results import Gate

POLICY_FILE = "opsync.yml"

STATUSES = ("research", "design", "build", "validation", "launched")
TERMINAL = ("dropped",)
ALL_STATUSES = STATUSES + TERMINAL

GATES = tuple(Gate)

DEFAULT_GATE_FROM: dict[str, str] = {
    Gate.SHARED_METRIC: "research",
    Gate.OPS_INVOLVEMENT: "research",
    Gate.WEEK_ALIGNMENT: "research",
    Gate.LAUNCH_MATERIALS: "validation",
    Gate.CO_VALIDATION: "validation",
    Gate.OPS_SIGNOFF: "research",
    Gate.EXPECTED_EFFECT: "build",
}


@dataclass(frozen=True)
class Paths:
    features: str = "opsync/features"
    weeks: str = "opsync/weeks"
    metrics: str = "opsync/metrics.yml"
    approvals: str = "opsync/approvals"
    allowed_signers: str = "opsync/allowed_signers"
    data: str = "opsync/data"
    launch: str = "launch"

    def feature_path(self, feature_id: str) -> str:
        return f"{self.features}/{feature_id}.md"

    def week_path(self, week: str) -> str:
        return f"{self.weeks}/{week}.md"

    def launch_owner(self, path: str) -> str | None:
        """The feature id `<id>` of a path under `launch/<id>/`, else None."""
        parts = path.split("/")
        prefix = self.launch.split("/")
        if len(parts) > len(prefix) + 1 and parts[: len(prefix)] == prefix:
            return parts[len(prefix)]
        return None

    def is_opsync_file(self, path: str) -> bool:
        """opsync's own files (policy, registry, specs, weeks, records, data, schemas)."""
        files = (POLICY_FILE, self.metrics, self.allowed_signers)
        folders = (self.features, self.weeks, self.approvals, self.data, "opsync")
        return path in files or any(path.startswith(f + "/") for f in folders)


@dataclass(frozen=True)
class NotifyChannel:
    """One chat channel for `opsync week notify`; the URL and secret stay in the env."""

    name: str
    url_env: str
    secret_env: str = ""
    kind: str = ""  # "" = inferred from the webhook host


@dataclass(frozen=True)
class Policy:
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    repo: str = ""  # this repository's identity for signed records (opsync.gate.identity)
    enforcement: str = "blocking"
    min_approvals: int = 1
    sources: tuple[str, ...] = ("record",)
    require_feature_for: tuple[str, ...] = ()
    paths: Paths = field(default_factory=Paths)
    gate_from: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_GATE_FROM))
    max_key_metrics: int = 3
    stale_week_after: int = 4  # weeks
    week_due_weekday: int = 3  # `week check`: incomplete doc fails from this ISO weekday
    section_titles: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_SECTION_TITLES)
    )
    lang: str = "en"
    notify: tuple[NotifyChannel, ...] = ()
    dashboard_url: str = ""  # linked from the weekly digest

    @property
    def blocking(self) -> bool:
        return self.enforcement == "blocking"

    def members(self, role: str) -> tuple[str, ...]:
        return self.roles.get(role, ())

    def has_role(self, login: str, role: str) -> bool:
        """Listed by login (`carol` or `@carol`); `@org/team` entries need the forge."""
        folded = login.lstrip("@").casefold()
        return any(m.lstrip("@").casefold() == folded for m in self.members(role) if "/" not in m)

    def gate_applies(self, gate: str, status: str) -> bool:
        if status not in STATUSES:
            # A dropped feature needs nothing but ops sign-off: otherwise dropping it would
            # let a PR change the code it governs with no one approving.
            return gate == Gate.OPS_SIGNOFF
        start = self.gate_from.get(gate, DEFAULT_GATE_FROM[gate])
        return STATUSES.index(status) >= STATUSES.index(start)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """`data` has passed the policy schema."""
        roles = {k: tuple(v or ()) for k, v in (data.get("roles") or {}).items()}
        signoff = data.get("signoff") or {}
        gates = data.get("gates") or {}
        gate_from = dict(DEFAULT_GATE_FROM)
        for name, conf in gates.items():
            if isinstance(conf, dict) and "from" in conf:
                gate_from[name] = conf["from"]
        titles = dict(DEFAULT_SECTION_TITLES)
        for name, extra in (data.get("sections") or {}).items():
            titles[name] = tuple(dict.fromkeys((*titles.get(name, ()), *extra)))
        limits = data.get("limits") or {}
        week = data.get("week") or {}
        return cls(
            roles=roles,
            repo=str(data.get("repo") or ""),
            enforcement=data.get("enforcement", "blocking"),
            min_approvals=int(signoff.get("min_approvals", 1)),
            sources=tuple(signoff.get("sources", ("record",))),
            require_feature_for=tuple(data.get("require_feature_for") or ()),
            paths=Paths(**(data.get("paths") or {})),
            gate_from=gate_from,
            max_key_metrics=int(limits.get("key_metrics", 3)),
            stale_week_after=int(limits.get("stale_week_after", 4)),
            week_due_weekday=int(week.get("due_weekday", 3)),
            section_titles=titles,
            lang=str(data.get("lang") or "en"),
            notify=tuple(
                NotifyChannel(
                    str(c.get("name") or ""),
                    str(c.get("url_env") or ""),
                    str(c.get("secret_env") or ""),
                    str(c.get("kind") or ""),
                )
                for c in data.get("notify") or ()
                if isinstance(c, dict)
            ),
            dashboard_url=str(data.get("dashboard_url") or ""),
        )
