"""Before/after numbers for one launch: means, change, a bootstrap interval, a verdict.

Plain Python on purpose: a handful of periods needs no statistics library. The interval
resamples the before and the after values independently (with replacement) and takes the
5th and 95th percentiles of the change in means. The generator is seeded from the
values themselves, so the same input always gives the same interval.
"""

from __future__ import annotations

import hashlib
import operator
import random
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from opsync.impact.promise import Promise

RESAMPLES = 2000
LEVEL = 0.90
MIN_PERIODS = 2  # fewer values on either side: no-data, never a number


@dataclass(frozen=True)
class Side:
    n: int
    mean: float | None


@dataclass(frozen=True)
class Comparison:
    before: Side
    after: Side
    change: float | None
    change_pct: float | None
    interval: tuple[float, float] | None  # of `change`
    interval_pct: tuple[float, float] | None  # of `change_pct`


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in [0, 1]."""
    position = (len(sorted_values) - 1) * q
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    fraction = position - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction


def _seed(before: Sequence[float], after: Sequence[float]) -> int:
    packed = struct.pack(f"<{len(before) + len(after) + 1}d", len(before), *before, *after)
    return int.from_bytes(hashlib.sha256(packed).digest()[:8], "big")


def _resample_sums(rng: random.Random, values: Sequence[float], resamples: int) -> Iterator[float]:
    """The sum of each of `resamples` resamples (with replacement) of `values`."""
    n = len(values)
    drawn = iter(rng.choices(values, k=n * resamples))  # all draws at once: loops stay in C
    return map(sum, zip(*[drawn] * n, strict=True))


def bootstrap(
    before: Sequence[float], after: Sequence[float], resamples: int = RESAMPLES
) -> tuple[tuple[float, float], tuple[float, float] | None]:
    """90 % intervals of (after mean - before mean) and of its percentage of the before mean."""
    rng = random.Random(_seed(before, after))
    nb, na = len(before), len(after)
    means_b = [total / nb for total in _resample_sums(rng, before, resamples)]
    means_a = [total / na for total in _resample_sums(rng, after, resamples)]
    diffs = list(map(operator.sub, means_a, means_b))
    pcts = (
        [d / abs(b) * 100 for d, b in zip(diffs, means_b, strict=True)]
        if 0.0 not in means_b
        else []  # a resample with a zero mean: a percentage means nothing
    )
    tail = (1 - LEVEL) / 2
    diffs.sort()
    interval = (percentile(diffs, tail), percentile(diffs, 1 - tail))
    if not pcts:
        return interval, None
    pcts.sort()
    return interval, (percentile(pcts, tail), percentile(pcts, 1 - tail))


def _side(values: Sequence[float]) -> Side:
    return Side(len(values), mean(values) if len(values) >= MIN_PERIODS else None)


def compare(before: Sequence[float], after: Sequence[float]) -> Comparison:
    """Means and change; numbers only when each side has at least MIN_PERIODS values."""
    return _compare(tuple(before), tuple(after))


@lru_cache(maxsize=4096)  # launches in the same week on the same metric share their numbers
def _compare(before: tuple[float, ...], after: tuple[float, ...]) -> Comparison:
    if len(before) < MIN_PERIODS or len(after) < MIN_PERIODS:  # a side's mean, no change
        return Comparison(_side(before), _side(after), None, None, None, None)
    mb, ma = mean(before), mean(after)
    change = ma - mb
    change_pct = change / abs(mb) * 100 if mb != 0 else None
    interval, interval_pct = bootstrap(before, after)
    return Comparison(
        Side(len(before), mb), Side(len(after), ma), change, change_pct, interval, interval_pct
    )


def judge(c: Comparison, promise: Promise | None) -> str:
    """met / not-met / inconclusive, against the promise in its own units.

    Met when the whole interval is at or beyond the promised change, not-met when the
    whole interval falls short of it, inconclusive when it straddles the promise.
    Without a promise there is nothing to meet: inconclusive.
    """
    if promise is None:
        return "inconclusive"
    interval = c.interval_pct if promise.relative else c.interval
    if interval is None:
        return "inconclusive"
    lo, hi = interval
    goal = promise.signed
    if promise.direction == "up":
        return "met" if lo >= goal else ("not-met" if hi < goal else "inconclusive")
    return "met" if hi <= goal else ("not-met" if lo > goal else "inconclusive")
