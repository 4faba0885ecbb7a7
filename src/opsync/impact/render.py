"""`opsync impact` as text, JSON or Markdown, in the team's language (en or zh)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from opsync.impact.analysis import Impact
from opsync.impact.events import Event

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "caveat": "directional, not causal: other launches, campaigns and seasonality move "
        "metrics too",
        "metric": "metric",
        "launched": "launched",
        "promise": "promise",
        "before": "before",
        "after": "after",
        "change": "change",
        "interval": "90% interval",
        "verdict": "verdict",
        "overlapping": "overlapping",
        "none": "none",
        "unknown": "unknown",
        "no_promise": "none stated",
        "periods": "periods each side",
        "nothing": "no features to show",
        "met": "met",
        "not-met": "not met",
        "inconclusive": "inconclusive",
        "too-early": "too early",
        "no-data": "no data",
        "not-launched": "not launched",
        "campaign": "campaign",
        "launch": "launch",
        "feature": "feature",
    },
    "zh": {
        "caveat": "方向性参考，非因果结论（directional, not causal）：其他上线、运营活动和季节性"
        "同样会影响指标",
        "metric": "指标",
        "launched": "上线",
        "promise": "承诺",
        "before": "上线前",
        "after": "上线后",
        "change": "变化",
        "interval": "90% 区间",
        "verdict": "结论",
        "overlapping": "同期事件",
        "none": "无",
        "unknown": "未知",
        "no_promise": "未写明",
        "periods": "个周期（前后各）",
        "nothing": "没有可显示的功能",
        "met": "达成",
        "not-met": "未达成",
        "inconclusive": "无法判断",
        "too-early": "为时过早",
        "no-data": "数据不足",
        "not-launched": "未上线",
        "campaign": "运营活动",
        "launch": "上线",
        "feature": "功能",
    },
}


def words(lang: str) -> dict[str, str]:
    return TEXT.get(lang, TEXT["en"])


def fmt(value: float | None, signed: bool = False, pct: bool = False) -> str:
    if value is None:
        return "—"
    text = f"{value:+,.2f}" if signed else f"{value:,.2f}"
    return text + (" %" if pct else "")


def event_line(e: Event, w: dict[str, str]) -> str:
    when = e.week if e.kind == "campaign" else (e.date.isoformat() if e.date else w["unknown"])
    what = f": {e.action}" if e.action else ""
    return f"{w[e.kind]} {when} {e.feature}{what}"


def _rows(i: Impact, w: dict[str, str], lang: str) -> list[tuple[str, str]]:
    c = i.comparison
    launched = f"{i.launched.isoformat()} ({i.launch_period})" if i.launched else w["unknown"]
    rows = [
        (w["metric"], f"{i.metric or '—'} ({i.grain}, {i.window} {w['periods']})"),
        (w["launched"], launched),
        (w["promise"], i.promise.text(lang) if i.promise else w["no_promise"]),
    ]
    if c is not None:
        span_b = f"{i.before_periods[0]}..{i.before_periods[-1]}" if i.before_periods else ""
        span_a = f"{i.after_periods[0]}..{i.after_periods[-1]}" if i.after_periods else ""
        rows.append((w["before"], f"{fmt(c.before.mean)} (n={c.before.n}, {span_b})"))
        rows.append((w["after"], f"{fmt(c.after.mean)} (n={c.after.n}, {span_a})"))
        if c.change is not None:
            rows.append((w["change"], f"{fmt(c.change, True)} ({fmt(c.change_pct, True, True)})"))
        if c.interval is not None:
            text = f"[{fmt(c.interval[0], True)}, {fmt(c.interval[1], True)}]"
            if c.interval_pct is not None:
                lo, hi = c.interval_pct
                text += f" ([{fmt(lo, True, True)}, {fmt(hi, True, True)}])"
            rows.append((w["interval"], text))
    verdict = w.get(i.verdict, i.verdict)
    rows.append((w["verdict"], verdict + (f" — {i.note}" if i.note else "")))
    return rows


def render_text(impacts: Sequence[Impact], lang: str = "en") -> str:
    w = words(lang)
    out: list[str] = []
    for i in impacts:
        out.append(f"{i.feature} — {i.title}")
        out += [f"  {label:<12} {value}" for label, value in _rows(i, w, lang)]
        if i.overlapping:
            out.append(f"  {w['overlapping']}:")
            out += [f"    - {event_line(e, w)}" for e in i.overlapping]
        out.append("")
    if not impacts:
        out.append(w["nothing"])
    out.append(w["caveat"])
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;")


def render_markdown(impacts: Sequence[Impact], lang: str = "en") -> str:
    w = words(lang)
    out = ["<!-- opsync:impact -->", f"> {w['caveat']}", ""]
    for i in impacts:
        out += [f"### {_cell(i.feature)} — {_cell(i.title)}", "", "| | |", "|---|---|"]
        out += [f"| {label} | {_cell(value)} |" for label, value in _rows(i, w, lang)]
        if i.overlapping:
            items = "; ".join(_cell(event_line(e, w)) for e in i.overlapping)
            out.append(f"| {w['overlapping']} | {items} |")
        out.append("")
    if not impacts:
        out.append(w["nothing"])
    return "\n".join(out) + "\n"


def render_json(impacts: Sequence[Impact]) -> str:
    return json.dumps([i.to_dict() for i in impacts], indent=2, ensure_ascii=False) + "\n"
