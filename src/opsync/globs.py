"""Path globs as users write them in `code:` and `require_feature_for`: `*` stays in a
folder, `**` spans folders, `?` is one character. (fnmatch lets `*` cross `/`.)

Paths are untrusted: any character but `/` is an ordinary character, newlines and other
control characters included, so a path like `src/pkg\\nx/a.py` matches `src/**` as
git stores it.

Matching is linear in the path: a backtracking regex takes polynomial time on a glob
with several wildcards (`**a**a**a**b` against a long path: minutes), so such globs run
as a small automaton over the path instead (opsync.globs._Automaton).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

# Token kinds: a literal character, `?`, `*` (stays in a folder), `**`, `**/`.
_LIT, _ONE, _STAR, _ANY, _DIRS = range(5)


def _tokens(pattern: str) -> list[tuple[int, str]]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append((_DIRS, ""))
            i += 3
        elif pattern.startswith("**", i):
            out.append((_ANY, ""))
            i += 2
        else:
            kind = {"*": _STAR, "?": _ONE}.get(pattern[i], _LIT)
            out.append((kind, pattern[i]))
            i += 1
    return out


def _regex(tokens: list[tuple[int, str]]) -> re.Pattern[str]:
    parts = {_ONE: "[^/]", _STAR: "[^/]*", _ANY: ".*", _DIRS: "(?:.*/)?"}
    body = "".join(re.escape(c) if k == _LIT else parts[k] for k, c in tokens)
    # DOTALL: `.` must match a newline too, or a newline in a path escapes `**`.
    return re.compile(body + r"\Z", re.DOTALL)


@dataclass(frozen=True)
class _Automaton:
    """The glob as a bit-parallel NFA: bit i set = the first i tokens matched. Each path
    character costs a few integer operations, whatever the glob holds."""

    literal: dict[str, int]  # char -> tokens that are that literal char (advance)
    one: int  # `?` tokens (advance on anything but `/`)
    star: int  # `*` tokens (stay on anything but `/`)
    any: int  # `**` tokens (stay on anything)
    skip: int  # tokens that may match nothing (i -> i+1)
    jump: int  # entries of `**/` groups, which may match nothing as a whole (i -> i+3)
    final: int

    @classmethod
    def of(cls, tokens: list[tuple[int, str]]) -> _Automaton:
        literal: dict[str, int] = {}
        one = star = any_ = jump = 0
        index = 0
        for kind, char in tokens:
            bit = 1 << index
            if kind == _DIRS:  # `(?:.*/)?`: an entry that goes on to `**` then a literal
                jump |= bit  # `/`, or skips the whole group (never once inside it)
                any_ |= bit << 1
                literal["/"] = literal.get("/", 0) | bit << 2
                index += 3
                continue
            if kind == _LIT:
                literal[char] = literal.get(char, 0) | bit
            elif kind == _ONE:
                one |= bit
            elif kind == _STAR:
                star |= bit
            else:
                any_ |= bit
            index += 1
        return cls(literal, one, star, any_, star | any_ | jump, jump, 1 << index)

    def _closure(self, states: int) -> int:
        while True:
            more = states | (states & self.skip) << 1 | (states & self.jump) << 3
            if more == states:
                return states
            states = more

    def match(self, path: str) -> bool:
        states = self._closure(1)
        for char in path:
            advance = self.literal.get(char, 0)
            stay = self.any
            if char != "/":
                advance |= self.one
                stay |= self.star
            states = self._closure((states & advance) << 1 | states & stay)
            if not states:
                return False
        return bool(states & self.final)


@cache
def _compile(pattern: str) -> Callable[[str], bool]:
    tokens = _tokens(pattern)
    if sum(kind in (_STAR, _ANY, _DIRS) for kind, _ in tokens) <= 1:
        regex = _regex(tokens)  # one wildcard cannot backtrack badly: the fast path
        return lambda path: regex.match(path) is not None
    return _Automaton.of(tokens).match


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
    return any(_compile(p.lstrip("/"))(path) for p in patterns)
