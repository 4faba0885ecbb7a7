"""Generated orders for the `metrics pull` tests, loaded into each engine the same way.

The rows hit the traps on purpose: Sunday 23:59 and Monday 00:00 of the same weekend,
ISO week 53 (2026-W53 runs from Monday 2026-12-28 to Sunday 2027-01-03), the days around
New Year (2025-12-31 is in 2026-W01), integer columns divided by each other, NULL times,
NULL values, and a quarter whose denominator is zero.
"""

from __future__ import annotations

import csv
import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

COLUMNS = ("order_id", "member_id", "ordered_at", "amount", "qty", "discount", "status")
Row = tuple[int, int, datetime | None, float | None, int, int | None, str]

EDGES = [
    datetime(2026, 11, 29, 23, 59, 0),  # Sunday: 2026-W48
    datetime(2026, 11, 30, 0, 0, 0),  # Monday: 2026-W49
    datetime(2025, 12, 31, 12, 0, 0),  # Wednesday: 2026-W01, month 2025-12, 2025-Q4
    datetime(2026, 1, 1, 0, 0, 0),  # Thursday: 2026-W01, 2026-01, 2026-Q1
    datetime(2026, 12, 28, 0, 0, 0),  # Monday: 2026-W53
    datetime(2027, 1, 3, 23, 59, 59),  # Sunday: still 2026-W53, but 2027-01 and 2027-Q1
    datetime(2027, 1, 4, 0, 0, 0),  # Monday: 2027-W01
]

QUERIES: dict[str, dict[str, str]] = {
    "purchases-per-member": {
        "time": "ordered_at",
        "value": "count(*) * 1.0 / count(distinct member_id)",
        "where": "status = 'paid'",
    },
    "items-per-order": {"time": "ordered_at", "value": "sum(qty) / count(*)"},  # int / int
    "discount-per-item": {"time": "ordered_at", "value": "sum(discount) / sum(qty)"},  # NULLs
    "average-order-value": {"time": "ordered_at", "value": "sum(amount) / count(amount)"},
    "refund-share": {  # the denominator is zero in periods without paid orders
        "time": "ordered_at",
        "value": "sum(case when status = 'refunded' then 1 else 0 end) / "
        "sum(case when status = 'paid' and ordered_at >= '2026-07-01' then 1 else 0 end)",
    },
}


def rows(count: int = 400, seed: int = 7) -> list[Row]:
    rng = random.Random(seed)
    start = datetime(2025, 6, 1)
    out: list[Row] = []
    times: list[datetime | None] = [*EDGES, None, None]
    times += [start + timedelta(minutes=rng.randint(0, 60 * 24 * 600)) for _ in range(count)]
    for n, at in enumerate(times, start=1):
        amount = None if n % 17 == 0 else round(rng.uniform(5, 300), 2)
        discount = None if n % 5 == 0 else rng.randint(0, 3)
        status = "refunded" if n % 9 == 0 else "paid"
        out.append((n, rng.randint(1, 40), at, amount, rng.randint(1, 4), discount, status))
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def write_csv(path: Path, data: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows([_text(v) for v in row] for row in data)


DUCKDB_TABLE = (
    "CREATE TABLE orders (order_id INTEGER, member_id INTEGER, ordered_at TIMESTAMP, "
    "amount DOUBLE, qty INTEGER, discount INTEGER, status VARCHAR)"
)


def write_parquet(path: Path, data: list[Row]) -> None:
    import duckdb

    conn = duckdb.connect()
    conn.execute(DUCKDB_TABLE)
    conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)", data)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn.execute(f"COPY orders TO '{path}' (FORMAT parquet)")
    conn.close()


def write_duckdb(path: Path, data: list[Row]) -> None:
    import duckdb

    conn = duckdb.connect(str(path))
    conn.execute(DUCKDB_TABLE)
    conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)", data)
    conn.close()


def write_sqlite(path: Path, data: list[Row]) -> None:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE orders (order_id INTEGER, member_id INTEGER, ordered_at TEXT, "
        "amount REAL, qty INTEGER, discount INTEGER, status TEXT)"
    )
    conn.executemany(
        "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)",
        [tuple(_text(v) if isinstance(v, datetime) else v for v in row) for row in data],
    )
    conn.commit()
    conn.close()


def write_postgres(url: str, data: list[Row], table: str = "orders") -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(
            f"CREATE TABLE {table} (order_id integer, member_id integer, "
            "ordered_at timestamp, amount double precision, qty integer, discount integer, "
            "status text)"
        )
        with conn.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s, %s)", data)


def workspace(
    root: Path,
    sources: dict[str, dict[str, str]],
    queries: dict[str, dict[str, str]],
    grains: tuple[str, ...] = ("week", "month", "quarter"),
) -> Path:
    """A minimal opsync workspace whose base metrics carry `queries`."""
    root.mkdir(parents=True, exist_ok=True)
    policy = {
        "version": 1,
        "roles": {"product": ["alice"], "ops": ["carol"], "admins": ["erin"]},
        "data": {"sources": sources, "grains": list(grains)},
    }
    (root / "opsync.yml").write_text(yaml.safe_dump(policy, sort_keys=False), encoding="utf-8")
    metrics = {
        "version": 1,
        "metrics": [
            {"id": metric, "name": metric, "query": query} for metric, query in queries.items()
        ],
    }
    (root / "opsync").mkdir(exist_ok=True)
    (root / "opsync/metrics.yml").write_text(
        yaml.safe_dump(metrics, sort_keys=False, width=1000), encoding="utf-8"
    )
    return root


def queries_from(table: str) -> dict[str, dict[str, str]]:
    return {metric: {"from": table, **query} for metric, query in QUERIES.items()}
