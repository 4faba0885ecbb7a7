"""ISO weeks: the calendar's edge cases (week 53, year boundaries)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsync.isoweek import (
    current_week,
    is_week,
    next_week,
    parse_week,
    previous_week,
    week_start,
    weeks_between,
    weeks_in_year,
)


def test_current_week_uses_iso_numbering() -> None:
    assert current_week(date(2026, 11, 24)) == "2026-W48"
    # 1 January 2027 is a Friday: it belongs to the last week of 2026.
    assert current_week(date(2027, 1, 1)) == "2026-W53"
    # 29 December 2025 is a Monday in week 1 of 2026.
    assert current_week(date(2025, 12, 29)) == "2026-W01"


def test_current_week_defaults_to_today() -> None:
    assert current_week() == current_week(date.today())


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-W48", (2026, 48)), ("2020-W53", (2020, 53)), ("2026-W01", (2026, 1))],
)
def test_parse_week_accepts(text: str, expected: tuple[int, int]) -> None:
    assert parse_week(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-W53", "W01 to W52"),
        ("2026-W00", "W01 to W53"),
        ("2026-W54", "W01 to W53"),
        ("2026-48", "YYYY-Www"),
        ("2026-W8", "YYYY-Www"),
        ("26-W48", "YYYY-Www"),
        ("0000-W01", "out of range"),
        ("", "YYYY-Www"),
    ],
)
def test_parse_week_rejects_with_a_fix(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_week(text)
    assert not is_week(text)


def test_years_with_53_weeks() -> None:
    assert [y for y in range(2015, 2033) if weeks_in_year(y) == 53] == [2015, 2020, 2026, 2032]


def test_week_start_is_monday() -> None:
    assert week_start("2026-W48") == date(2026, 11, 23)
    assert week_start("2026-W01") == date(2025, 12, 29)


def test_neighbours_cross_year_boundaries() -> None:
    assert previous_week("2027-W01") == "2026-W53"
    assert previous_week("2026-W01") == "2025-W52"
    assert next_week("2026-W53") == "2027-W01"
    assert weeks_between("2026-W52", "2027-W02") == 3
    assert weeks_between("2027-W02", "2026-W52") == -3


@given(st.dates(min_value=date(1900, 1, 8), max_value=date(2999, 12, 20)))
def test_week_round_trip(day: date) -> None:
    week = current_week(day)
    assert week_start(week) <= day < week_start(next_week(week))
    assert previous_week(next_week(week)) == week
    assert weeks_between(previous_week(week), week) == 1
