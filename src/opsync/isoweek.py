"""ISO 8601 weeks as opsync names them: `2026-W48`.

Week docs are keyed by ISO week, so "which week is it" must agree with the calendar
everyone's planning tools use: weeks start on Monday and week 1 holds the first Thursday.
Only years whose 28 December falls in week 53 have a week 53.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


def format_week(year: int, week: int) -> str:
    return f"{year:04d}-W{week:02d}"


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December is always in the year's last ISO week."""
    return date(year, 12, 28).isocalendar().week


def current_week(today: date | None = None) -> str:
    """The ISO week holding `today` (default: the local date), e.g. `2026-W48`."""
    year, week, _ = (today or date.today()).isocalendar()
    return format_week(year, week)


def parse_week(text: str) -> tuple[int, int]:
    """`2026-W48` -> (2026, 48). Raises ValueError whose message names the fix."""
    match = WEEK_PATTERN.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"'{text}' is not an ISO week; write it as YYYY-Www, e.g. 2026-W48")
    year, week = int(match.group(1)), int(match.group(2))
    if year < 1:
        raise ValueError(f"'{text}': year {year} is out of range")
    last = weeks_in_year(year)
    if not 1 <= week <= last:
        raise ValueError(f"'{text}': {year} has weeks W01 to W{last:02d}")
    return year, week


def is_week(text: str) -> bool:
    try:
        parse_week(text)
    except ValueError:
        return False
    return True


def week_start(text: str) -> date:
    """The Monday of the week."""
    year, week = parse_week(text)
    return date.fromisocalendar(year, week, 1)


def week_of(day: date) -> str:
    return current_week(day)


def weeks_between(a: str, b: str) -> int:
    """Whole weeks from `a` to `b`; negative when `b` comes first."""
    return (week_start(b) - week_start(a)).days // 7


def previous_week(text: str) -> str:
    return _moved(text, -7)


def next_week(text: str) -> str:
    return _moved(text, 7)


def _moved(text: str, days: int) -> str:
    try:
        return week_of(week_start(text) + timedelta(days=days))
    except OverflowError:  # before 0001-W01 or after 9999-W52: a ValueError like the rest
        raise ValueError(f"'{text}': no ISO week {'before' if days < 0 else 'after'} it") from None
