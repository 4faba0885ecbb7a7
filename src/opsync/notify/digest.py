"""The weekly digest: what the Monday meeting needs, in the team's language.

Everything is read through the same code the rest of opsync uses: the week doc and its
completeness from `opsync.weekly.check`, metric values from `dashboard.model.load_values`
(the data loader) and `metric_views` (the formula graph), and each feature's blockers
from the gate machinery the dashboard runs (`features_view.feature_views`, with the
sign-off verified at HEAD when the workspace is a git repository).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from opsync.i18n import t
from opsync.notify.text import Style, fit
from opsync.results import GateState
from opsync.workspace.model import Workspace

MAX_FEATURES = 15  # a chat message, not the dashboard: the rest is "… and N more"
MAX_ROWS = 20  # actions, support rows and outcomes each
BLOCKING = (GateState.FAIL, GateState.STALE)


@dataclass(frozen=True)
class MetricLine:
    name: str
    value: str  # formatted, "" when there is no value yet
    unit: str
    period: str
    delta: str  # "+1.5", "" when there is nothing to compare
    since: str  # the period the change is measured from


@dataclass(frozen=True)
class FeatureLine:
    id: str
    title: str
    status: str
    blockers: tuple[str, ...]  # "gate: message"


@dataclass(frozen=True)
class Digest:
    lang: str
    week: str
    path: str
    exists: bool
    statement: str = ""
    metric: str = ""
    actions: tuple[str, ...] = ()
    support: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # what makes the doc incomplete
    metrics: tuple[MetricLine, ...] = ()
    features: tuple[FeatureLine, ...] = ()
    more_features: int = 0
    outcomes: tuple[str, ...] = ()
    dashboard_url: str = ""

    @property
    def complete(self) -> bool:
        return self.exists and not self.problems

    @property
    def title(self) -> str:
        return t("digest.title", self.lang, week=self.week)


def _rows(meta: dict[str, Any], key: str) -> tuple[list[dict[str, Any]], int]:
    """The first rows of a list field, and how many more there are."""
    rows = [r for r in meta.get(key) or [] if isinstance(r, dict)]
    return rows[:MAX_ROWS], max(0, len(rows) - MAX_ROWS)


def _week_doc(ws: Workspace, path: str, lang: str) -> dict[str, Any]:
    doc = ws.week_at(path)
    meta = doc.meta if doc is not None else {}
    raw_goal = meta.get("goal")
    goal: dict[str, Any] = raw_goal if isinstance(raw_goal, dict) else {}
    actions = []
    rows, more_actions = _rows(meta, "product_actions")
    for row in rows:
        done = f" ✓ {t('digest.done', lang)}" if row.get("done") is True else ""
        owner = row.get("owner", "")
        actions.append(f"{row.get('feature', '')}: {row.get('action', '')} — {owner}{done}")
    if more_actions:
        actions.append(t("digest.more", lang, count=more_actions))
    support = []
    rows, more_support = _rows(meta, "ops_support")
    for row in rows:
        if "none" in row:
            what = t("digest.no_support", lang, reason=row.get("none", ""))
        else:
            what = f"{row.get('action', '')} — {row.get('owner', '')}"
        support.append(f"{row.get('for', '')}: {what}")
    if more_support:
        support.append(t("digest.more", lang, count=more_support))
    return {
        "statement": str(goal.get("statement") or ""),
        "metric": str(goal.get("metric") or ""),
        "actions": tuple(actions),
        "support": tuple(support),
    }


def _metrics(ws: Workspace) -> tuple[MetricLine, ...]:
    from opsync.numfmt import num, signed
    from opsync.workspace.data import key_metric_views

    lines = []
    for view in key_metric_views(ws):
        latest, previous = view.latest, view.previous
        lines.append(
            MetricLine(
                view.name or view.id,
                num(latest.value) if latest else "",
                view.unit if latest else "",
                latest.period if latest else "",
                signed(view.delta),
                previous.period if previous else "",
            )
        )
    return tuple(lines)


def _features(ws: Workspace, root: Path, today: date) -> tuple[list[FeatureLine], int]:
    from opsync.dashboard.features_view import committed_results, feature_views
    from opsync.weekly import IN_FLIGHT

    features = [f for f in map(ws.feature_at, ws.feature_paths()) if f is not None]
    order = {status: index for index, status in enumerate(IN_FLIGHT)}
    flying = sorted(
        (f for f in features if f.status in order), key=lambda f: (-order[f.status], f.id)
    )  # closest to launch first, as in the week doc
    shown = flying[:MAX_FEATURES]
    committed, _ = committed_results(root, today)
    lines = []
    for view in feature_views(ws, shown, committed, today):
        blockers = tuple(f"{g.gate}: {g.message}" for g in view.gates if g.state in BLOCKING)
        lines.append(FeatureLine(view.id, view.title, view.status, blockers))
    return lines, len(flying) - len(shown)


def outcomes_due(ws: Workspace, today: date) -> tuple[str, ...]:
    """HOOK (issue 12 ↔ the `outcome-due` rule another change adds): launched features
    whose outcome review is due. Lists the `outcome-due` rule's findings when the rule is
    registered; lists nothing until then."""
    from opsync.rules import registry as rules

    rule = rules.load_all().get("outcome-due")
    if rule is None or rule.check is None:
        return ()
    found = []
    for feature in map(ws.feature_at, ws.feature_paths()):
        if feature is not None:
            found += [f.message for f in rule.check(feature, ws) if f.rule == "outcome-due"]
    return tuple(found[:MAX_ROWS])


def collect(root: Path, week: str, today: date) -> Digest:
    from opsync.weekly import check
    from opsync.workspace.root import open_workspace

    ws = open_workspace(root)
    lang = ws.policy.lang
    state = check(ws, week, today)
    doc = _week_doc(ws, state.path, lang) if state.exists else {}
    features, more = _features(ws, root, today)
    return Digest(
        lang=lang,
        week=week,
        path=state.path,
        exists=state.exists,
        problems=state.problems,
        metrics=_metrics(ws),
        features=tuple(features),
        more_features=more,
        outcomes=outcomes_due(ws, today),
        dashboard_url=ws.policy.dashboard_url,
        **doc,
    )


def render(digest: Digest, style: Style) -> str:
    """The digest's body (the title goes where each platform shows titles)."""
    lang, esc, out = digest.lang, style.esc, []

    def section(key: str) -> None:
        out.append("")
        out.append(style.bold(t(key, lang)))

    if not digest.exists:
        out.append("⚠️ " + esc(t("digest.missing", lang, path=digest.path)))
        out.append(esc(t("digest.missing_fix", lang)))
    else:
        section("digest.goal")
        out.append(esc(digest.statement) if digest.statement else esc(t("digest.no_goal", lang)))
        if digest.metric:
            out.append(style.item(esc(t("digest.goal_metric", lang, metric=digest.metric))))
        section("digest.actions")
        out += [style.item(esc(a)) for a in digest.actions] or [esc(t("digest.none", lang))]
        section("digest.support")
        out += [style.item(esc(s)) for s in digest.support] or [esc(t("digest.none", lang))]
        if digest.problems:
            out.append("")
            out.append("⚠️ " + esc(t("digest.incomplete", lang)))
            out += [style.item(esc(p)) for p in digest.problems]
    if digest.metrics:
        section("digest.metrics")
        for m in digest.metrics:
            if not m.value:
                out.append(style.item(f"{esc(m.name)}: {esc(t('digest.no_values', lang))}"))
                continue
            value = style.bold(esc(f"{m.value} {m.unit}".strip()))
            line = f"{esc(m.name)}: {value} ({esc(m.period)})"
            if m.delta and m.since:
                line += ", " + esc(t("digest.change", lang, delta=m.delta, period=m.since))
            out.append(style.item(line))
    section("digest.features")
    for f in digest.features:
        head = f"{esc(f.title)} ({esc(f.id)}) · {esc(f.status)}"
        if f.blockers:
            out.append(style.item(f"⛔ {head} — {esc(t('digest.blocked_by', lang))}"))
            out += [style.item(esc(b), 1) for b in f.blockers]
        else:
            out.append(style.item(f"✅ {head} — {esc(t('digest.clear', lang))}"))
    if not digest.features:
        out.append(esc(t("digest.no_features", lang)))
    if digest.more_features:
        out.append(esc(t("digest.more", lang, count=digest.more_features)))
    if digest.outcomes:
        section("digest.outcomes")
        out += [style.item(esc(o)) for o in digest.outcomes]
    if digest.dashboard_url:
        out.append("")
        out.append(f"📊 {style.link(esc(t('digest.dashboard', lang)), digest.dashboard_url)}")
    return "\n".join(out).strip("\n")


def message(digest: Digest, style: Style, limit: int, platform: str) -> str:
    """The body for one platform, cut at its limit with a note saying so."""
    note = t("digest.truncated", digest.lang, platform=platform)
    return fit(render(digest, style), limit, style.esc(note))
