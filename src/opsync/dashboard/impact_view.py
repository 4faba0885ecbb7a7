"""Events, impact cards and outcomes due, for the dashboard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from opsync.dashboard.svg import ChartEvent
from opsync.impact.analysis import Impact, Inputs
from opsync.impact.events import Event
from opsync.impact.outcomes import Due
from opsync.metrics.series import MetricView
from opsync.workspace.model import Feature, Workspace

RECENT_LAUNCHES = 10


class Impacts:
    """Impact cards by spec file name, computed when first asked for: the feature pages
    are rendered by forked workers, so the bootstraps spread over the CPUs with them."""

    def __init__(self, features: Sequence[Feature] = (), inputs: Inputs | None = None) -> None:
        self._features = {f.file_id: f for f in features}
        self._inputs = inputs
        self._done: dict[str, Impact] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._features

    def __getitem__(self, name: str) -> Impact:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def get(self, name: str) -> Impact | None:
        from opsync.impact.analysis import impact

        if name not in self._done:
            feature = self._features.get(name)
            if feature is None or self._inputs is None:
                return None
            self._done[name] = impact(feature, self._inputs)
        return self._done[name]


@dataclass
class ImpactView:
    events: list[Event] = field(default_factory=list)
    impacts: Impacts = field(default_factory=Impacts)  # by spec file name
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
    from opsync.impact.events import campaigns, launch_events, launch_history, sort_events
    from opsync.impact.outcomes import outcome_due

    history = launch_history(root, ws.policy.paths.features)
    launched = [f for f in features if f.status == "launched"]
    by_name = {f.file_id: f for f in features}
    events = sort_events([*launch_events(launched, history), *campaigns(ws, by_name)])
    series = {m: {p.period: p.value for p in view.points} for m, view in metrics.items()}
    inputs = Inputs(series, history, events, today)
    view = ImpactView(events, Impacts(launched, inputs), history_note=history.note)
    for feature in launched:
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
