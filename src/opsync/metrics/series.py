"""Metric values for the dashboard.

Base values come from `opsync/data/*.csv`; composite values are computed per period by
walking each parsed formula (`metrics.graph.compute_series`), so composites of composites
work and a missing input is a gap (None), never a zero. Each metric's time line holds the
periods where any of its base inputs was recorded, so a gap shows where it happened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opsync.metrics.periods import chronological, period_kind, period_sort_key
from opsync.metrics.registry import Registry

MAX_TREE_DEPTH = 20  # a registry is small; this only bounds a hostile one
GRAIN_ORDER = ("date", "week", "month", "quarter")  # finest first: the one a chart draws


@dataclass(frozen=True)
class Point:
    period: str
    value: float | None  # None: a gap (not recorded, or an input missing)


@dataclass(frozen=True)
class Target:
    period: str
    baseline: float | None
    target: float | None


@dataclass(frozen=True)
class MetricView:
    id: str
    name: str
    unit: str
    formula: str
    owners: Mapping[str, str]
    key: bool
    north_star: bool
    aligned: bool
    points: tuple[Point, ...]
    target: Target | None
    inputs: tuple[str, ...]  # metrics its formula names
    feeds: tuple[str, ...]  # composites whose formulas name it
    features: tuple[str, ...] = ()  # features that drive it, by spec file name

    @property
    def known(self) -> list[Point]:
        return [p for p in self.points if p.value is not None]

    @property
    def latest(self) -> Point | None:
        known = self.known
        return known[-1] if known else None

    @property
    def previous(self) -> Point | None:
        known = self.known
        return known[-2] if len(known) > 1 else None

    @property
    def delta(self) -> float | None:
        latest, previous = self.latest, self.previous
        if latest is None or previous is None:
            return None
        assert latest.value is not None and previous.value is not None
        return latest.value - previous.value

    @property
    def trend(self) -> str:
        """'up', 'down', 'flat', or '' when there is nothing to compare."""
        delta = self.delta
        if delta is None:
            return ""
        return "flat" if abs(delta) < 1e-12 else ("up" if delta > 0 else "down")

    @property
    def progress(self) -> float | None:
        """How far the latest value has come from baseline to target, 0..1."""
        latest, target = self.latest, self.target
        if latest is None or target is None or target.target is None or target.baseline is None:
            return None
        span = target.target - target.baseline
        if span == 0 or latest.value is None:
            return None
        return min(1.0, max(0.0, (latest.value - target.baseline) / span))

    def recent(self, count: int) -> list[Point]:
        return list(self.points[-count:])


@dataclass(frozen=True)
class TreeNode:
    """A metric in the tree under a key metric; `children` are its formula's inputs."""

    id: str
    children: tuple[TreeNode, ...] = field(default_factory=tuple)
    cycle: bool = False  # the id already appears above: not expanded again


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def pick_target(targets: Sequence[Mapping[str, Any]], latest: str | None) -> Target | None:
    """The target whose period started last on or before the latest value; else the first."""
    usable = [
        Target(str(t.get("period", "")), _number(t.get("baseline")), _number(t.get("target")))
        for t in targets
        if isinstance(t, Mapping)
    ]
    if not usable:
        return None
    ordered = sorted(usable, key=lambda t: period_sort_key(t.period))
    if latest is None:
        return ordered[-1]
    started = [t for t in ordered if period_sort_key(t.period) <= period_sort_key(latest)]
    return started[-1] if started else ordered[0]


def _base_inputs(metric: str, deps: Mapping[str, list[str]]) -> set[str]:
    """The base metrics a metric is computed from, transitively (itself when base)."""
    found: set[str] = set()
    seen: set[str] = set()
    stack = [metric]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        refs = deps.get(current, [])
        if not refs:
            found.add(current)
        stack.extend(refs)
    return found


def _own_periods(
    metric: str,
    deps: Mapping[str, list[str]],
    base: Mapping[str, Mapping[str, float]],
    timeline: list[str],
) -> list[str]:
    """The periods of the data set that concern a metric: those of the finest grain (date,
    week, month, quarter) its base inputs were recorded in, from the first one on. One
    grain per series: a month's value between two weeks' would read as a spike. A period
    inside that span without a value is a gap to show, not a period to hide."""
    recorded = {p for b in _base_inputs(metric, deps) for p in base.get(b, {})}
    if not recorded:
        return []
    kinds = {period_kind(p) for p in recorded}
    kind = next(k for k in GRAIN_ORDER if k in kinds) if kinds & set(GRAIN_ORDER) else None
    own = [p for p in recorded if period_kind(p) == kind]
    first = min(period_sort_key(p) for p in own)
    return [p for p in timeline if period_kind(p) == kind and period_sort_key(p) >= first]


def metric_views(
    registry: Registry,
    values: Mapping[str, Mapping[str, float]],
    features_by_metric: Mapping[str, Sequence[str]],
) -> dict[str, MetricView]:
    """Every metric of the registry with its series, target and neighbours in the tree."""
    from opsync.metrics.graph import compute_series, dependencies, feeds

    formulas = registry.parsed_formulas
    deps = dependencies(formulas)
    fed = feeds(formulas)
    base = {m: v for m, v in values.items() if formulas.get(m) is None}
    series = compute_series(formulas, base)
    timeline = chronological(p for values in base.values() for p in values)
    views: dict[str, MetricView] = {}
    for metric in registry.metrics.values():
        computed = series.get(metric.id, {})
        points = tuple(
            Point(p, computed.get(p)) for p in _own_periods(metric.id, deps, base, timeline)
        )
        latest = next((p.period for p in reversed(points) if p.value is not None), None)
        views[metric.id] = MetricView(
            id=metric.id,
            name=metric.name,
            unit=metric.unit,
            formula=metric.formula or "",
            owners=dict(metric.owners),
            key=metric.id in registry.key_metrics,
            north_star=metric.id == registry.north_star,
            aligned=metric.id in registry.aligned,
            points=points,
            target=pick_target(metric.targets, latest),
            inputs=tuple(r for r in deps.get(metric.id, []) if r in registry.metrics),
            feeds=tuple(sorted(fed.get(metric.id, ()))),
            features=tuple(features_by_metric.get(metric.id, ())),
        )
    return views


def metric_tree(registry: Registry) -> list[TreeNode]:
    """One tree per key metric (north star first): each metric above the ones it is
    computed from. A metric met again on its own path is marked, not expanded."""
    from opsync.metrics.graph import dependencies

    deps = dependencies(registry.parsed_formulas)

    def grow(metric: str, path: frozenset[str], depth: int) -> TreeNode:
        if metric in path or depth >= MAX_TREE_DEPTH:
            return TreeNode(metric, cycle=True)
        inner = path | {metric}
        children = tuple(
            grow(ref, inner, depth + 1) for ref in deps.get(metric, []) if ref in registry.metrics
        )
        return TreeNode(metric, children)

    roots = [k for k in registry.key_metrics if k in registry.metrics]
    if registry.north_star in roots:
        roots.remove(registry.north_star)
        roots.insert(0, registry.north_star)
    return [grow(root, frozenset(), 0) for root in dict.fromkeys(roots)]
