"""JSON from outside (the event payload, API answers) without a RecursionError.

`json.loads` recurses once per nesting level, so `[[[[...]]]]` 100,000 deep raises
RecursionError, which no caller expects. Here it is a ValueError that says where the
nesting got too deep (line and column), found by one linear scan done only then.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 500  # GitHub's payloads nest about 10 deep
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|\n', re.DOTALL)


class TooDeep(ValueError):
    def __init__(self, depth: int, line: int, col: int) -> None:
        super().__init__(f"JSON nested deeper than {depth} levels at line {line}, column {col}")
        self.line, self.col = line, col


def loads(raw: bytes | str) -> Any:
    """`json.loads`, with too deep a nesting raised as TooDeep (a ValueError)."""
    try:
        return json.loads(raw)
    except RecursionError:
        pass
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    raise _locate(text) or TooDeep(MAX_DEPTH, 1, 1)


def _locate(text: str) -> TooDeep | None:
    depth, line, line_start = 0, 1, 0
    for token in _TOKEN.finditer(text):
        char = token.group()
        if char == "\n":
            line, line_start = line + 1, token.end()
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return TooDeep(MAX_DEPTH, line, token.start() - line_start + 1)
        elif char in "]}":
            depth -= 1
        else:  # a string: newlines inside it are escaped in valid JSON
            continue
    return None
