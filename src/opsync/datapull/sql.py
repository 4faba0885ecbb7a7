"""The one door to sqlglot: parse and tokenize in the queries' dialect, errors as ValueError.

sqlglot's own messages can run over many lines and carry ANSI highlighting; callers get
one plain line they can put into a finding.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.tokenizer_core import Token

DIALECT = "duckdb"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _one_line(error: Exception) -> str:
    errors: list[dict[str, Any]] = list(getattr(error, "errors", None) or [])
    text = str(errors[0].get("description", "")) if errors else ""
    if errors and errors[0].get("col"):
        text += f" (near column {errors[0]['col']})"
    text = text or str(error).splitlines()[0] if str(error) else type(error).__name__
    return _ANSI.sub("", text).strip() or "it does not parse"


def tokenize(text: str) -> list[Token]:
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import TokenError

    try:
        return list(Dialect.get_or_raise(DIALECT).tokenize(text))
    except TokenError as error:
        raise ValueError(_one_line(error)) from None


def parse(text: str, into: type[exp.Expr]) -> exp.Expr:
    """One expression parsed as `into` (callers check what came out); leftovers are errors."""
    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    try:
        tree = sqlglot.parse_one(text, read=DIALECT, into=into)
    except (ParseError, TokenError) as error:
        raise ValueError(_one_line(error)) from None
    return tree
