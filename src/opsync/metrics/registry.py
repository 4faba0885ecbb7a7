"""The shared metric registry (`opsync/metrics.yml`) as loaded: metrics, key metrics, the
north star, and which metrics are aligned (feed a key metric through formulas)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from opsync.documents.located import YamlFile


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    unit: str
    formula: str | None
    owners: dict[str, str]
    targets: tuple[dict[str, Any], ...]
    index: int  # position in `metrics:`, for locating findings

    @property
    def composite(self) -> bool:
        return bool(self.formula)


@dataclass
class Registry:
    file: YamlFile
    north_star: str | None
    key_metrics: tuple[str, ...]
    metrics: dict[str, Metric]

    @cached_property
    def parsed_formulas(self) -> dict[str, Any]:
        """metric id -> parsed Formula, or None for base metrics and unparsable formulas."""
        from opsync.metrics.formula import FormulaError, parse

        parsed: dict[str, Any] = {}
        for metric in self.metrics.values():
            try:
                parsed[metric.id] = parse(metric.formula) if metric.formula else None
            except FormulaError:
                parsed[metric.id] = None
        return parsed

    @cached_property
    def aligned(self) -> frozenset[str]:
        from opsync.metrics.graph import aligned

        keys = [k for k in self.key_metrics if k in self.metrics]
        return frozenset(aligned(keys, self.parsed_formulas))

    @classmethod
    def from_file(cls, file: YamlFile) -> Registry:
        data = file.data
        metrics: dict[str, Metric] = {}
        for index, item in enumerate(data.get("metrics") or []):
            metrics.setdefault(
                item["id"],
                Metric(
                    id=item["id"],
                    name=item.get("name", item["id"]),
                    unit=item.get("unit", ""),
                    formula=item.get("formula"),
                    owners=dict(item.get("owners") or {}),
                    targets=tuple(item.get("targets") or ()),
                    index=index,
                ),
            )
        return cls(file, data.get("north_star"), tuple(data.get("key_metrics") or ()), metrics)
