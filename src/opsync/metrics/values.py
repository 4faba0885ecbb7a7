"""Metric values from `opsync/data/*.csv`: the columns `period,metric,value`, header required.

A UTF-8 BOM and CRLF line ends are fine. Every bad row becomes a located Finding (line is
the CSV line, col the 1-based column where the bad field starts) and loading goes on, so
one bad row never hides the others. Rules: data-encoding, data-header, data-row,
data-period, data-value, data-duplicate, data-unknown-metric.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal

from opsync.findings import Finding
from opsync.metrics.periods import (
    EXPECTED,
    chronological,
    parse_period,
    period_kind,
    period_sort_key,
    period_start,
)

__all__ = [
    "HEADER",
    "MetricData",
    "Origin",
    "chronological",
    "load_csv",
    "load_data_files",
    "period_kind",
    "period_sort_key",
    "period_start",
]

HEADER = ("period", "metric", "value")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Origin:
    """Where a value was read: for messages such as "first on line 4"."""

    path: str
    line: int


@dataclass
class MetricData:
    values: dict[str, dict[str, float]] = field(default_factory=dict)  # metric -> period -> v
    findings: list[Finding] = field(default_factory=list)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)  # (metric, period)


def load_csv(data: bytes, path: str, known: Collection[str] | None = None) -> MetricData:
    """Values and findings of one CSV file. With `known`, metrics outside it are findings."""
    return load_data_files([(path, data)], known)


def load_data_files(
    files: Iterable[tuple[str, bytes]], known: Collection[str] | None = None
) -> MetricData:
    """Several CSV files as one data set; a value given twice, even across files, is a
    data-duplicate finding and the first one wins."""
    result = MetricData()
    for path, data in files:
        _load_into(result, path, data, known)
    return result


def _load_into(out: MetricData, path: str, data: bytes, known: Collection[str] | None) -> None:
    reader = _FileReader(out, path, known)
    try:
        text = data.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        body = data.removeprefix(_BOM)
        line_start = body.rfind(b"\n", 0, error.start) + 1
        reader.report(
            body.count(b"\n", 0, error.start) + 1,
            error.start - line_start + 1,
            "data-encoding",
            f"byte 0x{body[error.start]:02x} is not UTF-8",
            "save the file as UTF-8",
        )
        return
    lines = [(n, raw.removesuffix("\r")) for n, raw in enumerate(text.split("\n"), 1)]
    rows = [(n, line) for n, line in lines if line.strip()]
    if not rows:
        reader.report(1, 1, "data-header", "the file is empty", "start it with period,metric,value")
        return
    header = reader.header(*rows[0])
    if header == "wrong":
        return  # the columns may mean something else: reading on would only add noise
    for number, line in rows[1:] if header == "ok" else rows:
        reader.row(number, line)


class _FileReader:
    """Reads one file's lines into `out`, reporting each problem where it is."""

    def __init__(self, out: MetricData, path: str, known: Collection[str] | None) -> None:
        self.out, self.path, self.known = out, path, known

    def report(self, line: int, col: int, rule: str, message: str, hint: str) -> None:
        self.out.findings.append(
            Finding(path=self.path, line=line, col=col, rule=rule, message=message, hint=hint)
        )

    def header(self, number: int, line: str) -> Literal["ok", "missing", "wrong"]:
        """Check the first line; a data row there means the header is missing."""
        fields = _split(line)
        if fields is not None and tuple(f.strip() for f in fields) == HEADER:
            return "ok"
        if fields is not None and len(fields) == 3 and period_kind(fields[0].strip()):
            self.report(
                number,
                1,
                "data-header",
                "the header line period,metric,value is missing",
                "add it as the first line",
            )
            return "missing"
        self.report(
            number,
            1,
            "data-header",
            f"the header is `{line}`, not `period,metric,value`",
            "make the first line exactly period,metric,value",
        )
        return "wrong"

    def row(self, number: int, line: str) -> None:
        fields = _split(line)
        if fields is None:
            self.report(
                number,
                1,
                "data-row",
                "this row is not valid CSV",
                "close the open quote; keep each row on one line",
            )
            return
        cols = _columns(line)
        if len(fields) != 3:
            self.report(
                number,
                cols[3] if len(fields) > 3 else len(line) + 1,
                "data-row",
                f"{len(fields)} fields; a row has 3: period,metric,value",
                "quote a value that holds a comma, or add the missing fields",
            )
            return
        period, metric, raw = (f.strip() for f in fields)
        good_period = self.check_period(number, cols[0], period)
        good_metric = self.check_metric(number, cols[1], metric)
        value = _number(raw)
        if value is None:
            self.report(
                number,
                cols[2],
                "data-value",
                f"'{raw}' is not a finite number",
                "write a plain number such as 398.5; leave the row out for a gap",
            )
        if good_period and good_metric and value is not None:
            self.store(number, cols[0], period, metric, value)

    def check_period(self, number: int, col: int, period: str) -> bool:
        try:
            parse_period(period)
        except ValueError as error:
            self.report(number, col, "data-period", str(error), f"write {EXPECTED}")
            return False
        return True

    def check_metric(self, number: int, col: int, metric: str) -> bool:
        if not _ID.fullmatch(metric):
            message = f"'{metric}' is not a metric id (lowercase letters, digits, hyphens)"
        elif self.known is not None and metric not in self.known:
            message = f"'{metric}' is not a metric of the registry"
        else:
            return True
        close = difflib.get_close_matches(metric, sorted(self.known or ()), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "add it to opsync/metrics.yml"
        self.report(number, col, "data-unknown-metric", message, hint)
        return False

    def store(self, number: int, col: int, period: str, metric: str, value: float) -> None:
        first = self.out.origins.get((metric, period))
        if first is not None:
            where = f"line {first.line}"
            if first.path != self.path:
                where = f"{first.path} {where}"
            self.report(
                number,
                col,
                "data-duplicate",
                f"{metric} for {period} is already given on {where}",
                "keep one row per period and metric",
            )
            return
        self.out.origins[(metric, period)] = Origin(self.path, number)
        self.out.values.setdefault(metric, {})[period] = value


def _split(line: str) -> list[str] | None:
    """The CSV fields of one line; None when its quotes do not balance."""
    try:
        return next(csv.reader([line], strict=True, skipinitialspace=True))
    except csv.Error:
        return None


def _columns(line: str) -> list[int]:
    """1-based column where each field starts (commas inside quotes do not count)."""
    cols, quoted = [1], False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            cols.append(index + 2)
    # csv reads a quote inside a field literally where this scan toggles: never run short.
    return cols + [len(line) + 1] * max(0, 4 - len(cols))


def _number(text: str) -> float | None:
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None
