"""The offline half of `metrics pull`: query refusal, URL redaction, period labels."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from opsync.datapull.compile import as_start, compile_query, grain_start, label, since_start
from opsync.datapull.query import parse_query
from opsync.datapull.urls import UrlError, parse_url, redact, scrub

BASE = {"from": "orders", "time": "ordered_at", "value": "sum(amount) / count(*)"}


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"where": "note = 'a;b' and status <> 'x'"},  # a `;` inside a string is data
        {"from": "sales.orders"},
        {"from": '"Orders 2026"'},
        {"from": "'data/orders/**/*.parquet'"},
        {"value": "count(*) * 1.0 / count(distinct member_id)"},
        {"value": "sum(case when status = 'paid' then amount else 0 end) / count(*)"},
        {"time": "cast(ordered_at as date)"},
    ],
)
def test_good_queries_parse(change: dict[str, str]) -> None:
    parsed, problems = parse_query(BASE | change)
    assert problems == [] and parsed is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "1); DROP TABLE orders; --"}, "value"),
        ({"where": "1=1; DELETE FROM orders"}, "where"),
        ({"where": "1=1 -- ; drop"}, None),  # a comment is dropped, never sent
        ({"from": "read_csv('/etc/passwd')"}, "from"),
        ({"from": "orders; drop table orders"}, "from"),
        ({"from": "orders o join members m on true"}, "from"),
        ({"from": "'../outside.csv'"}, "from"),
        ({"from": "'/etc/passwd'"}, "from"),
        ({"from": "'https://example.com/x.parquet'"}, "from"),
        ({"value": "sum(amount) over ()"}, "value"),
        ({"value": "(select count(*) from members)"}, "value"),
        ({"value": "count(*) + length(getenv('HOME'))"}, "value"),
        ({"value": "sum(length(read_text('/etc/hostname')))"}, "value"),
        ({"value": "amount"}, "value"),
        ({"time": "max(ordered_at)"}, "time"),
        ({"where": "exists (select 1 from pg_shadow)"}, "where"),
        ({"value": ""}, "value"),
    ],
)
def test_refused_queries_name_the_field(change: dict[str, str], field: str | None) -> None:
    parsed, problems = parse_query(BASE | change)
    if field is None:
        assert problems == [] and parsed is not None
        sql = compile_query(parsed, "week", "postgres", None, Path("/repo"))
        assert "drop" not in sql.lower() and "--" not in sql
        return
    assert parsed is None
    assert [p.field for p in problems] == [field], problems
    assert all(p.message and p.hint for p in problems)


def test_division_is_true_division_and_safe_on_every_engine() -> None:
    parsed, _ = parse_query(BASE | {"value": "sum(qty) / sum(items)"})
    assert parsed is not None
    for dialect, cast in [("postgres", "DOUBLE PRECISION"), ("sqlite", "REAL")]:
        sql = compile_query(parsed, "month", dialect, date(2026, 1, 1), Path("/repo"))
        assert f"CAST(SUM(qty) AS {cast})" in sql and "NULLIF(SUM(items), 0)" in sql, sql
    duck = compile_query(parsed, "week", "duckdb", None, Path("/repo"))
    assert "DATE_TRUNC('WEEK', ordered_at)" in duck and "NULLIF(SUM(items), 0)" in duck


@pytest.mark.parametrize(
    ("grain", "day", "start", "text"),
    [
        ("week", date(2026, 11, 29), date(2026, 11, 23), "2026-W48"),  # a Sunday
        ("week", date(2026, 11, 30), date(2026, 11, 30), "2026-W49"),  # the Monday after
        ("week", date(2027, 1, 3), date(2026, 12, 28), "2026-W53"),
        ("week", date(2025, 12, 31), date(2025, 12, 29), "2026-W01"),
        ("month", date(2026, 2, 28), date(2026, 2, 1), "2026-02"),
        ("quarter", date(2026, 12, 31), date(2026, 10, 1), "2026-Q4"),
        ("quarter", date(2027, 1, 1), date(2027, 1, 1), "2027-Q1"),
    ],
)
def test_period_starts_and_labels(grain: str, day: date, start: date, text: str) -> None:
    assert grain_start(grain, day) == start
    assert label(grain, start) == text


def test_engine_starts_are_checked_and_since_aligns_to_the_grain() -> None:
    moment = datetime(2026, 11, 30, tzinfo=timezone.utc)  # noqa: UP017
    assert as_start("week", moment) == date(2026, 11, 30)
    assert as_start("week", "2026-11-30") == date(2026, 11, 30)
    with pytest.raises(ValueError, match="as the start of a week"):
        as_start("week", date(2026, 12, 1))  # a Tuesday: an engine's drift, never a label
    assert since_start("week", "2025-01") == date(2024, 12, 30)
    assert since_start("quarter", "2025-05") == date(2025, 4, 1)
    assert since_start("month", None) is None


def test_urls_are_parsed_and_redacted() -> None:
    url = "postgresql://reader:p%40ss;word@db.internal:5432/shop?sslmode=require"
    assert redact(url) == "postgresql://reader:***@db.internal:5432/shop?sslmode=require"
    assert "p%40ss" not in scrub(f"failed for {url} (p@ss;word)", url)
    assert "p@ss;word" not in scrub("password p@ss;word rejected", url)
    raw = "postgresql://u:p@ssw0rd@db.internal/shop"  # an unencoded `@` in the password
    assert "ssw0rd" not in redact(raw) and redact(raw).endswith("@db.internal/shop")
    assert "w0rd" not in scrub(f"connection to {raw} failed: user u, password p@ssw0rd", raw)
    assert parse_url("duckdb://").path is None
    assert parse_url("duckdb:///opsync/data/events.duckdb").path == "opsync/data/events.duckdb"
    assert parse_url("sqlite:///shop.db").engine == "sqlite"
    assert parse_url(url).password == "p%40ss;word"
    for bad in ("mysql://x/y", "duckdb://relative/path.duckdb", "sqlite://", "nonsense"):
        with pytest.raises(UrlError) as error:
            parse_url(bad)
        assert "p@ss" not in str(error.value)
