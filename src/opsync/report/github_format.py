"""GitHub Actions: workflow-command annotations, the job summary and step outputs.

Runner docs: https://docs.github.com/actions/reference/workflow-commands-for-github-actions
Escaping follows @actions/core (escapeData / escapeProperty): with `\\n` escaped, text
from the repo can never begin a line, so it can never start a workflow command.
"""

from __future__ import annotations

from opsync.findings import Finding, Severity
from opsync.report.text_format import ADVISORY_LINE, annotated_findings, summary_line
from opsync.results import Report

# GitHub shows at most this many annotations per level (error, warning, notice) per step.
MAX_PER_LEVEL = 10
LEVELS: dict[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.NOTE: "notice",
}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """`::error file=F,line=L,col=C,title=RULE::MESSAGE` (line and col only when known)."""
    props = [f"file={escape_property(finding.path)}"]
    if finding.line:
        props.append(f"line={finding.line}")
        if finding.col:
            props.append(f"col={finding.col}")
    props.append(f"title={escape_property(finding.rule)}")
    message = finding.message + (f"\nfix: {finding.hint}" if finding.hint else "")
    return f"::{LEVELS[finding.severity]} {','.join(props)}::{escape_data(message)}"


def annotation_lines(findings: list[Finding]) -> list[str]:
    """At most MAX_PER_LEVEL per level, then one notice counting the rest.

    That notice is itself a notice, so when anything is cut, notices keep one slot free
    for it; otherwise GitHub would drop the very line that says findings are missing.
    """
    total = {s: sum(f.severity is s for f in findings) for s in Severity}
    cut = sum(max(0, total[s] - MAX_PER_LEVEL) for s in (Severity.ERROR, Severity.WARNING))
    caps = dict.fromkeys(Severity, MAX_PER_LEVEL)
    if cut or total[Severity.NOTE] > MAX_PER_LEVEL:
        caps[Severity.NOTE] = MAX_PER_LEVEL - 1
    lines: list[str] = []
    for finding in findings:
        if caps[finding.severity] > 0:
            caps[finding.severity] -= 1
            lines.append(annotation(finding))
    omitted = len(findings) - len(lines)
    if omitted:
        lines.append(f"::notice::{omitted} more findings — see the job summary")
    return lines


def render(report: Report, *, color: bool = False) -> str:
    lines = annotation_lines(annotated_findings(report))
    if report.error:
        text = report.error + (f"\nfix: {report.error_hint}" if report.error_hint else "")
        title = escape_property(f"opsync {report.command}")
        lines.append(f"::error title={title}::{escape_data(text)}")
    # Plain log lines: fixed words and numbers only, so none can be read as a command.
    lines.append(f"opsync {escape_data(report.command)}: {summary_line(report)}")
    if report.enforcement == "advisory":
        lines.append(ADVISORY_LINE)
    return "\n".join(lines) + "\n"
