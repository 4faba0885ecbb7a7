"""Markdown for a PR comment or the Actions job summary.

Every string that comes from the repo (titles, ids, paths, messages) is escaped: a
feature title must not be able to add HTML, links, table cells, headings or @-mentions.
Output is capped below GitHub's limits with a "N more not shown" line.
"""

from __future__ import annotations

import re

from opsync.findings import Finding, Severity, sort_findings
from opsync.policy import GATES
from opsync.report.model import FeatureResult, GateState, Report
from opsync.report.text_format import ADVISORY_LINE, GATE_SEVERITY, location, summary_line

COMMENT_LIMIT = 65_536  # characters in a GitHub issue/PR comment
SUMMARY_LIMIT = 1_048_576  # bytes in a job summary (GITHUB_STEP_SUMMARY), per step
_RESERVE = 512  # room for the "not shown" line

STATE_EMOJI: dict[GateState, str] = {
    GateState.PASS: "✅",
    GateState.FAIL: "❌",
    GateState.STALE: "🔄",
    GateState.WARN: "⚠️",
    GateState.SKIP: "➖",
    GateState.UNVERIFIED: "❓",
}
SEVERITY_EMOJI: dict[Severity, str] = {
    Severity.ERROR: "❌",
    Severity.WARNING: "⚠️",
    Severity.NOTE: "ℹ️",
}
GATE_ORDER = GATES  # table columns follow DESIGN §3's order
# ASCII punctuation with a meaning somewhere in GitHub Markdown (emphasis, code, links,
# HTML, entities, tables, math, strikethrough). A backslash makes each one literal.
_SPECIAL = frozenset("\\`*_{}[]()<>#+!|~&$:")
_WORD_JOINER = "\u2060"  # after "@": still shows "@name", but no longer mentions anyone
_WWW = re.compile(r"(www)\.", re.IGNORECASE)


def escape(text: str) -> str:
    """`text` as literal inline Markdown on one line.

    GitHub also turns bare `www.x` and `scheme://x` text into links (the autolink
    extension), which no escape prevents: a word joiner after `www` and in `://` keeps
    the text as shown but unlinked.
    """
    one_line = " ".join(text.splitlines())
    escaped = "".join(f"\\{ch}" if ch in _SPECIAL else ch for ch in one_line)
    escaped = escaped.replace("@", "@" + _WORD_JOINER).replace("\\://", f"\\:{_WORD_JOINER}//")
    return _WWW.sub(lambda m: m.group(1) + _WORD_JOINER + ".", escaped)


def _heading(report: Report) -> str:
    if report.result == "pass":
        mark, word = "✅", "passed"
    elif report.result == "error":
        mark, word = "❌", "could not complete"
    elif report.enforcement == "advisory":
        mark, word = "⚠️", "findings (advisory, not blocking)"
    else:
        mark, word = "❌", "failed"
    return f"## {mark} opsync {escape(report.command)}: {word}"


def _gate_columns(features: tuple[FeatureResult, ...]) -> list[str]:
    seen = {g.gate for f in features for g in f.gates}
    extra = [g.gate for f in features for g in f.gates if g.gate not in GATE_ORDER]
    return [g for g in GATE_ORDER if g in seen] + list(dict.fromkeys(extra))


def _feature_row(feature: FeatureResult, columns: list[str]) -> str:
    states = {g.gate: STATE_EMOJI[g.state] for g in feature.gates}
    mark = "✅" if feature.passed else "❌"
    name = f"{mark} {escape(feature.title)} ({escape(feature.feature)})"
    cells = [name, escape(feature.status), *(states.get(c, "") for c in columns)]
    return "| " + " | ".join(cells) + " |"


def _gate_items(feature: FeatureResult) -> list[str]:
    items = []
    for gate in feature.gates:
        if gate.state not in GATE_SEVERITY:
            continue
        item = (
            f"- {STATE_EMOJI[gate.state]} **{escape(feature.title)}** ({escape(feature.feature)})"
            f" · {escape(gate.gate)}: {escape(gate.message)}"
        )
        if gate.hint:
            item += f"\n  fix: {escape(gate.hint)}"
        items.append(item)
    return items


def _finding_item(finding: Finding) -> str:
    item = (
        f"- {SEVERITY_EMOJI[finding.severity]} {escape(location(finding))} · "
        f"**{escape(finding.rule)}**: {escape(finding.message)}"
    )
    if finding.hint:
        item += f"\n  fix: {escape(finding.hint)}"
    return item


def render_markdown(report: Report, *, limit: int = COMMENT_LIMIT) -> str:
    """The Markdown body, at most `limit` UTF-8 bytes (bytes >= characters, so safe)."""
    head = [_heading(report), "", escape(summary_line(report))]
    if report.enforcement == "advisory":
        head += ["", f"> {escape(ADVISORY_LINE)}"]
    head += [escape(note) for note in report.notes]
    # Blocks in reading order: (lead, items); the lead shows only with its first item.
    blocks: list[tuple[str, list[str]]] = []
    if report.features:
        columns = _gate_columns(report.features)
        header = ["Feature", "Status", *(escape(c) for c in columns)]
        lead = "\n| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
        blocks.append((lead, [_feature_row(f, columns) for f in report.features]))
    findings = [_finding_item(f) for f in sort_findings(report.findings)]
    blocks.append(("\n### Findings\n\n", findings))

    out = "\n".join(head) + "\n"
    size = len(out.encode())
    omitted = 0
    for lead, items in blocks:
        chunk, chunk_size, shown = [lead], len(lead.encode()), 0
        for item in items if not omitted else ():
            item_size = len(item.encode()) + 1
            if size + chunk_size + item_size > limit - _RESERVE:
                break
            chunk.append(item + "\n")
            chunk_size += item_size
            shown += 1
        if shown:
            out += "".join(chunk)
            size += chunk_size
        omitted += len(items) - shown
    if omitted:
        out += f"\n_{omitted} more not shown; run opsync with `--format json` for all._\n"
    return out


def render(report: Report, *, color: bool = False) -> str:
    return render_markdown(report, limit=COMMENT_LIMIT)
