"""Metric series: one grain per series, the finest recorded (metrics pulled at week, month
and quarter must not interleave a month's value between two weeks')."""

from __future__ import annotations

from opsync.documents import safe_yaml
from opsync.documents.located import YamlFile
from opsync.metrics.registry import Registry
from opsync.metrics.series import metric_views

REGISTRY = """\
version: 1
north_star: density
key_metrics: [density]
metrics:
  - {id: purchases, name: Purchases, unit: x}
  - {id: aov, name: AOV, unit: y}
  - {id: density, name: Density, unit: z, formula: purchases * aov}
"""


def registry() -> Registry:
    return Registry.from_file(YamlFile("opsync/metrics.yml", REGISTRY, safe_yaml.load(REGISTRY)))


def test_a_series_keeps_the_finest_grain_recorded() -> None:
    values = {
        "purchases": {"2026-W47": 1.5, "2026-W48": 1.6, "2026-11": 6.2, "2026-Q4": 15.0},
        "aov": {"2026-W47": 150.0, "2026-W48": 160.0, "2026-11": 155.0, "2026-Q4": 154.0},
    }
    views = metric_views(registry(), values, {})
    assert [p.period for p in views["purchases"].points] == ["2026-W47", "2026-W48"]
    density = views["density"]
    assert [p.period for p in density.points] == ["2026-W47", "2026-W48"]
    assert density.latest is not None and density.latest.value == 1.6 * 160.0
    assert density.previous is not None and density.previous.period == "2026-W47"


def test_monthly_data_alone_is_drawn_monthly() -> None:
    values = {"purchases": {"2026-10": 6.0, "2026-11": 6.2}, "aov": {"2026-10": 1.0}}
    views = metric_views(registry(), values, {})
    assert [p.period for p in views["purchases"].points] == ["2026-10", "2026-11"]
    # a gap is shown where an input is missing, never a zero
    assert [p.value for p in views["density"].points] == [6.0, None]
