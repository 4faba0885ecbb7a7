"""The outcome review: launched features come back to say what moved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from opsync.documents.located import finding_at
from opsync.findings import Finding, Severity
from opsync.rules.registry import rule
from opsync.workspace.model import Feature, Workspace


@rule(
    "outcome-due",
    "feature",
    "A launched feature whose `expected.within` weeks have passed has a non-empty outcome "
    "section (a warning).",
)
def outcome_due(feature: Feature, ws: Workspace) -> Iterator[Finding]:
    if feature.status != "launched" or "expected" not in feature.meta:
        return  # cheap checks first: most specs never need the history
    from opsync.impact.outcomes import outcome_due as due_of
    from opsync.impact.outcomes import workspace_history

    due = due_of(feature, workspace_history(ws), date.today())
    if due is None:
        return
    section = feature.doc.sections.get("outcome")
    finding = finding_at(
        feature.doc,
        feature.path,
        ["status"],
        "outcome-due",
        f"{feature.file_id}: launched {due.launched.isoformat()}; the outcome review was due "
        f"{due.due.isoformat()} ({due.within} weeks later) and the outcome section is empty",
        f"write what moved (`opsync impact {feature.file_id}`) and the decision — keep, "
        "iterate or roll back — under `## Outcome`",
        Severity.WARNING,
    )
    if section is not None:  # point at the empty section itself
        from dataclasses import replace

        finding = replace(finding, line=section.line, col=1)
    yield finding
