"""Events, impact cards and outcomes due, for the dashboard (DESIGN §8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from opsync.dashboard.metrics_view import MetricView
from opsync.dashboard.svg import ChartEvent
from opsync.impact.analysis import Impact
from opsync.impact.events import Event
from opsync.impact.outcomes import Due
from opsync.workspace import Feature, Workspace

RECENT_LAUNCHES = 10


@dataclass
class ImpactView:
    events: list[Event] = field(default_factory=list)
    impacts: dict[str, Impact] = field(default_factory=dict)  # by spec file name
    outcomes_due: list[Due] = field(default_factory=list)
    chart_events: dict[str, list[ChartEvent]] = field(default_factory=dict)  # by metric
    history_note: str = ""

    @property
    def recent_launches(self) -> list[Event]:
        dated = [e for e in self.events if e.kind == "launch" and e.date is not None]
        return sorted(dated, key=lambda e: (e.date or date.min, e.feature))[-RECENT_LAUNCHES:][::-1]


def _detail(event: Event) -> str:
    if event.kind == "launch":
        when = event.date.isoformat() if event.date else "?"
        return f"launch {when}: {event.title or event.feature}"
    action = f" — {event.action}" if event.action else ""
    return f"campaign {event.week}: {event.title or event.feature}{action}"


def collect_impact(
    ws: Workspace,
    root: Path,
    features: Sequence[Feature],
    metrics: Mapping[str, MetricView],
    today: date,
) -> ImpactView:
    from opsync.impact.analysis import Inputs, impact
    from opsync.impact.events import campaigns, launch_history, sort_events
    from opsync.impact.outcomes import outcome_due

    history = launch_history(root, ws.policy.paths.features)
    launched = [f for f in features if f.status == "launched"]
    events = sort_events([*_launches(ws, launched, history), *campaigns(ws)])
    series = {m: {p.period: p.value for p in view.points} for m, view in metrics.items()}
    inputs = Inputs(series, history, events, today)
    view = ImpactView(events=events, history_note=history.note)
    for feature in launched:
        view.impacts[feature.file_id] = impact(feature, inputs)
        due = outcome_due(feature, history, today)
        if due is not None:
            view.outcomes_due.append(due)
    view.outcomes_due.sort(key=lambda d: (d.due, d.feature))
    for metric_id, metric in metrics.items():
        related = {metric_id, *metric.inputs}
        view.chart_events[metric_id] = [
            ChartEvent(e.kind, start, e.title or e.feature, _detail(e))
            for e in events
            if e.metric in related and (start := e.start) is not None
        ]
    return view


def _launches(ws: Workspace, launched: Sequence[Feature], history: object) -> list[Event]:
    from opsync.impact.events import UNCOMMITTED, LaunchHistory
    from opsync.isoweek import week_of

    assert isinstance(history, LaunchHistory)
    events = []
    for feature in launched:
        launch = history.launches.get(feature.file_id)
        when = launch.date if launch else None
        events.append(
            Event(
                "launch", feature.file_id, str(feature.meta.get("metric") or ""),
                title=feature.title, date=when, week=week_of(when) if when else "",
                commit=launch.commit if launch else "",
                note="" if when else ((launch.note if launch else "") or history.note
                                      or UNCOMMITTED),
            )
        )  # fmt: skip
    return events
