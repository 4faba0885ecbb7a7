"""`opsync impact`: numbers checked by hand, verdicts, and a real series with a known step."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from impactflow import Workspace, week_doc, weekly_csv
from opsync.impact.promise import Promise, parse_promise
from opsync.impact.stats import bootstrap, compare, judge, percentile

UP5 = Promise("up", 5.0, True, 4)


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.05) == pytest.approx(1.15)
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.95) == pytest.approx(3.85)
    assert percentile([7.0], 0.5) == 7.0


def test_a_clean_step_by_hand() -> None:
    c = compare([10, 10, 10, 10], [12, 12, 12, 12])
    assert (c.before.mean, c.after.mean, c.change, c.change_pct) == (10, 12, 2, 20)
    assert c.interval == (2, 2) and c.interval_pct == (20, 20)
    assert judge(c, UP5) == "met"
    assert judge(c, Promise("up", 25.0, True, 4)) == "not-met"
    assert judge(c, Promise("up", 2.0, False, 4)) == "met"  # absolute: +2 reaches +2
    assert judge(c, Promise("down", 5.0, True, 4)) == "not-met"


def test_a_noisy_step_by_hand_is_deterministic() -> None:
    before, after = [9.0, 11.0, 9.0, 11.0], [10.0, 12.0, 10.0, 12.0]
    c = compare(before, after)
    assert (c.before.mean, c.after.mean, c.change) == (10, 11, 1)
    assert c.change_pct == pytest.approx(10)
    assert c.interval is not None
    lo, hi = c.interval
    # Each resampled mean lies in [9, 11] (before) and [10, 12] (after): the change in [-1, 3].
    assert -1 <= lo < 1 < hi <= 3
    assert compare(before, after) == c  # same input, same interval
    assert bootstrap(before, after) == bootstrap(list(before), list(after))
    assert judge(c, Promise("up", 10.0, True, 4)) == "inconclusive"  # straddles +10 %
    assert judge(c, Promise("up", 5.0, False, 4)) == "not-met"  # +3 at most


def test_down_promises() -> None:
    c = compare([20, 20, 20], [15, 15, 15])
    assert c.change_pct == -25
    assert judge(c, Promise("down", 10.0, True, 4)) == "met"
    assert judge(c, Promise("down", 30.0, True, 4)) == "not-met"
    assert judge(c, None) == "inconclusive"


def test_too_few_periods_give_no_number() -> None:
    c = compare([10.0], [12.0, 13.0])
    assert c.change is None and c.interval is None and c.before.mean is None
    assert (c.before.n, c.after.n) == (1, 2)
    assert c.after.mean == 12.5  # a side with enough values still shows its mean


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ({"direction": "up", "change": "5%", "within": 12}, True),
        ({"direction": "down", "change": 2.5, "within": 1}, True),
        ({"direction": "up", "change": "0%", "within": 12}, False),
        ({"direction": "up", "change": "5", "within": 12}, False),
        ({"direction": "sideways", "change": "5%", "within": 12}, False),
        ({"direction": "up", "change": True, "within": 12}, False),
        ({"direction": "up", "change": "5%", "within": 0}, False),
        (None, False),
    ],
)
def test_parse_promise(raw: Any, ok: bool) -> None:
    promise, problem = parse_promise(raw)
    assert (promise is not None) == ok and (problem == "") == ok


LAUNCH = date(2026, 2, 4)  # a Wednesday in 2026-W06


def stepped(tmp_path: Path, values: list[float] | None = None, **spec: str) -> Workspace:
    """conversion: 10 for weeks W02..W05, the launch week W06 at 11, then 12 for W07..W10."""
    ws = Workspace(tmp_path)
    series = values or [10, 10, 10, 10, 11, 12, 12, 12, 12]
    ws.repo.write("opsync/data/values.csv", weekly_csv("conversion", date(2026, 1, 5), series))
    ws.repo.write(
        "opsync/weeks/2026-W07.md", week_doc("2026-W07", [("tiers", "coupon <b>push</b>")])
    )
    ws.set_status("tiers", "validation", date(2026, 1, 20), **spec)
    ws.set_status("tiers", "launched", LAUNCH, **spec)
    return ws


def impact_json(run_cli: Any, ws: Workspace, *args: str) -> list[dict[str, Any]]:
    done = run_cli("impact", "--format", "json", *args, cwd=ws.path)
    assert done.code == 0, done
    records: list[dict[str, Any]] = json.loads(done.out)
    return records


def test_a_known_step_is_met(tmp_path: Path, run_cli: Any) -> None:
    ws = stepped(tmp_path)
    (record,) = impact_json(run_cli, ws, "tiers", "--today", "2026-04-01")
    assert record["launched"] == "2026-02-04" and record["launch_period"] == "2026-W06"
    assert record["before"] == {"n": 4, "mean": 10.0}
    assert record["after"] == {"n": 4, "mean": 12.0}
    assert (record["change"], record["change_pct"]) == (2.0, 20.0)
    assert record["interval"] == [2.0, 2.0]
    assert record["verdict"] == "met"
    assert record["causality"] == "directional, not causal"
    assert [(e["kind"], e["week"]) for e in record["overlapping"]] == [("campaign", "2026-W07")]


def test_verdicts_across_time_and_data(tmp_path: Path, run_cli: Any) -> None:
    ws = stepped(tmp_path, expected="{direction: up, change: 30%, within: 4}")
    assert impact_json(run_cli, ws, "--today", "2026-04-01")[0]["verdict"] == "not-met"
    ws.set_status("tiers", "launched", LAUNCH, expected="{direction: up, change: 30%, within: 20}")
    pending = impact_json(run_cli, ws, "--today", "2026-04-01")[0]
    assert pending["verdict"] == "too-early"  # not met yet, but promised within 20 weeks
    assert pending["change"] == 2.0 and "runs until 2026-06-24" in pending["note"]
    early = impact_json(run_cli, ws, "--today", "2026-02-20")[0]
    assert early["verdict"] == "too-early"
    monthly = impact_json(run_cli, ws, "--grain", "month", "--today", "2026-09-01")[0]
    assert monthly["verdict"] == "no-data"  # weekly values only: no months to compare
    assert monthly["change"] is None and monthly["interval"] is None
    ws.set_status("other", "build", date(2026, 2, 5))
    records = impact_json(run_cli, ws, "other", "--today", "2026-04-01")
    assert records[0]["verdict"] == "not-launched"


def test_a_gap_shrinks_a_side_until_no_data(tmp_path: Path, run_cli: Any) -> None:
    ws = stepped(tmp_path, values=[10, 10, 10, 10, 11, 12])  # one week after launch only
    (record,) = impact_json(run_cli, ws, "--today", "2026-06-01")
    assert record["verdict"] == "no-data"
    assert record["after"]["n"] == 1 and record["change"] is None


def test_text_and_markdown_say_directional_not_causal(tmp_path: Path, run_cli: Any) -> None:
    ws = stepped(tmp_path)
    text = run_cli("impact", "--today", "2026-04-01", cwd=ws.path).out
    assert "directional, not causal" in text
    assert "verdict      met" in text and "+2.00 (+20.00 %)" in text
    md = run_cli("impact", "--format", "markdown", "--today", "2026-04-01", cwd=ws.path).out
    assert "directional, not causal" in md and "<b>" not in md
    ws.repo.write("opsync.yml", ws.path.joinpath("opsync.yml").read_text() + "lang: zh\n")
    zh = run_cli("impact", "--today", "2026-04-01", cwd=ws.path).out
    assert "方向性参考，非因果结论" in zh and "达成" in zh


def test_composite_metric_with_a_step(tmp_path: Path, run_cli: Any) -> None:
    ws = Workspace(tmp_path)
    orders = weekly_csv("orders", date(2026, 1, 5), [2, 2, 2, 2, 2, 3, 3, 3, 3])
    aov = weekly_csv("aov", date(2026, 1, 5), [50] * 9).split("\n", 1)[1]
    ws.repo.write("opsync/data/values.csv", orders + aov)
    ws.set_status("tiers", "launched", LAUNCH, metric="value")
    (record,) = impact_json(run_cli, ws, "--today", "2026-04-01")
    assert (record["before"]["mean"], record["after"]["mean"]) == (100.0, 150.0)
    assert record["change_pct"] == 50.0 and record["verdict"] == "met"


def test_unknown_feature_is_a_usage_error(tmp_path: Path, run_cli: Any) -> None:
    ws = stepped(tmp_path)
    done = run_cli("impact", "nope", cwd=ws.path)
    assert done.code == 2 and "no such feature: nope" in done.err


def test_a_zero_mean_before_has_no_percentage() -> None:
    c = compare([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    assert c.change == 1 and c.change_pct is None and c.interval_pct is None
    assert judge(c, UP5) == "inconclusive"  # a relative promise cannot be judged
    assert judge(c, Promise("up", 0.5, False, 4)) == "met"
