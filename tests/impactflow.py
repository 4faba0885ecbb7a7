"""Real workspaces with dated Git histories for the events and impact tests."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from gitrepo import GitRepo, make_repo

POLICY = """\
version: 1
roles: {product: [alice], ops: [carol], admins: [erin]}
"""

REGISTRY = """\
version: 1
north_star: value
key_metrics: [value, conversion]
metrics:
  - {id: orders, name: Orders, unit: n, owners: {product: alice, ops: carol}}
  - {id: aov, name: Average order value, unit: CNY, owners: {product: alice, ops: carol}}
  - id: value
    name: Member value
    unit: CNY
    formula: orders * aov
    owners: {product: alice, ops: carol}
    targets: [{period: 2026-Q1, baseline: 100, target: 130}]
  - {id: conversion, name: Conversion, unit: percent, owners: {product: alice, ops: carol}}
"""


def spec(
    feature_id: str,
    status: str,
    metric: str = "conversion",
    title: str | None = None,
    expected: str = "{direction: up, change: 5%, within: 4}",
    outcome: str = "",
) -> str:
    return (
        f"---\nid: {feature_id}\ntitle: {title or feature_id!r}\nstatus: {status}\n"
        f"type: internal\nowners: {{product: alice, ops: carol}}\nweek: 2026-W01\n"
        f"metric: {metric}\nexpected: {expected}\n---\n# {feature_id}\n\n"
        "<!-- opsync:ops-insight -->\n## Ops insight\n\nUsers want it.\n\n"
        f"<!-- opsync:outcome -->\n## Outcome\n\n{outcome}\n"
    )


def week_doc(week: str, support: list[tuple[str, str]]) -> str:
    rows = "".join(f"\n  - {{for: {f}, action: {a!r}, owner: carol}}" for f, a in support)
    return (
        f"---\nweek: {week}\ngoal: {{statement: grow, metric: conversion}}\n"
        f"product_actions: []\nops_support:{rows or ' []'}\n---\n# {week}\n"
    )


def weekly_csv(metric: str, first: date, values: list[float]) -> str:
    """One value per ISO week from the week holding `first`."""
    lines = ["period,metric,value"]
    for index, value in enumerate(values):
        year, week, _ = (first + timedelta(weeks=index)).isocalendar()
        lines.append(f"{year:04d}-W{week:02d},{metric},{value}")
    return "\n".join(lines) + "\n"


class Workspace:
    """A repo whose commits carry the dates given (author and committer)."""

    def __init__(self, tmp_path: Path) -> None:
        self.repo: GitRepo = make_repo(tmp_path)
        self.repo.write("opsync.yml", POLICY)
        self.repo.write("opsync/metrics.yml", REGISTRY)
        self.repo.write("opsync/weeks/2026-W01.md", week_doc("2026-W01", []))

    @property
    def path(self) -> Path:
        return self.repo.path

    def commit_on(self, day: date, message: str = "change") -> str:
        stamp = f"{day.isoformat()}T12:00:00+00:00"
        self.repo.env["GIT_AUTHOR_DATE"] = stamp
        self.repo.env["GIT_COMMITTER_DATE"] = stamp
        return self.repo.commit(message)

    def set_status(self, feature_id: str, status: str, day: date, **kw: str) -> str:
        self.repo.write(f"opsync/features/{feature_id}.md", spec(feature_id, status, **kw))
        return self.commit_on(day, f"{feature_id}: {status}")

    def merge(self, branch: str, day: date) -> str:
        stamp = f"{day.isoformat()}T12:00:00+00:00"
        self.repo.env["GIT_AUTHOR_DATE"] = stamp
        self.repo.env["GIT_COMMITTER_DATE"] = stamp
        self.repo.git("merge", "-q", "--no-ff", "--no-edit", branch)
        return self.repo.head()
