"""Markdown for a PR comment or the Actions job summary.

Every string that comes from the repo (titles, ids, paths, messages) is escaped: a
feature title must not be able to add HTML, links, table cells, headings or @-mentions.
Output is capped below GitHub's limits with a "N more not shown" line.
"""

from __future__ import annotations

import re

from opsync.findings import Finding, Severity, sort_findings
from opsync.i18n import t, translate_known
from opsync.report.text_format import GATE_SEVERITY, counts, location
from opsync.report.text_format import summary_line as english_summary
from opsync.results import FeatureResult, Gate, GateState, Report
from opsync.workspace.policy import GATES

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
GATE_ORDER = GATES  # table columns follow docs/gates.md's order
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
        mark, key = "✅", "report.passed"
    elif report.result == "error":
        mark, key = "❌", "report.error"
    elif report.enforcement == "advisory":
        mark, key = "⚠️", "report.advisory"
    else:
        mark, key = "❌", "report.failed"
    return f"## {mark} opsync {escape(report.command)}: {t(key, report.lang)}"


def summary_line(report: Report) -> str:
    """text_format's summary line, in the team's language."""
    lang, c = report.lang, counts(report.findings)
    if lang == "en":  # English keeps its exact plurals ("1 error in 1 file")
        return english_summary(report)
    sized = [(c.errors, "report.errors"), (c.warnings, "report.warnings")]
    found = [t(key, lang, count=n) for n, key in [*sized, (c.notes, "report.notes")] if n]
    parts = [t("report.counts", lang, found=", ".join(found), files=c.files)] if found else []
    failing = sum(not f.passed for f in report.features)
    if failing:
        total = len(report.features)
        parts.append(t("report.not_passing", lang, failing=failing, total=total))
    if not parts:
        if report.result == "error":
            return t("report.could_not", lang, code=int(report.exit_code))
        return t("report.all_passed", lang)
    return "; ".join(parts)


def _gate_columns(features: tuple[FeatureResult, ...]) -> list[Gate]:
    seen = {g.gate for f in features for g in f.gates}
    extra = [g.gate for f in features for g in f.gates if g.gate not in GATE_ORDER]
    return [g for g in GATE_ORDER if g in seen] + list(dict.fromkeys(extra))


def _feature_row(feature: FeatureResult, columns: list[Gate]) -> str:
    states = {g.gate: STATE_EMOJI[g.state] for g in feature.gates}
    mark = "✅" if feature.passed else "❌"
    name = f"{mark} {escape(feature.title)} ({escape(feature.feature)})"
    cells = [name, escape(feature.status), *(states.get(c, "") for c in columns)]
    return "| " + " | ".join(cells) + " |"


def _gate_items(feature: FeatureResult, lang: str = "en") -> list[str]:
    items = []
    for gate in feature.gates:
        if gate.state not in GATE_SEVERITY:
            continue
        item = (
            f"- {STATE_EMOJI[gate.state]} **{escape(feature.title)}** ({escape(feature.feature)})"
            f" · {escape(gate.gate)}: {escape(gate.message)}"
        )
        if gate.hint:
            item += f"\n  {t('report.fix', lang)}: {escape(gate.hint)}"
        items.append(item)
    return items


def _finding_item(finding: Finding, lang: str = "en") -> str:
    item = (
        f"- {SEVERITY_EMOJI[finding.severity]} {escape(location(finding))} · "
        f"**{escape(finding.rule)}**: {escape(finding.message)}"
    )
    if finding.hint:
        item += f"\n  {t('report.fix', lang)}: {escape(finding.hint)}"
    return item


def render_markdown(report: Report, *, limit: int = COMMENT_LIMIT) -> str:
    """The Markdown body, at most `limit` UTF-8 bytes (bytes >= characters, so safe)."""
    lang = report.lang
    head = [_heading(report), "", escape(summary_line(report))]
    if report.error:
        line = f"**Could not finish:** {escape(report.error)}"
        if report.error_hint:
            line += f"  \nfix: {escape(report.error_hint)}"
        head += ["", line]
    if report.enforcement == "advisory":
        head += ["", f"> {escape(t('report.advisory_line', lang))}"]
    head += [escape(translate_known(note, lang)) for note in report.notes]
    # Blocks in reading order: (lead, items); the lead shows only with its first item.
    blocks: list[tuple[str, list[str]]] = []
    if report.features:
        columns = _gate_columns(report.features)
        header = [t("report.feature", lang), t("report.status", lang)]
        header += [escape(c) for c in columns]
        lead = "\n| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
        blocks.append((lead, [_feature_row(f, columns) for f in report.features]))
    # Gate findings sit on the spec line they concern; each says what blocks and, under
    # "fix", who can unblock it (the roster) or what changed since a stale approval.
    findings = [_finding_item(f, lang) for f in sort_findings(report.findings)]
    title = t("report.blocks" if report.features else "report.findings", lang)
    blocks.append((f"\n### {title}\n\n", findings))

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
        out += f"\n_{t('report.more', lang, count=omitted)}_\n"
    return out


def render(report: Report, *, color: bool = False) -> str:
    return render_markdown(report, limit=COMMENT_LIMIT)
