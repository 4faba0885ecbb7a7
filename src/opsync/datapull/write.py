"""Merge pulled values into `opsync/data/<metric-id>.csv`.

The pulled periods replace what the file had for them; every other row stays as written
(other periods, other metrics, the user's own number formatting). A value that differs
from the file's is a restatement and is reported as `changed`, so the weekly PR shows
exactly which history moved. The file is replaced atomically, and only when something
changed; a file that does not parse is never rewritten (its rows would be lost).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from opsync.errors import ConfigError
from opsync.fsutil import write_atomic
from opsync.metrics.periods import period_sort_key
from opsync.metrics.values import HEADER, load_csv
from opsync.workspace.source import Kind, WorktreeSource


@dataclass(frozen=True)
class Restated:
    period: str
    old: str
    new: str


@dataclass
class MetricChange:
    metric: str
    path: str  # repo-relative
    added: list[str] = field(default_factory=list)
    changed: list[Restated] = field(default_factory=list)
    unchanged: int = 0
    text: str | None = None  # the new file, when anything changed

    @property
    def dirty(self) -> bool:
        return self.text is not None


def format_value(value: float) -> str:
    """Twelve significant digits: float noise from the engines stays out of the diff."""
    text = f"{value:.12g}"
    return "0" if text == "-0" else text


def merge(root: Path, data_dir: str, metric: str, pulled: dict[str, float]) -> MetricChange:
    """What writing `pulled` (period -> value) for `metric` would change."""
    rel = f"{data_dir}/{metric}.csv"
    change = MetricChange(metric, rel)
    rows = _existing_rows(root, rel)
    old = {period: raw for period, row_metric, raw in rows if row_metric == metric}
    kept = [row for row in rows if row[1] != metric or row[0] not in pulled]
    new_rows = list(kept)
    for period, value in pulled.items():
        text = format_value(value)
        new_rows.append((period, metric, text))
        if period not in old:
            change.added.append(period)
        elif float(old[period]) == float(text):
            change.unchanged += 1
            new_rows[-1] = (period, metric, old[period])  # keep the file's formatting
        else:
            change.changed.append(Restated(period, old[period], text))
    change.added.sort(key=period_sort_key)
    change.changed.sort(key=lambda r: period_sort_key(r.period))
    if change.added or change.changed:
        new_rows.sort(key=lambda row: (row[1], period_sort_key(row[0])))
        change.text = _render(new_rows)
    return change


def write(root: Path, change: MetricChange) -> None:
    if change.text is not None:
        write_atomic(root / change.path, change.text)


def _existing_rows(root: Path, rel: str) -> list[tuple[str, str, str]]:
    source = WorktreeSource(root)
    kind = source.kind(rel)
    if kind is Kind.MISSING:
        return []
    if kind is not Kind.FILE:
        raise ConfigError(f"{rel} is not a regular file", "replace it with the CSV file itself")
    raw = source.read(rel)
    problems = load_csv(raw, rel).findings
    if problems:
        first = problems[0]
        raise ConfigError(
            f"{first.path}:{first.line}:{first.col}: {first.message}; not rewriting it",
            f"{first.hint} (`opsync validate` lists every problem)",
        )
    text = raw.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    rows = [tuple(f.strip() for f in row) for row in reader if row and any(f.strip() for f in row)]
    if rows and rows[0] == HEADER:
        rows = rows[1:]
    return [(r[0], r[1], r[2]) for r in rows]


def _render(rows: list[tuple[str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()
