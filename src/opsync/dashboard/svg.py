"""Trend-chart geometry for inline SVG. Only numbers are computed here; the markup is in
templates/dashboard/_chart.html.j2, so every string goes through autoescaping.

Periods sit at even steps on the x axis. A gap breaks the line (and gets a tick on the
axis) instead of dropping to zero; target and baseline are dashed horizontal lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from opsync.metrics.series import Point, Target

WIDTH = 320
HEIGHT = 96
PAD = 6.0


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

    @property
    def empty(self) -> bool:
        return not self.lines and not self.dots


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def chart(
    points: Sequence[Point], target: Target | None = None, width: int = WIDTH, height: int = HEIGHT
) -> Chart:
    known = [p.value for p in points if p.value is not None]
    extra = [v for v in (target.target, target.baseline) if v is not None] if target else []
    if not known:
        return Chart(width, height, (), (), (), None, None, None, None, None)
    low, high = min(known + extra), max(known + extra)
    if high == low:
        low, high = low - 1, high + 1
    span = high - low
    step = (width - 2 * PAD) / max(1, len(points) - 1)

    def x(index: int) -> float:
        return PAD + index * step if len(points) > 1 else width / 2

    def y(value: float) -> float:
        return height - PAD - (value - low) / span * (height - 2 * PAD)

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
    target_y = round(y(target.target), 1) if target and target.target is not None else None
    base_y = round(y(target.baseline), 1) if target and target.baseline is not None else None
    return Chart(
        width, height, lines, dots, tuple(gaps), target_y, base_y, last, min(known), max(known)
    )
