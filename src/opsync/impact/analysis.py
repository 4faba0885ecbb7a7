"""The impact of each launch on its feature's metric.

The launch period itself is left out (it is half before, half after): the N periods
before it are compared with the N periods after it, on the calendar, so a missing value
shrinks a side instead of pulling in a period from further away.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from opsync.impact.events import Event, LaunchHistory
from opsync.impact.promise import Promise, parse_promise
from opsync.impact.stats import Comparison, compare, judge
from opsync.workspace.model import Feature, Workspace

GRAINS = ("week", "month")
DEFAULT_WINDOW = 4
VERDICTS = ("met", "not-met", "inconclusive", "too-early", "no-data", "not-launched")


def period_of(day: date, grain: str) -> str:
    if grain == "week":
        from opsync.isoweek import week_of

        return week_of(day)
    return f"{day.year:04d}-{day.month:02d}"


def shift(period: str, steps: int, grain: str) -> str:
    """The period `steps` periods after `period` (before when negative)."""
    if grain == "week":
        from opsync.isoweek import week_of, week_start

        return week_of(week_start(period) + timedelta(weeks=steps))
    year, month = int(period[:4]), int(period[5:7])
    index = year * 12 + month - 1 + steps
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def bounds(period: str, grain: str) -> tuple[date, date]:
    """First and last day of a period."""
    if grain == "week":
        from opsync.isoweek import week_start

        start = week_start(period)
        return start, start + timedelta(days=6)
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Impact:
    feature: str
    title: str
    metric: str
    status: str
    grain: str
    window: int
    launched: date | None = None
    launch_period: str = ""
    promise: Promise | None = None
    comparison: Comparison | None = None
    verdict: str = "no-data"
    overlapping: tuple[Event, ...] = ()
    before_periods: tuple[str, ...] = ()
    after_periods: tuple[str, ...] = ()
    note: str = ""
    outcome_due: date | None = None  # launch + `within` weeks

    def to_dict(self) -> dict[str, Any]:
        c = self.comparison
        return {
            "feature": self.feature,
            "title": self.title,
            "metric": self.metric or None,
            "launched": self.launched.isoformat() if self.launched else None,
            "launch_period": self.launch_period or None,
            "grain": self.grain,
            "window": self.window,
            "expected": self.promise.to_dict() if self.promise else None,
            "before": {"n": c.before.n if c else 0, "mean": _r(c.before.mean) if c else None},
            "after": {"n": c.after.n if c else 0, "mean": _r(c.after.mean) if c else None},
            "change": _r(c.change) if c else None,
            "change_pct": _r(c.change_pct) if c else None,
            "interval": [_r(v) for v in c.interval] if c and c.interval else None,
            "interval_pct": [_r(v) for v in c.interval_pct] if c and c.interval_pct else None,
            "verdict": self.verdict,
            "overlapping": [e.to_dict() for e in self.overlapping],
            "note": self.note or None,
            "causality": "directional, not causal",
        }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


@dataclass
class Inputs:
    """What every feature's impact is computed from, gathered once."""

    series: Mapping[str, Mapping[str, float | None]]  # metric -> period -> value
    history: LaunchHistory
    events: Sequence[Event]
    today: date
    grain: str = "week"
    window: int = DEFAULT_WINDOW
    by_period: dict[str, list[Event]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for event in self.events:
            start = event.start
            if start is not None:
                self.by_period.setdefault(period_of(start, self.grain), []).append(event)


def impact(feature: Feature, inputs: Inputs) -> Impact:
    metric = str(feature.meta.get("metric") or "")
    promise, _ = parse_promise(feature.meta.get("expected"))
    base = Impact(
        feature.file_id, feature.title, metric, feature.status, inputs.grain, inputs.window,
        promise=promise,
    )  # fmt: skip
    if feature.status != "launched":
        return _with(base, verdict="not-launched")
    launch = inputs.history.launches.get(feature.file_id)
    if launch is None or launch.date is None:
        from opsync.impact.events import UNCOMMITTED

        why = (launch.note if launch else "") or inputs.history.note or UNCOMMITTED
        return _with(base, verdict="no-data", note=f"launch date unknown: {why}")
    period = period_of(launch.date, inputs.grain)
    n = inputs.window
    before = tuple(shift(period, k, inputs.grain) for k in range(-n, 0))
    after = tuple(shift(period, k, inputs.grain) for k in range(1, n + 1))
    due = launch.date + timedelta(weeks=promise.within) if promise else None
    overlapping = tuple(
        e
        for p in (*before, period, *after)
        for e in inputs.by_period.get(p, ())
        if not (e.kind == "launch" and e.feature == feature.file_id)
    )
    base = _with(
        base, launched=launch.date, launch_period=period, before_periods=before,
        after_periods=after, overlapping=overlapping, outcome_due=due,
    )  # fmt: skip
    values = inputs.series.get(metric)
    if values is None:
        return _with(base, verdict="no-data", note=f"no values for metric '{metric}'")
    comparison = compare(_known(values, before), _known(values, after))
    if inputs.today <= bounds(after[-1], inputs.grain)[1]:
        return _with(base, comparison=comparison, verdict="too-early")
    if comparison.change is None:
        return _with(
            base, comparison=comparison, verdict="no-data",
            note=f"too few periods with values (at least 2 on each side of {period})",
        )  # fmt: skip
    verdict = judge(comparison, promise)
    if verdict != "met" and due is not None and inputs.today <= due:
        # A promise cannot fail before its own deadline: only "met" is final early.
        return _with(
            base, comparison=comparison, verdict="too-early",
            note=f"not {verdict} so far; the promise runs until {due.isoformat()}",
        )  # fmt: skip
    return _with(base, comparison=comparison, verdict=verdict)


def _known(values: Mapping[str, float | None], periods: Iterable[str]) -> list[float]:
    return [v for p in periods if (v := values.get(p)) is not None]


def _with(base: Impact, **changes: Any) -> Impact:
    from dataclasses import replace

    return replace(base, **changes)


def metric_series(ws: Workspace, grain: str) -> dict[str, dict[str, float | None]]:
    """Every metric's values at `grain` (composites computed from their inputs)."""
    from opsync.metrics.graph import compute_series
    from opsync.metrics.periods import period_kind
    from opsync.workspace.data import load_values

    registry = ws.registry
    if registry is None:
        return {}
    values = load_values(ws).values  # bad rows are `opsync validate`'s to report
    formulas = registry.parsed_formulas
    base = {
        m: {p: v for p, v in series.items() if period_kind(p) == grain}
        for m, series in values.items()
        if formulas.get(m) is None
    }
    return compute_series(formulas, base)
