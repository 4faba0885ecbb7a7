"""The example workspace's data set: members and their orders, generated, not shipped.

`opsync init --example` writes `data/members.csv` and `data/orders.csv` so the example's
metric queries run out of the box (`opsync metrics pull`, DuckDB reading the CSV files).
The rows are generated at init time from a fixed seed, for the 26 full weeks before the
init week: deterministic for a given week, about 120 kB, and always recent enough for the
dashboard. Pure Python: init needs no database engine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from opsync.isoweek import week_start

MEMBERS_PATH = "data/members.csv"
ORDERS_PATH = "data/orders.csv"
WEEKS = 26
SEED = 20261124
# The demo launches member-tiers this many weeks before the init week: from that week on
# the loyal members buy more often and spend more, a known step its impact card scores.
STEP_WEEKS_AGO = 5


@dataclass(frozen=True)
class ExampleData:
    members: str  # CSV text
    orders: str


def generate(week: str) -> ExampleData:
    """Members and orders for the WEEKS full weeks before ISO week `week`."""
    end = week_start(week)  # Monday of the init week: data stops the Sunday before
    start = end - timedelta(weeks=WEEKS)
    rng = random.Random(SEED)
    members = ["member_id,joined_at,first_order_at"]
    joined: list[tuple[int, datetime]] = []
    member_id = 1000
    # Members join over twice the window: the first half are the existing customers.
    for day in _days(start - timedelta(weeks=WEEKS), end):
        for _ in range(rng.randint(2, 6)):
            member_id += 1
            at = _moment(rng, day)
            progress = (day - start).days / (WEEKS * 7)  # conversion improves over time
            converts = rng.random() < 0.12 + 0.025 * max(0.0, progress)
            first = _stamp(at + timedelta(hours=rng.randint(1, 24 * 10))) if converts else ""
            members.append(f"{member_id},{_stamp(at)},{first}")
            joined.append((member_id, at))
    orders = ["order_id,member_id,ordered_at,amount,status"]
    order_id = 500_000
    regulars = [m for m, _ in joined[: len(joined) // 2]][::10]  # a loyal tenth buys often
    step = end - timedelta(weeks=STEP_WEEKS_AGO)
    for day in _days(start, end):
        weekend = day.weekday() >= 5
        after = day >= step
        for _ in range(rng.randint(10, 16) + (4 if weekend else 0) + (4 if after else 0)):
            order_id += 1
            loyal = 0.8 if after else 0.7
            pool = regulars if rng.random() < loyal else [m for m, t in joined if t.date() < day]
            mean = (153.0 + 3.0 * (day - start).days / 90) * (1.1 if after else 1.0)
            amount = max(9.9, rng.gauss(mean, 45.0))
            status = "refunded" if rng.random() < 0.05 else "paid"
            stamp = _stamp(_moment(rng, day))
            orders.append(f"{order_id},{rng.choice(pool)},{stamp},{amount:.2f},{status}")
    return ExampleData("\n".join(members) + "\n", "\n".join(orders) + "\n")


def _days(first: date, end: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((end - first).days)]


def _moment(rng: random.Random, day: date) -> datetime:
    # Mostly daytime; one in fifty rows on the last minute before midnight, so the
    # Sunday 23:59 / Monday 00:00 boundary is in the data.
    if rng.random() < 0.02:
        return datetime(day.year, day.month, day.day, 23, 59, 30)
    seconds = rng.randint(8 * 3600, 23 * 3600)
    return datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")
