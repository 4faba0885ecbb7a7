"""Human text: a gate table per feature, findings grouped by file, one summary line.

The small helpers here (counts, gate findings, state symbols) are shared by the other
formats, so every format counts and words the same things the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

import click

from opsync.findings import Finding, Severity, sort_findings
from opsync.results import GateState, Report
from opsync.safetext import flat, neutral_line, one_line

STATE_SYMBOLS: dict[GateState, str] = {
    GateState.PASS: "✓",
    GateState.FAIL: "✗",
    GateState.STALE: "~",
    GateState.WARN: "!",
    GateState.SKIP: "–",
    GateState.UNVERIFIED: "?",
}
STATE_COLORS: dict[GateState, str] = {
    GateState.PASS: "green",
    GateState.FAIL: "red",
    GateState.STALE: "yellow",
    GateState.WARN: "yellow",
    GateState.SKIP: "bright_black",
    GateState.UNVERIFIED: "magenta",
}
SEVERITY_COLORS: dict[Severity, str] = {
    Severity.ERROR: "red",
    Severity.WARNING: "yellow",
    Severity.NOTE: "blue",
}
# Gates that are not passing, as the severity a finding about them would carry.
GATE_SEVERITY: dict[GateState, Severity] = {
    GateState.FAIL: Severity.ERROR,
    GateState.STALE: Severity.ERROR,
    GateState.UNVERIFIED: Severity.ERROR,
    GateState.WARN: Severity.WARNING,
}
ADVISORY_LINE = "enforcement: advisory — findings are reported but do not block the merge"


@dataclass(frozen=True)
class Counts:
    errors: int
    warnings: int
    notes: int
    files: int


def counts(findings: Iterable[Finding]) -> Counts:
    found = list(findings)
    return Counts(
        errors=sum(f.severity is Severity.ERROR for f in found),
        warnings=sum(f.severity is Severity.WARNING for f in found),
        notes=sum(f.severity is Severity.NOTE for f in found),
        files=len({f.path for f in found}),
    )


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def annotated_findings(report: Report) -> list[Finding]:
    """What annotation formats (github, sarif, gitlab) report. Gates that do not pass
    are already findings, located on the spec line they concern (opsync.gate.gates)."""
    return sort_findings(report.findings)


def summary_line(report: Report) -> str:
    """`3 errors, 1 warning in 2 files`, `all checks passed`, plus features not passing."""
    c = counts(report.findings)
    parts: list[str] = []
    sized = [(c.errors, "error"), (c.warnings, "warning"), (c.notes, "note")]
    found = [plural(n, word) for n, word in sized if n]
    if found:
        parts.append(f"{', '.join(found)} in {plural(c.files, 'file')}")
    failing = sum(not f.passed for f in report.features)
    if failing:
        parts.append(f"{failing} of {plural(len(report.features), 'feature')} not passing")
    if not parts:
        if report.result == "error":
            return f"could not complete (exit {int(report.exit_code)})"
        return "all checks passed"
    return "; ".join(parts)


def location(finding: Finding) -> str:
    """`path:line:col`, dropping the parts that are 0 ("the whole file")."""
    loc = finding.path
    if finding.line:
        loc += f":{finding.line}"
        if finding.col:
            loc += f":{finding.col}"
    return loc


def render(report: Report, *, color: bool = False) -> str:
    def style(text: str, fg: str, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if color else text

    clean = one_line
    lines: list[str] = []
    if report.base or report.head:
        lines += [f"opsync {report.command}: {report.base[:12]}...{report.head[:12]}", ""]
    for feature in report.features:
        mark = style("✓", "green") if feature.passed else style("✗", "red")
        head = f"{clean(feature.feature)} — {clean(feature.title)} [{clean(feature.status)}]"
        head += f" {clean(feature.path)}"
        lines.append(f"{mark} {head}")
        width = max((len(g.gate) for g in feature.gates), default=0)
        for gate in feature.gates:
            symbol = style(STATE_SYMBOLS[gate.state], STATE_COLORS[gate.state], bold=True)
            lines.append(f"    {symbol} {clean(gate.gate).ljust(width)}  {clean(gate.message)}")
            if gate.hint and gate.state in GATE_SEVERITY:
                lines.append(f"{' ' * (width + 8)}fix: {clean(gate.hint)}")
        lines.append("")
    for _, group in groupby(sort_findings(report.findings), key=lambda f: f.path):
        # One block per file; every line starts with its location so editors can jump.
        for f in group:
            severity = style(f.severity.value, SEVERITY_COLORS[f.severity], bold=True)
            # "./" keeps a path like `::x` from reading as a workflow command in a CI log.
            where = flat(location(f))
            where = style("./" + where if where.startswith(":") else where, "white", bold=True)
            lines.append(f"{where}: {severity} {clean(f.rule)}: {clean(f.message)}")
            if f.hint:
                lines.append(f"    fix: {clean(f.hint)}")
        lines.append("")
    lines.extend(clean(note) for note in report.notes)
    ok = report.result == "pass"
    if report.error:
        lines.append(f"opsync {clean(report.command)}: could not finish: {clean(report.error)}")
        if report.error_hint:
            lines.append(f"    fix: {clean(report.error_hint)}")
    lines.append(style(summary_line(report), "green" if ok else "red", bold=True))
    if report.enforcement == "advisory":
        lines.append(ADVISORY_LINE)
    # Every line, whatever produced it, is checked once more (the mechanism, not each field).
    return "\n".join(neutral_line(line) for line in lines) + "\n"
