"""Connection URLs: which engine, which file or server, and a form safe to print.

A URL's password must never reach any output, so everything that prints a URL
prints `redact(url)`, and driver messages pass through `scrub` before anyone sees them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

SCHEMES = {
    "duckdb": "duckdb",
    "postgresql": "postgres",
    "postgres": "postgres",
    "postgresql+psycopg": "postgres",
    "sqlite": "sqlite",
}
EXTRAS = {"duckdb": "duckdb", "postgres": "postgres", "sqlite": None}
# Greedy up to the last `@` of the token: an unencoded `@` in a password is still hidden.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:@/\s]*):[^\s]*@")


@dataclass(frozen=True)
class ParsedUrl:
    engine: str  # duckdb | postgres | sqlite
    url: str  # as given (holds the password, if any: never print)
    path: str | None  # duckdb/sqlite: repo-relative file, None for in-memory
    password: str | None


class UrlError(ValueError):
    """A URL opsync cannot use; the message never holds the password."""


def redact(url: str) -> str:
    """The URL with any password replaced by `***`."""
    return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", url)


def scrub(text: str, url: str) -> str:
    """`text` (e.g. a driver's message) without the URL's password, in any form."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    secrets = {password, unquote(password)} if password else set()
    for secret in sorted(secrets, key=len, reverse=True):  # the longer form first
        text = text.replace(secret, "***")
    return redact(text)


def parse_url(url: str) -> ParsedUrl:
    """`duckdb:///rel/path.duckdb`, `duckdb://` (in memory), `sqlite:///rel/path.db`,
    `postgresql://user:password@host:port/db`."""
    scheme, sep, rest = url.partition("://")
    engine = SCHEMES.get(scheme.lower())
    if not sep or engine is None:
        known = ", ".join(sorted({f"{s}://" for s in SCHEMES if "+" not in s}))
        raise UrlError(f"`{redact(url)}` is not a URL opsync can connect to (use {known})")
    try:
        password = urlsplit(url).password
    except ValueError as error:
        raise UrlError(f"`{redact(url)}` does not parse: {error}") from None
    if engine == "postgres":
        return ParsedUrl(engine, url, None, password)
    if rest in ("", "/", "/:memory:"):
        if engine == "sqlite":
            raise UrlError("an in-memory SQLite database holds no data; name a file")
        return ParsedUrl(engine, url, None, None)
    if not rest.startswith("/") or rest.startswith("//"):
        raise UrlError(
            f"`{redact(url)}`: write {scheme}:///path/inside/the/repo (three slashes, "
            "then a repo-relative path)"
        )
    return ParsedUrl(engine, url, unquote(rest[1:]), None)
