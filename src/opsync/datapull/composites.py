"""The composite metrics a pull moves: their latest value per grain, for the summary.

Composites are never written (docs: they stay computed from their inputs); showing the
north star's new value next to the pulled inputs is what tells a reader whether it moved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opsync.metrics.periods import period_kind

Latest = dict[str, tuple[str, float]]  # grain -> (period, value)


def latest_composites(
    formulas: Mapping[str, Any], pulled: Mapping[str, Mapping[str, float]], grains: tuple[str, ...]
) -> dict[str, Latest]:
    """composite metric -> grain -> its latest (period, value) computed from `pulled`."""
    from opsync.metrics.graph import compute_series

    if not pulled or not any(formulas.values()):
        return {}
    series = compute_series(formulas, pulled)
    out: dict[str, Latest] = {}
    for metric, formula in formulas.items():
        if formula is None:
            continue
        latest: Latest = {}
        for period, value in series.get(metric, {}).items():  # in time order
            kind = period_kind(period)
            if value is not None and kind in grains:
                latest[kind] = (period, value)
        if latest:
            out[metric] = latest
    return out
