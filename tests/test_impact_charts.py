"""Chart geometry: ticks, period labels and where events land."""

from __future__ import annotations

from datetime import date

from opsync.dashboard.labels import LABELS
from opsync.dashboard.svg import ChartEvent, chart, nice_ticks, tick_text
from opsync.metrics.series import Point, Target


def weeks(values: list[float | None]) -> list[Point]:
    return [Point(f"2026-W{n:02d}", v) for n, v in enumerate(values, start=10)]


def test_ticks_are_round_and_cover_the_values() -> None:
    assert nice_ticks(152.6, 153.9) == [152.5, 153.0, 153.5, 154.0]
    assert nice_ticks(398.5, 434.7) == [390, 400, 410, 420, 430, 440]
    assert nice_ticks(-3, 7) == [-5, 0, 5, 10]
    assert (tick_text(12_000), tick_text(2_500_000), tick_text(0.25)) == ("12k", "2.5M", "0.25")


def test_period_axis_is_labelled_and_thinned() -> None:
    c = chart(weeks([1.0] * 12))
    labels = [text for _, text in c.x_labels]
    assert labels == ["2026-W10", "W13", "W16", "W19"]
    assert c.y_ticks and all(text for _, text in c.y_ticks)


def test_target_and_baseline_lines_sit_inside_the_ticks() -> None:
    c = chart(weeks([100.0, 110.0]), Target("2026-Q1", 90.0, 130.0))
    assert c.target_y is not None and c.baseline_y is not None
    top, bottom = c.plot[1], c.plot[3]
    assert top <= c.target_y < c.baseline_y <= bottom


def test_events_land_in_their_period_and_outside_ones_are_left_off() -> None:
    points = weeks([1.0, 2.0, 3.0, 4.0])  # 2026-W10 .. W13: 2 March to 29 March
    events = [
        ChartEvent("launch", date(2026, 3, 11), "Tiers <b>", "launch 2026-03-11: Tiers <b>"),
        ChartEvent("campaign", date(2026, 3, 23), "Coupon", "campaign 2026-W13: Coupon"),
        ChartEvent("launch", date(2026, 3, 30), "Too late", "after the last week"),
        ChartEvent("launch", date(2026, 2, 1), "Too early", "before the first week"),
    ]
    c = chart(points, None, events)
    launch, campaign = c.marks
    assert (launch.kind, launch.x, launch.label) == ("launch", c.x_labels[1][0], "Tiers <b>")
    assert campaign.kind == "campaign" and campaign.x < campaign.x2
    assert launch.title == "launch 2026-03-11: Tiers <b>"  # escaped by the template


def test_only_the_latest_events_get_visible_labels() -> None:
    points = weeks([1.0] * 10)
    events = [
        ChartEvent("launch", date(2026, 3, 2) + (date(2026, 3, 9) - date(2026, 3, 2)) * n,
                   f"feature {n} with a long name", f"launch {n}")
        for n in range(8)
    ]  # fmt: skip
    marks = chart(points, None, events).marks
    shown = [m.label for m in marks if m.label]
    assert len(marks) == 8 and len(shown) == 4
    assert all(len(label) <= 16 for label in shown) and shown[-1].endswith("…")


def test_label_catalogue_has_both_languages_with_the_same_keys() -> None:
    from opsync.dashboard.labels import labels

    assert set(LABELS["en"]) == set(LABELS["zh"])
    assert set(labels("en")) == set(labels("zh"))
    assert labels("zh")["met"] == "达成"  # the impact card's words, from their one home
    assert "not causal" in LABELS["en"]["caveat"] and "非因果" in LABELS["zh"]["caveat"]
    assert "签核" not in "".join(labels("zh").values())  # teams say 审批
