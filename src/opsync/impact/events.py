"""Events on the time line: launches from Git history, campaigns from week docs.

A *launch* is the first commit on the first-parent history of the branch read at which a
feature's status is `launched`. The history is walked once for every feature (one
`git log -- <features folder>`); each changed spec's status is read from its blob. A
launch that is later reverted (the status leaves `launched`) no longer counts; when the
feature is launched again, the new launch is the one that counts, since that is when the
feature reached users for good. A change made on a side branch counts when its merge
lands on the first-parent line. When the history is shallow or missing, the launch date
is unknown and said so, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from opsync.workspace.model import Feature, Workspace

# `status:` in a spec's front matter; quotes and a trailing comment allowed.
_STATUS = re.compile(r"""^status:[ \t]*["']?([A-Za-z-]+)""", re.M)
NO_HISTORY = "no git history"
SHALLOW = "the history is shallow: fetch it whole (`git fetch --unshallow`)"
UNCOMMITTED = "the launch is not committed yet"


@dataclass(frozen=True)
class Launch:
    feature: str  # spec file name without .md
    date: date | None  # None: unknown (see `note`)
    commit: str = ""
    note: str = ""
    reverted: int = 0  # earlier launches that were undone


@dataclass(frozen=True)
class Event:
    """A launch or a campaign, as `opsync events` lists it."""

    kind: str  # launch | campaign
    feature: str
    metric: str
    title: str = ""
    date: date | None = None  # launches
    week: str = ""  # campaigns: the ISO week; launches: the week of the date
    commit: str = ""
    action: str = ""
    owner: str = ""
    note: str = ""
    path: str = ""

    @property
    def start(self) -> dt.date | None:
        from opsync.isoweek import week_start

        if self.kind == "campaign":
            return week_start(self.week)
        return self.date

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"kind": self.kind, "feature": self.feature}
        if self.kind == "launch":
            record["date"] = self.date.isoformat() if self.date else None
        record["week"] = self.week or None
        record["metric"] = self.metric or None
        record["title"] = self.title
        if self.kind == "launch":
            record["commit"] = self.commit or None
            if self.note:
                record["note"] = self.note
        else:
            record["action"] = self.action
            record["owner"] = self.owner
            record["path"] = self.path
        return record


def status_of(text: bytes | None) -> str | None:
    """The `status:` of a spec's front matter, read without parsing all of it."""
    if text is None:
        return None
    head = text.decode("utf-8", "replace").lstrip("\ufeff")
    if not head.startswith("---"):
        return None
    end = head.find("\n---", 3)
    match = _STATUS.search(head[: end if end > 0 else len(head)])
    return match.group(1) if match else None


@dataclass
class _Track:
    status: str | None = None
    since: str = ""  # commit where the current `launched` run began
    when: date | None = None
    reverted: int = 0
    history_starts: bool = False  # the run began at a shallow boundary


@dataclass
class LaunchHistory:
    """Launches at the head of a branch, by spec file name."""

    launches: dict[str, Launch] = field(default_factory=dict)
    note: str = ""  # set when no date can be known (no repo, shallow boundary...)


def launch_history(root: Path, folder: str, ref: str = "HEAD") -> LaunchHistory:
    """Walk the first-parent history of `ref` once and place every feature's launch."""
    from opsync.errors import OpsyncError
    from opsync.git import open_repo

    try:
        repo = open_repo(root)
    except OpsyncError:
        return LaunchHistory(note=NO_HISTORY)
    with repo:
        try:
            entries = repo.first_parent_log(ref, folder)
        except OpsyncError:  # an unborn branch: nothing committed yet
            return LaunchHistory(note=NO_HISTORY)
        boundary = repo.shallow_commits()
        tracks: dict[str, _Track] = {}
        prefix = folder.rstrip("/") + "/"
        statuses = {
            blob: status_of(text)
            for blob, text in repo.blobs(
                [c.blob for e in entries for c in e.changes if _is_spec(c.path, prefix)]
            ).items()
        }
        for entry in entries:
            for change in entry.changes:
                if change.old_path and change.old_path in tracks:
                    tracks[change.path] = tracks.pop(change.old_path)
                if not _is_spec(change.path, prefix):
                    continue
                if change.status == "D":
                    tracks.pop(change.path, None)
                    continue
                status = statuses.get(change.blob)
                track = tracks.setdefault(change.path, _Track())
                if status == "launched" and track.status != "launched":
                    track.since, track.when = entry.sha, entry.when.date()
                    track.history_starts = entry.sha in boundary
                elif status != "launched" and track.status == "launched":
                    track.reverted += 1
                track.status = status
    history = LaunchHistory()
    for path, track in tracks.items():
        if track.status != "launched":
            continue
        name = path[len(prefix) :].removesuffix(".md")
        if track.history_starts:
            launch = Launch(name, None, track.since, SHALLOW, track.reverted)
        else:
            launch = Launch(name, track.when, track.since, "", track.reverted)
        history.launches[name] = launch
    return history


def _is_spec(path: str, prefix: str) -> bool:
    return path.startswith(prefix) and path.endswith(".md") and "/" not in path[len(prefix) :]


def campaigns(ws: Workspace, known: Mapping[str, Feature] | None = None) -> list[Event]:
    """Every week doc's ops_support rows (not the `none` ones), spanning that ISO week.
    `known`: specs already read, by file name (others are read from the workspace)."""
    from opsync.isoweek import is_week

    events: list[Event] = []
    for path in ws.week_paths():
        week = ws.week_at(path)
        if week is None or not is_week(week.file_week):
            continue
        for row in week.meta.get("ops_support") or []:
            if not isinstance(row, dict) or "none" in row or not row.get("action"):
                continue
            feature_id = str(row.get("for") or "")
            spec = (known or {}).get(feature_id)
            if spec is None and feature_id and ws.feature_exists(feature_id):
                spec = ws.feature(feature_id)
            goal = week.meta.get("goal") or {}
            metric = str(spec.meta.get("metric") or "") if spec else str(goal.get("metric") or "")
            events.append(
                Event(
                    "campaign",
                    feature_id,
                    metric,
                    title=spec.title if spec else feature_id,
                    week=week.file_week,
                    action=str(row.get("action") or ""),
                    owner=str(row.get("owner") or ""),
                    path=path,
                )
            )
    return events


def launch_events(features: Iterable[Feature | None], history: LaunchHistory) -> list[Event]:
    """A launch event per launched feature, dated from `history`."""
    from opsync.isoweek import week_of

    events: list[Event] = []
    for feature in features:
        if feature is None or feature.status != "launched":
            continue
        launch = history.launches.get(feature.file_id)
        when = launch.date if launch else None
        note = (launch.note if launch else "") or history.note or UNCOMMITTED
        events.append(
            Event(
                "launch",
                feature.file_id,
                str(feature.meta.get("metric") or ""),
                title=feature.title,
                date=when,
                week=week_of(when) if when else "",
                commit=launch.commit if launch else "",
                note="" if when else note,
            )
        )
    return events


def all_events(ws: Workspace, history: LaunchHistory) -> list[Event]:
    specs = map(ws.feature_at, ws.feature_paths())
    return sort_events([*launch_events(specs, history), *campaigns(ws)])


def sort_events(events: Iterable[Event]) -> list[Event]:
    """By time (unknown dates last), then kind and feature."""
    return sorted(events, key=lambda e: (e.start is None, e.start or date.min, e.kind, e.feature))
