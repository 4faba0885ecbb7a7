"""The weekly alignment loop: draft this week's doc, and check that it is there and done.

`draft` pre-fills a week doc with last week's unfinished product actions (and their ops
support rows), the features in flight, and the key metrics' latest values. `check` is
for a scheduled job: a missing doc fails; an incomplete one fails from the policy's due
weekday (`week: {due_weekday: N}` in opsync.yml, ISO: 1 = Monday) on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from opsync.errors import ExitCode
from opsync.i18n import t
from opsync.workspace.model import Feature, Week, Workspace
from opsync.workspace.policy import STATUSES

IN_FLIGHT = tuple(s for s in STATUSES if s != "launched")
MAX_FEATURES = 50  # a week doc lists this many features in flight; the dashboard has all


@dataclass(frozen=True)
class Draft:
    week: str
    path: str  # repo-relative
    text: str
    carried: int  # unfinished actions carried over from the week before
    features: int  # features in flight


def _carry(previous: Week | None, ws: Workspace) -> tuple[list[dict[str, Any]], list[Any]]:
    """Unfinished actions of the previous week on features that still exist and are not
    dropped, with the ops support rows for those features."""
    if previous is None:
        return [], []
    actions = []
    for row in previous.meta.get("product_actions") or []:
        if not isinstance(row, dict) or row.get("done") is True:
            continue
        feature = ws.feature(str(row.get("feature", ""))) if row.get("feature") else None
        if feature is None or feature.status == "dropped":
            continue
        actions.append({k: v for k, v in row.items() if k != "done"})
    features = {a["feature"] for a in actions}
    support = [
        row
        for row in previous.meta.get("ops_support") or []
        if isinstance(row, dict) and row.get("for") in features
    ]
    return actions, support


def _in_flight(features: list[Feature]) -> list[dict[str, str]]:
    order = {status: index for index, status in enumerate(IN_FLIGHT)}
    flying = [f for f in features if f.status in order]
    flying.sort(key=lambda f: (-order[f.status], f.id))  # closest to launch first
    return [
        {
            "id": f.id,
            "title": f.title or f.id,
            "status": f.status,
            "product": f.owners.get("product") or "",
            "ops": f.owners.get("ops") or "",
            "metric": str(f.meta.get("metric") or ""),
        }
        for f in flying
    ]


def _latest_values(ws: Workspace) -> list[dict[str, Any]]:
    from opsync.numfmt import num
    from opsync.workspace.data import key_metric_views

    rows = []
    for view in key_metric_views(ws):
        latest = view.latest
        rows.append(
            {
                "id": view.id,
                "name": view.name,
                "value": num(latest.value if latest else None),
                "unit": view.unit if latest else "",
                "period": latest.period if latest else "no values yet",
            }
        )
    return rows


def _outcomes_due(ws: Workspace, week: str) -> list[dict[str, str]]:
    """Launched features whose outcome review is due by the end of `week`."""
    from opsync.impact.outcomes import all_due
    from opsync.isoweek import week_start

    return [
        {"id": d.feature, "title": d.title or d.feature, "launched": d.launched.isoformat(),
         "due": d.due.isoformat()}
        for d in all_due(ws, week_start(week) + timedelta(days=6))
    ]  # fmt: skip


def draft(ws: Workspace, week: str, lang: str = "en") -> Draft:
    from opsync.isoweek import previous_week
    from opsync.scaffold import render_week_doc

    before = previous_week(week)
    previous = ws.week_at(ws.policy.paths.week_path(before)) if ws.week_exists(before) else None
    actions, support = _carry(previous, ws)
    features = [f for f in map(ws.feature_at, ws.feature_paths()) if f is not None]
    flying = _in_flight(features)
    registry = ws.registry
    metric = str(((previous.meta.get("goal") or {}) if previous else {}).get("metric") or "")
    if not metric and registry is not None:
        metric = registry.north_star or ""
    context = {
        "goal": {"statement": "", "metric": metric},
        "product_actions": actions,
        "ops_support": support,
        "metrics": _latest_values(ws),
        "features": flying[:MAX_FEATURES],
        "features_more": max(0, len(flying) - MAX_FEATURES),
        "outcomes_due": _outcomes_due(ws, week),
        "carried_from": before if actions else "",
        "carried": len(actions),
    }
    text = render_week_doc(week, lang, context)
    return Draft(week, ws.policy.paths.week_path(week), text, len(actions), len(flying))


@dataclass(frozen=True)
class WeekCheck:
    week: str
    path: str
    exists: bool
    problems: tuple[str, ...]  # what makes the doc incomplete
    due: date  # from this day on, an incomplete doc fails
    today: date
    lang: str = "en"  # the team's language, for the message

    @property
    def overdue(self) -> bool:
        return self.today >= self.due

    @property
    def exit_code(self) -> ExitCode:
        if not self.exists or (self.problems and self.overdue):
            return ExitCode.FINDINGS
        return ExitCode.OK

    def message(self) -> str:
        lang, path = self.lang, self.path
        day = t("week.days", lang).split(",")[self.due.weekday()]
        due = f"{day} {self.due.isoformat()}"
        if not self.exists:
            missing = t("week.missing", lang, path=path, week=self.week)
            return f"{missing}\n  {t('week.missing_fix', lang)}"
        if not self.problems:
            return t("week.complete", lang, path=path)
        head = t("week.overdue" if self.overdue else "week.not_due", lang, path=path, due=due)
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])

    def to_dict(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "path": self.path,
            "exists": self.exists,
            "complete": self.exists and not self.problems,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "problems": list(self.problems),
            "exit_code": int(self.exit_code),
        }


def _problems(ws: Workspace, path: str) -> list[str]:
    from opsync.rules import registry as rules

    lang = ws.policy.lang
    loaded = ws.load_week(path)
    doc = loaded.value
    if doc is None:
        return [f"line {f.line}: {f.message}" for f in loaded.problems] or [
            t("week.unreadable", lang)
        ]
    problems = []
    goal = doc.meta.get("goal") or {}
    if not str(goal.get("statement") or "").strip():
        problems.append(t("week.no_statement", lang))
    if not goal.get("metric"):
        problems.append(t("week.no_metric", lang))
    if not doc.meta.get("product_actions"):
        problems.append(t("week.no_actions", lang))
    for finding in rules.run("week", doc, ws):
        if finding.severity.value == "error":
            problems.append(f"line {finding.line}: {finding.message}")
    return problems


def check(ws: Workspace, week: str, today: date) -> WeekCheck:
    from opsync.isoweek import week_start

    path = ws.policy.paths.week_path(week)
    due_day = min(7, max(1, ws.policy.week_due_weekday))
    due = week_start(week) + timedelta(days=due_day - 1)
    lang = ws.policy.lang
    if not ws.week_exists(week):
        return WeekCheck(week, path, False, (), due, today, lang)
    return WeekCheck(week, path, True, tuple(_problems(ws, path)), due, today, lang)
