"""The outcome review: a launched feature owes one once its promise's window has passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from opsync.impact.events import LaunchHistory, launch_history
from opsync.impact.promise import parse_promise
from opsync.workspace.model import Feature, Workspace

_HISTORIES: dict[tuple[str, str], LaunchHistory] = {}


@dataclass(frozen=True)
class Due:
    feature: str
    title: str
    launched: date
    due: date
    within: int


def outcome_due(feature: Feature, history: LaunchHistory, today: date) -> Due | None:
    """When a launched feature's `within` weeks have passed and its outcome section is
    still empty: the review it owes. None otherwise (or when the launch date is unknown)."""
    if feature.status != "launched":
        return None
    promise, _ = parse_promise(feature.meta.get("expected"))
    launch = history.launches.get(feature.file_id)
    if promise is None or launch is None or launch.date is None:
        return None
    section = feature.doc.sections.get("outcome")
    if section is not None and not section.is_empty:
        return None
    due = launch.date + timedelta(weeks=promise.within)
    if today <= due:
        return None
    return Due(feature.file_id, feature.title, launch.date, due, promise.within)


def workspace_history(ws: Workspace) -> LaunchHistory:
    """Launch history of the working tree's branch, walked once per process and root.
    A workspace read from a commit (check, status) has no working tree: no history."""
    root = getattr(ws.source, "root", None)
    if not isinstance(root, Path):
        return LaunchHistory(note="no working tree")
    key = (str(root), ws.policy.paths.features)
    if key not in _HISTORIES:
        _HISTORIES[key] = launch_history(root, ws.policy.paths.features)
    return _HISTORIES[key]


def all_due(ws: Workspace, today: date, history: LaunchHistory | None = None) -> list[Due]:
    history = history if history is not None else workspace_history(ws)
    found = []
    for name in sorted(history.launches):
        feature = ws.feature(name) if ws.feature_exists(name) else None
        if feature is not None and (due := outcome_due(feature, history, today)):
            found.append(due)
    return sorted(found, key=lambda d: (d.due, d.feature))
