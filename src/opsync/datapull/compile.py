"""The per-period aggregate of one metric at one grain, as SQL for one engine.

One query per grain: `SELECT <period start>, <value> FROM <from> WHERE <time> IS NOT NULL
AND <where> AND <time> >= <since> GROUP BY 1`. The value is computed from the rows of
each period (a ratio of sums, never an average of ratios). The SQL is generated from the
parsed tree by sqlglot for the engine's dialect, which is where the semantic traps are
handled: `/` is true division everywhere (sqlglot casts for PostgreSQL and SQLite, which
divide integers as integers), and a division by zero is NULL everywhere (no value for that
period) instead of an error on one engine and NULL on another.

Periods are truncated in the engine with DATE_TRUNC (ISO weeks start on Monday in DuckDB
and PostgreSQL); SQLite has no DATE_TRUNC and sqlglot cannot translate one, so its three
truncations are the only engine-specific SQL here. Labels (`2026-W53`, `2026-11`,
`2026-Q4`) are made in Python from the start date, and a start that is not where the grain
starts is refused as an engine error rather than written as a wrong label.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsync.datapull.query import DIALECT, ParsedQuery
from opsync.metrics.periods import parse_period

if TYPE_CHECKING:
    from sqlglot import exp

_SQLITE_TRUNC = {
    "week": "DATE(__t__, '-' || ((CAST(STRFTIME('%w', __t__) AS INTEGER) + 6) % 7) || ' days')",
    "month": "DATE(__t__, 'start of month')",
    "quarter": "DATE(__t__, 'start of month', "
    "'-' || ((CAST(STRFTIME('%m', __t__) AS INTEGER) - 1) % 3) || ' months')",
}


def grain_start(grain: str, day: date) -> date:
    """The first day of the `grain` period holding `day`."""
    if grain == "week":
        return date.fromordinal(day.toordinal() - day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def label(grain: str, start: date) -> str:
    """`2026-W48`, `2026-11` or `2026-Q4` for the period starting on `start`."""
    if grain == "week":
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if grain == "month":
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def since_start(grain: str, since: str | None) -> date | None:
    """The first day pulled at `grain`: the start of the period that holds `since`."""
    if since is None:
        return None
    return grain_start(grain, parse_period(since).start)


def as_start(grain: str, raw: Any) -> date:
    """An engine's period start (date, datetime or ISO text) as a date, checked."""
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    else:
        day = date.fromisoformat(str(raw)[:10])
    if grain_start(grain, day) != day:
        raise ValueError(f"the engine returned {day} as the start of a {grain}")
    return day


def compile_query(
    parsed: ParsedQuery, grain: str, dialect: str, since: date | None, root: Path
) -> str:
    """The SQL text of one metric at one grain for `dialect` (duckdb, postgres, sqlite)."""
    from sqlglot import exp

    time = parsed.time.copy()
    conditions: list[exp.Expr] = [exp.Not(this=exp.Is(this=time.copy(), expression=exp.Null()))]
    if parsed.where is not None:
        conditions.append(exp.Paren(this=parsed.where.copy()))
    if since is not None:
        day = exp.Cast(this=exp.Literal.string(since.isoformat()), to=exp.DataType.build("date"))
        conditions.append(exp.GTE(this=time.copy(), expression=day))
    select = (
        exp.select(
            exp.alias_(_truncate(grain, time, dialect), "period_start"),
            exp.alias_(_safe_division(parsed.value.copy()), "metric_value"),
        )
        .from_(_table(parsed, root))
        .where(exp.and_(*conditions))
        .group_by(exp.Literal.number(1))
        .order_by(exp.Literal.number(1))
    )
    return select.sql(dialect=dialect, comments=False)


def _table(parsed: ParsedQuery, root: Path) -> exp.Expr:
    from sqlglot import exp

    if parsed.file_glob is not None:
        # DuckDB's replacement scan: a quoted path; made absolute so the working
        # folder never decides which file is read.
        return exp.Table(this=exp.Literal.string(str(root / parsed.file_glob)))
    assert parsed.table is not None
    return parsed.table.copy()


def _truncate(grain: str, time: exp.Expr, dialect: str) -> exp.Expr:
    import sqlglot
    from sqlglot import exp

    if dialect == "sqlite":
        template = sqlglot.parse_one(_SQLITE_TRUNC[grain], read="sqlite")
    else:
        template = sqlglot.parse_one(f"DATE_TRUNC('{grain}', __t__)", read=DIALECT)

    def put_time(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.name == "__t__":
            return time.copy()
        return node

    return template.transform(put_time)


def _safe_division(value: exp.Expr) -> exp.Expr:
    """x / 0 is NULL on every engine: NULLIF(denominator, 0)."""
    from sqlglot import exp

    def guard(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Div):
            node.set(
                "expression", exp.Nullif(this=node.expression, expression=exp.Literal.number(0))
            )
        return node

    return value.transform(guard)
