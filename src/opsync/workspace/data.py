"""The workspace's metric values: every `opsync/data/*.csv` read as one data set.

The one loader `validate`, the dashboard and the weekly loop share, so they agree on the
same files: a value given twice, even in two files, is a data-duplicate finding wherever
it is read, and links, oversized files and bad rows are findings, never a stop.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opsync.metrics.series import MetricView
    from opsync.metrics.values import MetricData
    from opsync.workspace.model import Workspace


def load_values(ws: Workspace, last: Collection[str] = ()) -> MetricData:
    """Base metric values from the data folder, with every problem met on the way.

    Files in `last` are read after the others, so a value they repeat is reported on
    them (the first value wins): `validate PATH...` names the files being changed.
    """
    from opsync.metrics.values import load_data_files
    from opsync.workspace.model import read_checked

    files, findings = [], []
    paths = sorted(ws.source.list_files(ws.policy.paths.data, ".csv"), key=lambda p: p in last)
    for path in paths:
        raw, problems = read_checked(ws.source, path)
        findings += problems
        if raw is not None:
            files.append((path, raw))
    known = set(ws.registry.metrics) if ws.registry else None
    data = load_data_files(files, known)
    data.findings[:0] = findings
    return data


def key_metric_views(ws: Workspace) -> list[MetricView]:
    """The key metrics in registry order, each with its series (composites computed);
    bad rows are `opsync validate`'s to report."""
    from opsync.metrics.series import metric_views

    registry = ws.registry
    if registry is None:
        return []
    views = metric_views(registry, load_values(ws).values, {})
    return [views[m] for m in registry.key_metrics if m in views]
