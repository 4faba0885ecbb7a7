"""Path globs as users write them in `code:` and `require_feature_for`: `*` stays in a
folder, `**` spans folders, `?` is one character. (fnmatch lets `*` cross `/`.)

Paths are untrusted: any character but `/` is an ordinary character, newlines and other
control characters included, so a path like `src/pkg\\nx/a.py` matches `src/**` as
git stores it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    # DOTALL: `.` must match a newline too, or a newline in a path escapes `**`.
    return re.compile("".join(out) + r"\Z", re.DOTALL)


GLOB_HINT = (
    "opsync globs know only `*` (within a folder), `**` (across folders) and `?`, relative "
    "to the repo root: list each alternative as its own glob (`src/a/**`, `src/b/**`)"
)


def glob_problem(pattern: str) -> str | None:
    """Why a glob can never match a changed path, if so: a glob that silently matches
    nothing would let the code it names change with no feature (fail-open)."""
    clean = pattern.lstrip("/")
    parts = clean.split("/")
    if any(c in clean for c in "[]{}"):
        return "uses `[...]` or `{...}`, which opsync matches literally"
    if clean.startswith("!"):
        return "starts with `!`: opsync globs cannot exclude"
    if "." in parts or ".." in parts:
        return "has a `.` or `..` folder, which paths in Git never have"
    if "" in parts:
        return "has an empty folder (`//`, or a trailing `/`): name the files, e.g. `src/**`"
    if "\\" in clean:
        return "uses `\\`: folders are separated by `/`"
    return None


def matches(path: str, patterns: Iterable[str]) -> bool:
    return any(_compile(p.lstrip("/")).match(path) for p in patterns)
