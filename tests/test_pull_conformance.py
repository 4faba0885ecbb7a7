"""One registry, three engines, the same numbers: DuckDB, PostgreSQL and SQLite (DESIGN §7).

The same generated orders are loaded into each engine; every metric's values per ISO
week, month and quarter must agree across engines and with a plain-Python reference.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

import pull_data
from opsync.datapull.pull import PullOptions, pull
from opsync.metrics.periods import parse_period
from opsync.metrics.values import load_csv

Values = dict[str, dict[str, float]]  # metric -> period -> value


def pulled(root: Path) -> Values:
    result = pull(PullOptions(root, dry_run=True))
    values: Values = {}
    for change in result.changes:
        assert change.text is not None, change.metric
        data = load_csv(change.text.encode(), change.path)
        assert data.findings == []
        values.update(data.values)
    return values


def engine_workspaces(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    data = pull_data.rows()
    roots: dict[str, Path] = {}
    root = tmp_path / "duckdb-csv"
    pull_data.write_csv(root / "data/orders.csv", data)
    sources = {"local": {"url": "duckdb://"}}
    roots["duckdb-csv"] = pull_data.workspace(
        root, sources, pull_data.queries_from("'data/orders.csv'")
    )
    root = tmp_path / "duckdb-parquet"
    pull_data.write_parquet(root / "data/part-1/orders.parquet", data)
    roots["duckdb-parquet"] = pull_data.workspace(
        root, sources, pull_data.queries_from("'data/*/orders.parquet'")
    )
    root = tmp_path / "duckdb-file"
    root.mkdir()
    pull_data.write_duckdb(root / "shop.duckdb", data)
    roots["duckdb-file"] = pull_data.workspace(
        root, {"shop": {"url": "duckdb:///shop.duckdb"}}, pull_data.queries_from("orders")
    )
    root = tmp_path / "sqlite"
    root.mkdir()
    pull_data.write_sqlite(root / "shop.db", data)
    roots["sqlite"] = pull_data.workspace(
        root, {"shop": {"url": "sqlite:///shop.db"}}, pull_data.queries_from("orders")
    )
    pull_data.write_postgres(url, data)
    monkeypatch.setenv("OPSYNC_TEST_WAREHOUSE", url)
    roots["postgres"] = pull_data.workspace(
        tmp_path / "postgres",
        {"warehouse": {"url_env": "OPSYNC_TEST_WAREHOUSE"}},
        pull_data.queries_from("orders"),
    )
    return roots


def reference_items_per_order() -> dict[str, float]:
    """sum(qty) / count(*) per ISO week, month and quarter, in plain Python."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in pull_data.rows():
        at = row[2]
        if at is None:
            continue
        iso = at.isocalendar()
        for label in (
            f"{iso.year}-W{iso.week:02d}",
            f"{at.year}-{at.month:02d}",
            f"{at.year}-Q{(at.month - 1) // 3 + 1}",
        ):
            sums[label][0] += row[4]
            sums[label][1] += 1
    return {label: qty / count for label, (qty, count) in sums.items()}


