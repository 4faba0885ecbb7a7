"""A compact Markdown summary of the dashboard, for a PR comment or a job summary.

Every string from the repo goes through the Markdown reporter's `escape`, so a title
cannot add links, HTML or @-mentions.
"""

from __future__ import annotations

from opsync.dashboard.model import Dashboard
from opsync.metrics.series import MetricView
from opsync.numfmt import num, signed
from opsync.report.markdown_format import STATE_EMOJI, escape

MAX_FAILING = 10
ARROWS = {"up": "▲", "down": "▼", "flat": "■"}


def _change(m: MetricView) -> str:
    if not m.trend or m.previous is None:
        return "—"
    return f"{ARROWS[m.trend]} {signed(m.delta)} vs {escape(m.previous.period)}"


def _target(m: MetricView) -> str:
    if m.target is None or m.target.target is None:
        return "—"
    return f"{num(m.target.target)} ({escape(m.target.period)})"


def render(d: Dashboard) -> str:
    lines = [f"### opsync dashboard · week {d.week}", ""]
    if d.key_metrics:
        lines += ["| key metric | latest | change | target |", "|---|---:|---|---:|"]
        for m in d.key_metrics:
            star = " ⭐" if m.north_star else ""
            latest = f"{num(m.latest.value)} ({escape(m.latest.period)})" if m.latest else "—"
            unit = f" {escape(m.unit)}" if m.unit and m.latest else ""
            lines.append(
                f"| {escape(m.name)}{star} | {latest}{unit} | {_change(m)} | {_target(m)} |"
            )
        lines.append("")
    counts = " · ".join(f"{len(v)} {s}" for s, v in d.by_status.items())
    failing = [v for v in d.features if v.failing]
    lines.append(f"**Features:** {counts or 'none yet'}; {len(failing)} with a failing gate.")
    for view in failing[:MAX_FAILING]:
        bad = ", ".join(
            f"{STATE_EMOJI[g.state]} {g.gate}"
            for g in view.gates
            if g.state.value in ("fail", "stale")
        )
        lines.append(f"- {escape(view.title)} ({escape(view.id)}, {view.status}): {bad}")
    if len(failing) > MAX_FAILING:
        lines.append(f"- … and {len(failing) - MAX_FAILING} more")
    week = d.this_week
    if week is None:
        lines.append(f"\n**This week ({d.week}):** no alignment doc yet — run `opsync week new`.")
    else:
        goal = escape(week.statement) if week.statement else "no goal written"
        lines.append(
            f"\n**This week ({d.week}):** {goal} ({week.done}/{week.actions} actions done)"
        )
    if d.problems:
        lines.append(f"\n⚠️ {d.problems} file problem(s) left data out: run `opsync validate`.")
    return "\n".join(lines) + "\n"
