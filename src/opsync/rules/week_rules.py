"""Rules on weekly alignment docs (docs/file-formats.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from opsync.documents.located import finding_at
from opsync.findings import Finding
from opsync.rules.registry import rule
from opsync.workspace.model import Week, Workspace

TARGET = "week"
ISO_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")


@rule("week-filename", TARGET, "A week doc is named after its ISO week (`2026-W48.md`).")
def filename(week: Week, ws: Workspace) -> Iterator[Finding]:
    declared = week.meta.get("week")
    if not ISO_WEEK.match(week.file_week):
        yield Finding(
            path=week.path,
            line=0,
            col=0,
            rule="week-filename",
            message=f"'{week.file_week}' is not an ISO week",
            hint="name the file like 2026-W48.md",
        )
    elif problem := _calendar_problem(week.file_week):
        yield Finding(
            path=week.path,
            line=0,
            col=0,
            rule="week-filename",
            message=problem,
            hint="pick a week that exists in that year",
        )
    elif declared != week.file_week:
        yield finding_at(
            week.doc,
            week.path,
            ["week"],
            "week-filename",
            f"week: {declared} does not match the file name {week.file_week}",
            f"set `week: {week.file_week}` or rename the file",
        )


def _calendar_problem(name: str) -> str | None:
    """`2025-W53` has the right shape but 2025 has 52 ISO weeks."""
    from opsync.isoweek import parse_week

    try:
        parse_week(name)
    except ValueError as error:
        return str(error)
    return None


@rule("week-goal-metric", TARGET, "The week's goal names an aligned metric.")
def goal_metric(week: Week, ws: Workspace) -> Iterator[Finding]:
    metric = (week.meta.get("goal") or {}).get("metric")
    registry = ws.registry
    if not metric or registry is None:
        return
    if metric not in registry.metrics:
        yield finding_at(
            week.doc,
            week.path,
            ["goal", "metric"],
            "week-goal-metric",
            f"goal metric '{metric}' is not in the registry",
            "name a metric from opsync/metrics.yml",
        )
    elif metric not in registry.aligned:
        yield finding_at(
            week.doc,
            week.path,
            ["goal", "metric"],
            "week-goal-metric",
            f"goal metric '{metric}' is not aligned: it is not a key metric and feeds none",
            "pick a key metric or one that feeds a key metric",
        )


@rule("week-action-feature", TARGET, "Each product action names an existing feature.")
def action_features(week: Week, ws: Workspace) -> Iterator[Finding]:
    for index, action in enumerate(week.meta.get("product_actions") or []):
        feature = action.get("feature")
        if feature and not ws.feature_exists(feature):
            yield finding_at(
                week.doc,
                week.path,
                ["product_actions", index, "feature"],
                "week-action-feature",
                f"feature '{feature}' does not exist",
                f"create it with `opsync new feature {feature}` or fix the id",
            )


@rule(
    "week-ops-support",
    TARGET,
    "Each product action has an ops support row, or `none` with a reason.",
)
def ops_support(week: Week, ws: Workspace) -> Iterator[Finding]:
    supported = {row.get("for") for row in week.meta.get("ops_support") or []}
    for index, action in enumerate(week.meta.get("product_actions") or []):
        feature = action.get("feature")
        if feature and feature not in supported:
            yield finding_at(
                week.doc,
                week.path,
                ["product_actions", index],
                "week-ops-support",
                f"product action for '{feature}' has no ops support",
                f"add `- {{for: {feature}, action: ..., owner: <ops login>}}` to "
                f"ops_support, or `- {{for: {feature}, none: <reason>}}`",
            )
