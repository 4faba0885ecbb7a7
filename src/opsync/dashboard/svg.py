"""Trend-chart geometry for inline SVG. Only numbers and short strings are computed here;
the markup is in templates/dashboard/_macros.html.j2, so every string is autoescaped.

Periods sit at even steps on the x axis, labelled (thinned to fit); the y axis carries a
few round value ticks. A gap breaks the line instead of dropping to zero; target and
baseline are dashed horizontal lines. Launches are vertical markers and campaigns are
bands over their week, each with a visible label and an SVG <title>.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from opsync.metrics.series import Point, Target

WIDTH = 360
HEIGHT = 190
LEFT, RIGHT, TOP, BOTTOM = 42.0, 10.0, 30.0, 24.0
MAX_X_LABELS = 4
MAX_EVENT_LABELS = 4  # more would overlap; the rest keep their marker and <title>
LABEL_CHARS = 16


@dataclass(frozen=True)
class ChartEvent:
    """An event as the chart draws it: `kind` launch|campaign, a date inside a period."""

    kind: str
    day: date
    label: str  # the feature's title or id
    detail: str  # for the <title>: what and when


@dataclass(frozen=True)
class Mark:
    kind: str
    x: float
    x2: float  # band end (campaigns); equals x for launches
    label: str  # shown (cut to fit), empty when not labelled
    title: str  # the whole text, for screen readers and hover
    row: int  # label row, so neighbours do not overlap


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: tuple[str, ...]  # SVG polyline `points` attributes, one per run without gaps
    dots: tuple[tuple[float, float], ...]  # runs of a single value
    gap_xs: tuple[float, ...]  # where a period has no value
    target_y: float | None
    baseline_y: float | None
    last: tuple[float, float] | None
    low: float | None
    high: float | None
    x_labels: tuple[tuple[float, str], ...] = ()
    y_ticks: tuple[tuple[float, str], ...] = ()
    marks: tuple[Mark, ...] = ()
    plot: tuple[float, float, float, float] = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)

    @property
    def empty(self) -> bool:
        return not self.lines and not self.dots


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten."""
    span = high - low
    raw = span / max(1, count)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(k * step, 10) for k in range(first, last + 1)]


def tick_text(value: float) -> str:
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if size >= 10_000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def chart(
    points: Sequence[Point],
    target: Target | None = None,
    events: Sequence[ChartEvent] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    from opsync.metrics.periods import period_start

    known = [p.value for p in points if p.value is not None]
    extra = [v for v in (target.target, target.baseline) if v is not None] if target else []
    if not known:
        return Chart(width, height, (), (), (), None, None, None, None, None)
    ticks = nice_ticks(min(known + extra), max(known + extra))
    low, high = ticks[0], ticks[-1]
    if high == low:
        low, high = low - 1, high + 1
        ticks = [low, (low + high) / 2, high]
    span = high - low
    x0, y0, x1, y1 = LEFT, TOP, width - RIGHT, height - BOTTOM
    step = (x1 - x0) / max(1, len(points) - 1)

    def x(index: int) -> float:
        return x0 + index * step if len(points) > 1 else (x0 + x1) / 2

    def y(value: float) -> float:
        return y1 - (value - low) / span * (y1 - y0)

    runs: list[list[tuple[float, float]]] = [[]]
    gaps: list[float] = []
    last: tuple[float, float] | None = None
    for index, point in enumerate(points):
        if point.value is None:
            gaps.append(round(x(index), 1))
            if runs[-1]:
                runs.append([])
            continue
        last = (round(x(index), 1), round(y(point.value), 1))
        runs[-1].append(last)
    lines = tuple(" ".join(f"{_fmt(a)},{_fmt(b)}" for a, b in run) for run in runs if len(run) > 1)
    dots = tuple(run[0] for run in runs if len(run) == 1)
    x_labels = _x_labels([p.period for p in points], x)
    y_ticks = tuple((round(y(v), 1), tick_text(v)) for v in ticks)
    starts = [period_start(p.period) or date.max for p in points]
    marks = _marks(events, starts, x, step, (x0, x1))
    target_y = round(y(target.target), 1) if target and target.target is not None else None
    base_y = round(y(target.baseline), 1) if target and target.baseline is not None else None
    return Chart(
        width, height, lines, dots, tuple(gaps), target_y, base_y, last, min(known), max(known),
        x_labels, y_ticks, marks, (x0, y0, x1, y1),
    )  # fmt: skip


def _x_labels(periods: list[str], x: object) -> tuple[tuple[float, str], ...]:
    """At most MAX_X_LABELS evenly spaced labels; a week or month label drops its year when
    the label before it has the same year (`2026-W39`, `W43`, `W47`, `2027-W03`)."""
    assert callable(x)
    every = max(1, math.ceil(len(periods) / MAX_X_LABELS))
    labels: list[tuple[float, str]] = []
    year = ""
    for index in range(0, len(periods), every):
        period = periods[index]
        head, _, tail = period.partition("-")
        short = tail if head == year and tail.startswith(("W", "Q")) else period
        year = head
        labels.append((round(float(x(index)), 1), short))
    return tuple(labels)


def _marks(
    events: Sequence[ChartEvent],
    starts: list[date],
    x: object,
    step: float,
    span: tuple[float, float],
) -> tuple[Mark, ...]:
    """Events placed in the period that holds their date; events outside the chart's
    periods are left out. The latest events get the visible labels."""
    assert callable(x)
    placed: list[tuple[ChartEvent, float, float]] = []
    last_span = starts[-1] - starts[-2] if len(starts) > 1 else timedelta(days=7)
    for event in events:
        index = bisect.bisect_right(starts, event.day) - 1
        if index < 0 or event.day >= starts[-1] + last_span:
            continue  # before the first period or after the last one ends
        centre = float(x(index))
        if event.kind == "campaign":
            half = max(step / 2, 2.0)
            placed.append((event, max(span[0], centre - half), min(span[1], centre + half)))
        else:
            placed.append((event, centre, centre))
    labelled = {id(e) for e, _, _ in sorted(placed, key=lambda p: p[0].day)[-MAX_EVENT_LABELS:]}
    marks: list[Mark] = []
    row = 0
    for event, a, b in placed:
        shown = id(event) in labelled
        if shown:
            row = 1 - row
        marks.append(
            Mark(event.kind, round(a, 1), round(b, 1), _cut(event.label) if shown else "",
                 event.detail, row)
        )  # fmt: skip
    return tuple(marks)
