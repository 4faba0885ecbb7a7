"""Periods of metric values: ISO week `2026-W48`, month `2026-11`, quarter `2026-Q4`,
date `2026-11-24`.

Every period maps to the date it starts on, so mixed kinds sort on one time line; on the
same start date the longer period comes first (quarter, month, week, date).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

PERIOD_KINDS = ("quarter", "month", "week", "date")  # longest first: the tie-break order
EXPECTED = "an ISO week 2026-W48, a month 2026-11, a quarter 2026-Q4 or a date 2026-11-24"

_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q(\d)")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Period:
    text: str
    kind: str  # one of PERIOD_KINDS
    start: date


def parse_period(text: str) -> Period:
    """Parse a period or raise ValueError whose message says what a period looks like."""
    if match := _WEEK.fullmatch(text):
        year, week = _year(text, match[1]), int(match[2])
        last = date(year, 12, 28).isocalendar().week  # 28 December is in the last week
        if not 1 <= week <= last:
            raise ValueError(f"'{text}': {year} has weeks W01 to W{last:02d}")
        return Period(text, "week", date.fromisocalendar(year, week, 1))
    if match := _MONTH.fullmatch(text):
        year, month = _year(text, match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"'{text}': month must be 01 to 12")
        return Period(text, "month", date(year, month, 1))
    if match := _QUARTER.fullmatch(text):
        year, quarter = _year(text, match[1]), int(match[2])
        if not 1 <= quarter <= 4:
            raise ValueError(f"'{text}': quarter must be Q1 to Q4")
        return Period(text, "quarter", date(year, 3 * quarter - 2, 1))
    if match := _DATE.fullmatch(text):
        try:
            day = date(_year(text, match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise ValueError(f"'{text}' is not a real date") from None
        return Period(text, "date", day)
    if re.fullmatch(r"\d{4}-[wq]\d+", text):
        raise ValueError(f"'{text}': write the W or Q in uppercase")
    raise ValueError(f"'{text}' is not a period; write {EXPECTED}")


def _year(text: str, digits: str) -> int:
    if int(digits) < 1:
        raise ValueError(f"'{text}': year 0000 does not exist")
    return int(digits)


def period_kind(text: str) -> str | None:
    """'week', 'month', 'quarter' or 'date'; None when `text` is not a valid period."""
    try:
        return parse_period(text).kind
    except ValueError:
        return None


def period_start(text: str) -> date | None:
    """The first day of the period; None when `text` is not a valid period."""
    try:
        return parse_period(text).start
    except ValueError:
        return None


def period_sort_key(text: str) -> tuple[date, int, str]:
    """Chronological key: start date, then longer periods first; invalid periods go last."""
    try:
        period = parse_period(text)
    except ValueError:
        return (date.max, len(PERIOD_KINDS), text)
    return (period.start, PERIOD_KINDS.index(period.kind), text)


def chronological(periods: Iterable[str]) -> list[str]:
    """The distinct periods in time order."""
    return sorted(set(periods), key=period_sort_key)
