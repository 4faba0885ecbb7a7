"""Parse a metric's `query:` fields and refuse anything but one expression.

Queries are written in DuckDB's SQL dialect, whatever the engine: one text in the
registry gives the same numbers on every engine because `compile` generates each
engine's SQL from the parsed tree (sqlglot), never by pasting the text. That is also why
injection cannot work here: only what the tree says reaches an engine. The checks below
refuse, before any connection, what a metric has no business doing: a `;`, a statement,
a subquery, a window, or a function that reads files, the network or the server's state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opsync.workspace.source import normalize

if TYPE_CHECKING:
    from sqlglot import exp

DIALECT = "duckdb"  # the dialect `time`, `value`, `where` and `from` are written in
FIELDS = ("from", "time", "value", "where")

# Functions that read or write files, reach the network or the server's configuration.
# The engines are confined as well (DuckDB: no file access outside the repo; PostgreSQL:
# a read-only transaction); this list makes the refusal early, offline and located.
_REFUSED_FUNCTIONS = frozenset(
    {
        "copy",
        "glob",
        "sniff_csv",
        "query",
        "query_table",
        "getenv",
        "current_setting",
        "set_config",
        "load_extension",
        "readfile",
        "writefile",
        "edit",
        "dblink",
        "dblink_exec",
        "sleep",
        "system",
        "shell",
        "install",
        "load",
        "attach",
        "export",
    }
)
_REFUSED_PREFIXES = ("read_", "parquet_", "pg_", "lo_", "duckdb_", "sqlite_", "iceberg_", "delta_")
_FILE_GLOB = re.compile(r"'([^'\\\x00-\x1f]+)'")


@dataclass(frozen=True)
class QueryProblem:
    """A refused field: `field` is one of FIELDS (where to locate it in metrics.yml)."""

    field: str
    message: str
    hint: str


@dataclass(frozen=True)
class ParsedQuery:
    table: exp.Table | None  # a table or view, when `from` names one
    file_glob: str | None  # a repo-relative file glob, when `from` is DuckDB's quoted glob
    time: exp.Expr
    value: exp.Expr
    where: exp.Expr | None


def parse_query(fields: Mapping[str, Any]) -> tuple[ParsedQuery | None, list[QueryProblem]]:
    """Parse `from`, `time`, `value` and `where`; every refused field is one problem."""
    problems: list[QueryProblem] = []
    table, glob = _parse_from(str(fields.get("from", "")), problems)
    time = _parse_expression("time", str(fields.get("time", "")), problems, aggregate=False)
    value = _parse_expression("value", str(fields.get("value", "")), problems, aggregate=True)
    where = None
    if fields.get("where") is not None:
        where = _parse_expression("where", str(fields["where"]), problems, aggregate=False)
    if problems or time is None or value is None or (table is None and glob is None):
        return None, problems
    return ParsedQuery(table, glob, time, value, where), []


def _has_semicolon(text: str) -> bool:
    from sqlglot.tokenizer_core import TokenType

    from opsync.datapull import sql

    try:
        tokens = sql.tokenize(text)
    except ValueError:
        return ";" in text
    return any(token.token_type is TokenType.SEMICOLON for token in tokens)


def _parse_from(text: str, problems: list[QueryProblem]) -> tuple[exp.Table | None, str | None]:
    from sqlglot import exp

    from opsync.datapull import sql

    text = text.strip()
    if text.startswith("'"):
        match = _FILE_GLOB.fullmatch(text)
        path = normalize(match[1]) if match else None
        if path is None or "://" in match[1] or match[1].startswith("~"):  # type: ignore[index]
            problems.append(
                QueryProblem(
                    "from",
                    f"`{text}` is not a file glob inside the repository",
                    "write a repo-relative glob in single quotes, e.g. \"'data/orders/*.parquet'\"",
                )
            )
            return None, None
        return None, path
    if ";" in text and _has_semicolon(text):
        problems.append(_semicolon("from"))
        return None, None
    try:
        table = sql.parse(text, exp.Table)
    except ValueError:
        table = None
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        problems.append(
            QueryProblem(
                "from",
                f"`{text}` is not a table or view name",
                "name one table or view (`orders`, `sales.orders`), or on DuckDB a quoted "
                "file glob inside the repo; functions and joins are refused (use a view)",
            )
        )
        return None, None
    if table.args.get("alias") or any(_refused_node(node) for node in table.walk()):
        problems.append(
            QueryProblem("from", f"`{text}` is not a plain table name", "drop the alias")
        )
        return None, None
    return table, None


def _semicolon(field: str) -> QueryProblem:
    return QueryProblem(
        field,
        f"`{field}` holds a `;`: a query field is one expression, never statements",
        "remove the `;` and everything after it",
    )


def _parse_expression(
    field: str, text: str, problems: list[QueryProblem], aggregate: bool
) -> exp.Expr | None:
    from sqlglot import exp

    from opsync.datapull import sql

    if not text.strip():
        problems.append(QueryProblem(field, f"`{field}` is empty", "write one SQL expression"))
        return None
    if _has_semicolon(text):
        problems.append(_semicolon(field))
        return None
    try:
        tree = sql.parse(text, exp.Condition)
    except ValueError as error:
        problems.append(
            QueryProblem(
                field,
                f"`{field}` is not one SQL expression: {error}",
                "write a single expression such as `sum(amount)`; statements are refused",
            )
        )
        return None
    for node in tree.walk():
        reason = _refused_node(node)
        if reason:
            problems.append(QueryProblem(field, f"`{field}` uses {reason}", _HINTS[field]))
            return None
    has_aggregate = any(isinstance(node, exp.AggFunc) for node in tree.walk())
    if aggregate and not has_aggregate:
        problems.append(
            QueryProblem(
                field,
                "`value` does not aggregate the rows of a period",
                "use an aggregate such as `sum(amount) / count(*)` (a ratio of sums)",
            )
        )
        return None
    if not aggregate and has_aggregate:
        problems.append(QueryProblem(field, f"`{field}` uses an aggregate function", _HINTS[field]))
        return None
    return tree


_HINTS = {
    "time": "name the date or timestamp column that places a row in a period",
    "value": "use aggregates over the columns of `from`, e.g. `sum(amount) / count(*)`",
    "where": "filter on the columns of `from`, e.g. `status = 'paid'`",
}


def _refused_node(node: exp.Expr) -> str | None:
    """Why a node of a query field is refused, or None when it is fine."""
    from sqlglot import exp

    if isinstance(node, exp.Query | exp.Subquery | exp.DDL | exp.DML | exp.Command):
        return "a statement or subquery; only one expression over `from` is allowed"
    if isinstance(node, exp.Window):
        return "a window (OVER); the period grouping is opsync's"
    if isinstance(node, exp.Placeholder | exp.Parameter | exp.SessionParameter):
        return "a parameter or session variable"
    if isinstance(node, exp.Func):
        name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
        if name in _REFUSED_FUNCTIONS or name.startswith(_REFUSED_PREFIXES):
            return f"the function {name}(), which reads files or server state"
    return None
