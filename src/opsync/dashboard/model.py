"""Everything the dashboard shows, collected once from the working tree."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from opsync.dashboard.feature_jobs import read_features
from opsync.dashboard.features_view import FeatureView
from opsync.dashboard.impact_view import ImpactView, collect_impact
from opsync.metrics.series import MetricView, TreeNode, metric_tree, metric_views
from opsync.workspace.model import Workspace
from opsync.workspace.policy import ALL_STATUSES

Progress = Callable[[str, int, int], None]  # (what, done, total)
MAX_WARNINGS = 20


@dataclass(frozen=True)
class WeekView:
    week: str
    path: str
    statement: str
    metric: str
    start: float | None  # the goal metric's latest value before the week began
    end: float | None  # ... and by the week's end
    actions: int
    done: int

    @property
    def delta(self) -> float | None:
        return None if self.start is None or self.end is None else self.end - self.start


@dataclass
class Dashboard:
    today: date
    week: str  # the current ISO week
    signoff_from: str  # commit the sign-off states come from, "" when not verified
    metrics: dict[str, MetricView]
    tree: list[TreeNode]
    features: list[FeatureView]
    weeks: list[WeekView]
    warnings: list[str] = field(default_factory=list)
    problems: int = 0  # findings behind the warnings
    impact: ImpactView = field(default_factory=ImpactView)  # events, cards, outcomes due
    lang: str = "en"

    @property
    def north_star(self) -> MetricView | None:
        return next((m for m in self.metrics.values() if m.north_star), None)

    @property
    def key_metrics(self) -> list[MetricView]:
        """North star first, then the other key metrics in registry order."""
        keys = [m for m in self.metrics.values() if m.key]
        return sorted(keys, key=lambda m: not m.north_star)

    @property
    def other_metrics(self) -> list[MetricView]:
        return [m for m in self.metrics.values() if not m.aligned]

    @property
    def by_status(self) -> dict[str, list[FeatureView]]:
        groups: dict[str, list[FeatureView]] = {s: [] for s in ALL_STATUSES}
        for view in self.features:
            groups.setdefault(view.status, []).append(view)
        return {status: views for status, views in groups.items() if views}

    @property
    def this_week(self) -> WeekView | None:
        return next((w for w in self.weeks if w.week == self.week), None)


def week_views(ws: Workspace, metrics: dict[str, MetricView]) -> list[WeekView]:
    from opsync.isoweek import is_week, week_start
    from opsync.metrics.periods import period_start

    views = []
    for path in ws.week_paths():
        doc = ws.week_at(path)
        if doc is None or not is_week(doc.file_week):
            continue
        goal = doc.meta.get("goal") or {}
        metric = str(goal.get("metric") or "")
        start = end = None
        if metric in metrics:
            known = [(period_start(p.period) or date.max, p.value) for p in metrics[metric].known]
            days = [day for day, _ in known]
            monday = week_start(doc.file_week)
            before = bisect.bisect_left(days, monday)  # periods starting before Monday
            by_end = bisect.bisect_right(days, monday + timedelta(days=6))
            start = known[before - 1][1] if before else None
            end = known[by_end - 1][1] if by_end > before else None  # a value of this week
        actions = [a for a in doc.meta.get("product_actions") or [] if isinstance(a, dict)]
        views.append(
            WeekView(
                doc.file_week,
                path,
                str(goal.get("statement") or ""),
                metric,
                start,
                end,
                len(actions),
                sum(1 for a in actions if a.get("done") is True),
            )
        )
    return sorted(views, key=lambda w: w.week)


def collect(root: Path, today: date | None = None, progress: Progress | None = None) -> Dashboard:
    from opsync.isoweek import current_week

    today = today or date.today()
    from opsync.workspace.data import load_values
    from opsync.workspace.root import located, open_workspace

    ws = open_workspace(root)
    registry = ws.registry
    read = read_features(ws, root, today, progress)
    views, features = read.views, [v.feature for v in read.views]
    by_metric: dict[str, list[str]] = {}
    for feature in features:
        by_metric.setdefault(str(feature.meta.get("metric") or ""), []).append(feature.file_id)
    data = load_values(ws)
    findings = data.findings
    metrics = metric_views(registry, data.values, by_metric) if registry else {}
    head = read.head
    weeks = week_views(ws, metrics)
    impact = collect_impact(ws, root, features, metrics, today)
    findings += read.findings + ws.problems()
    warnings = [located(f) for f in sorted(findings)[:MAX_WARNINGS]]
    if len(findings) > MAX_WARNINGS:
        warnings.append(f"… and {len(findings) - MAX_WARNINGS} more")
    if findings:
        warnings.append("run `opsync validate` to see every problem and how to fix it")
    tree = metric_tree(registry) if registry else []
    return Dashboard(
        today, current_week(today), head, metrics, tree, views, weeks, warnings, len(findings),
        impact, ws.policy.lang,
    )  # fmt: skip