def test_duckdb_postgres_and_sqlite_agree(
    tmp_path: Path,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    roots = engine_workspaces(tmp_path, pg_url, monkeypatch)
    results = {name: pulled(root) for name, root in roots.items()}
    expected = results["duckdb-csv"]
    assert set(expected) == set(pull_data.QUERIES)
    for name, values in results.items():
        assert set(values) == set(expected), name
        for metric, periods in expected.items():
            assert set(values[metric]) == set(periods), (name, metric)
            for period, value in periods.items():
                got = values[metric][period]
                assert math.isclose(got, value, rel_tol=1e-9), (name, metric, period, got, value)

    items = expected["items-per-order"]
    reference = reference_items_per_order()
    assert set(items) == set(reference)
    for period, value in reference.items():
        assert math.isclose(items[period], value, rel_tol=1e-9), period
    # Integer columns divide as numbers, not as integers.
    assert any(v != int(v) for v in items.values())
    # Sunday 23:59 and Monday 00:00 fall into different ISO weeks; week 53 exists.
    assert {"2026-W48", "2026-W49", "2026-W53", "2027-W01", "2026-W01"} <= set(items)
    assert "2025-W53" not in items  # 2025 has 52 ISO weeks: 2025-12-31 is in 2026-W01
    # A zero denominator is no value on every engine, never an error or infinity.
    refunds = expected["refund-share"]
    early = [p for p in refunds if parse_period(p).start < date(2026, 6, 29)]
    assert early == [], "periods without paid orders after July 2026 have no value"
    assert refunds, "periods after July 2026 have paid orders"


def test_periods_of_the_boundary_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edges = [row for row in pull_data.rows() if row[2] in pull_data.EDGES]
    root = tmp_path / "edges"
    pull_data.write_csv(root / "data/orders.csv", edges)
    queries = {"orders": {"from": "'data/orders.csv'", "time": "ordered_at", "value": "count(*)"}}
    pull_data.workspace(root, {"local": {"url": "duckdb://"}}, queries)
    counts = pulled(root)["orders"]
    assert counts == {
        "2025-12": 1, "2025-Q4": 1, "2026-W01": 2, "2026-01": 1, "2026-Q1": 1,
        "2026-W48": 1, "2026-W49": 1, "2026-11": 2, "2026-Q4": 3,
        "2026-W53": 2, "2026-12": 1, "2027-01": 2, "2027-Q1": 2, "2027-W01": 1,
    }  # fmt: skip
    assert date(2026, 12, 28).isocalendar().week == 53


def test_timestamps_with_a_time_zone_are_placed_in_utc(
    tmp_path: Path,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """23:30 on Sunday in New York is Monday in UTC; 00:30 on Monday in Berlin is Sunday."""
    import duckdb
    import psycopg

    stamps = ["2026-11-29 23:30:00-05:00", "2026-11-30 00:30:00+02:00"]
    query = {"tz": {"from": "tz_orders", "time": "paid_at", "value": "count(*)"}}
    duck = tmp_path / "duck"
    duck.mkdir()
    with duckdb.connect(str(duck / "tz.duckdb")) as conn:
        conn.execute("SET TimeZone = 'America/New_York'")  # the writer's zone must not matter
        conn.execute("CREATE TABLE tz_orders (paid_at TIMESTAMPTZ)")
        conn.executemany("INSERT INTO tz_orders VALUES (?::TIMESTAMPTZ)", [[s] for s in stamps])
    pull_data.workspace(duck, {"db": {"url": "duckdb:///tz.duckdb"}}, query, grains=("week",))
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("ALTER DATABASE postgres SET timezone TO 'Asia/Shanghai'")
        conn.execute("DROP TABLE IF EXISTS tz_orders")
        conn.execute("CREATE TABLE tz_orders (paid_at timestamptz)")
        for stamp in stamps:
            conn.execute("INSERT INTO tz_orders VALUES (%s)", [stamp])
    monkeypatch.setenv("OPSYNC_TEST_WAREHOUSE", pg_url)
    pg = pull_data.workspace(
        tmp_path / "pg", {"db": {"url_env": "OPSYNC_TEST_WAREHOUSE"}}, query, grains=("week",)
    )
    try:
        for root in (duck, pg):
            assert pulled(root)["tz"] == {"2026-W48": 1, "2026-W49": 1}, root
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("ALTER DATABASE postgres RESET timezone")


def test_the_engines_are_confined_even_if_a_query_got_past_the_parser(
    tmp_path: Path,
    pg_url: str,
) -> None:
    """Defence in depth: SQL the parser would refuse, sent straight to each engine."""
    import sqlite3

    import psycopg

    from opsync.datapull.engines import QueryRefused, SourceUnreachable, connect
    from opsync.datapull.urls import parse_url

    outside = tmp_path / "outside.csv"
    outside.write_text("secret\nhunter2\n", encoding="utf-8")
    root = tmp_path / "repo"
    root.mkdir()
    sqlite3.connect(root / "shop.db").close()
    refused = (QueryRefused, SourceUnreachable)
    duck = connect(parse_url("duckdb://"), root, 30, "local")
    try:
        for sql in (
            f"SELECT * FROM read_csv('{outside}')",
            f"SELECT * FROM '{outside}'",
            "SET enable_external_access = true",
            "INSTALL httpfs",
        ):
            with pytest.raises(refused):
                duck.run(sql)
    finally:
        duck.close()
    lite = connect(parse_url("sqlite:///shop.db"), root, 30, "shop")
    try:
        with pytest.raises(refused):
            lite.run("CREATE TABLE stolen (a INTEGER)")
    finally:
        lite.close()
    pg = connect(parse_url(pg_url), root, 30, "warehouse")
    try:
        with pytest.raises(refused):
            pg.run("CREATE TABLE stolen (a integer)")
    finally:
        pg.close()
    with psycopg.connect(pg_url) as conn:
        found = conn.execute("SELECT to_regclass('stolen') IS NULL").fetchone()
    assert found == (True,)
    with sqlite3.connect(root / "shop.db") as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
