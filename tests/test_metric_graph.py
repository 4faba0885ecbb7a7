"""The metric graph: cycles with their path, alignment, the metric tree and composite series."""

from __future__ import annotations

import pytest

from opsync.metrics.formula import Formula, parse
from opsync.metrics.graph import (
    aligned,
    dependencies,
    feeds,
    find_cycles,
    split_suggestion,
    topological_order,
    unknown_references,
)
from opsync.metrics.graph import compute_series as series


def registry(**formulas: str | None) -> dict[str, Formula | None]:
    """Metric ids use hyphens; keyword names use underscores."""
    return {k.replace("_", "-"): parse(f) if f else None for k, f in formulas.items()}


DESIGN = registry(
    monthly_purchases_per_member=None,
    average_order_value=None,
    member_value_density="monthly-purchases-per-member * average-order-value",
    first_order_conversion="first-orders / new-members",
    first_orders=None,
    new_members=None,
    page_views=None,
)


def test_dependencies_are_sorted_references() -> None:
    assert dependencies(DESIGN)["member-value-density"] == [
        "average-order-value",
        "monthly-purchases-per-member",
    ]
    assert dependencies(DESIGN)["page-views"] == []


def test_no_cycles_in_the_design_registry() -> None:
    assert find_cycles(DESIGN) == []


def test_three_metric_cycle_reports_its_path() -> None:
    formulas = registry(a="b * 2", b="c + d", c="a", d=None)
    assert find_cycles(formulas) == [["a", "b", "c", "a"]]


def test_self_reference_and_two_separate_cycles_are_each_reported() -> None:
    formulas = registry(x="x + 1", p="q", q="p", base=None, user="p * base")
    assert find_cycles(formulas) == [["p", "q", "p"], ["x", "x"]]


def test_cycle_report_is_deterministic_whatever_the_insertion_order() -> None:
    one = registry(a="b", b="c", c="a")
    other = dict(reversed(list(one.items())))
    assert find_cycles(one) == find_cycles(other) == [["a", "b", "c", "a"]]


def test_tangled_group_reports_one_shortest_cycle_from_its_smallest_id() -> None:
    formulas = registry(a="b + c", b="c", c="a")
    assert find_cycles(formulas) == [["a", "c", "a"]]


def test_a_long_chain_does_not_exhaust_the_stack() -> None:
    formulas: dict[str, Formula | None] = {f"m{i}": parse(f"m{i + 1}") for i in range(3000)}
    formulas["m3000"] = parse("m0")
    (cycle,) = find_cycles(formulas)
    assert len(cycle) == 3002 and cycle[0] == cycle[-1] == "m0"


def test_unknown_references_and_a_glued_minus_suggestion() -> None:
    formulas = registry(a=None, b=None, c="a-b * 2", d="a + b", e="zeta + a")
    assert unknown_references(formulas) == {"c": ["a-b"], "e": ["zeta"]}
    assert unknown_references(formulas, known={"a", "b", "zeta"}) == {"c": ["a-b"]}
    assert split_suggestion("a-b", formulas.keys()) == "a - b"
    assert split_suggestion("zeta", formulas.keys()) is None


def test_split_suggestion_with_hyphenated_halves() -> None:
    known = {"gross-revenue", "refund-total"}
    assert split_suggestion("gross-revenue-refund-total", known) == "gross-revenue - refund-total"


def test_aligned_is_key_metrics_and_everything_feeding_them_transitively() -> None:
    formulas = registry(
        star="density * members",
        density="purchases * aov",
        purchases=None,
        aov=None,
        members=None,
        unrelated=None,
        uses_star="star * 2",
    )
    assert aligned(["star"], formulas) == {"star", "density", "members", "purchases", "aov"}


def test_design_alignment() -> None:
    keys = ["member-value-density", "first-order-conversion"]
    assert aligned(keys, DESIGN) == set(DESIGN) - {"page-views"}


def test_aligned_survives_cycles_and_unknown_references() -> None:
    formulas = registry(k="a + ghost", a="b", b="a")
    assert aligned(["k"], formulas) == {"k", "a", "b"}


def test_feeds_maps_inputs_to_the_metrics_they_feed() -> None:
    tree = feeds(DESIGN)
    assert tree["monthly-purchases-per-member"] == {"member-value-density"}
    assert tree["first-orders"] == {"first-order-conversion"}
    assert tree["member-value-density"] == set()
    assert tree["page-views"] == set()


def test_topological_order_puts_inputs_first_and_leaves_cycles_out() -> None:
    formulas = registry(top="mid * c", mid="a + b", a=None, b=None, c=None, x="y", y="x", z="x")
    assert topological_order(formulas) == ["a", "b", "c", "mid", "top"]


def test_composite_over_two_levels_per_period_in_time_order() -> None:
    formulas = registry(
        purchases=None,
        aov=None,
        members=None,
        density="purchases * aov",
        total="density * members",
    )
    base = {
        "purchases": {"2026-11": 1.5, "2026-10": 1.4},
        "aov": {"2026-11": 265.0, "2026-10": 260.0},
        "members": {"2026-11": 1000.0, "2026-10": 900.0},
    }
    result = series(formulas, base)
    assert list(result["total"]) == ["2026-10", "2026-11"]
    assert result["density"] == {"2026-10": pytest.approx(364.0), "2026-11": 397.5}
    assert result["total"] == {"2026-10": pytest.approx(327600.0), "2026-11": 397500.0}


def test_missing_inputs_are_gaps_all_the_way_up() -> None:
    formulas = registry(a=None, b=None, ratio="a / b", top="ratio + a")
    base = {"a": {"2026-W47": 4.0, "2026-W48": 6.0}, "b": {"2026-W47": 0.0, "2026-W49": 2.0}}
    result = series(formulas, base)
    assert result["a"] == {"2026-W47": 4.0, "2026-W48": 6.0, "2026-W49": None}
    assert result["ratio"] == {"2026-W47": None, "2026-W48": None, "2026-W49": None}
    assert result["top"] == {"2026-W47": None, "2026-W48": None, "2026-W49": None}


def test_metrics_on_a_cycle_have_only_gaps_and_others_still_compute() -> None:
    formulas = registry(a=None, x="y", y="x", z="x + a", ok="a * 2")
    result = series(formulas, {"a": {"2026-Q4": 3.0}})
    assert result["x"] == result["y"] == result["z"] == {"2026-Q4": None}
    assert result["ok"] == {"2026-Q4": 6.0}


def test_recorded_values_of_a_composite_are_not_used() -> None:
    formulas = registry(a=None, double="a * 2")
    result = series(formulas, {"a": {"2026-11-24": 5.0}, "double": {"2026-11-24": 99.0}})
    assert result["double"] == {"2026-11-24": 10.0}


def test_no_data_gives_empty_series() -> None:
    assert series(DESIGN, {}) == {metric: {} for metric in DESIGN}
