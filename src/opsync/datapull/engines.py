"""The engines a pull reads from: DuckDB (embedded), PostgreSQL (psycopg), SQLite.

Each one connects read-only where the engine allows it, applies a statement timeout, reads
timestamps in UTC, and turns its driver's errors into two kinds: `QueryRefused` (the
engine rejected the query: unknown column or table; exit 2, located at the query) and
`SourceUnreachable` (cannot connect, file missing, timed out; exit 3). Every message passes
through `urls.scrub`, so a password in the URL never reaches output or a traceback; driver
exceptions are never chained (`from None`) for the same reason.

Another warehouse is one more class here with its DB-API driver behind a pip extra.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from opsync.datapull.urls import EXTRAS, ParsedUrl, redact, scrub
from opsync.errors import ConfigError, VerifyError

CONNECT_TIMEOUT = 10  # seconds


class SourceUnreachable(VerifyError):
    """The source cannot be reached or did not answer in time: exit 3."""


class QueryRefused(Exception):
    """The engine rejected a query (unknown column, table or function)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Engine(Protocol):
    dialect: str

    def run(self, sql: str) -> list[tuple[Any, Any]]: ...

    def close(self) -> None: ...


def connect(
    url: ParsedUrl, root: Path, timeout: int, label: str, memory_limit: str = "300MB"
) -> Engine:
    """Open `url` for source `label`; raises SourceUnreachable or ConfigError."""
    if url.engine == "duckdb":
        return DuckDBEngine(url, root, timeout, label, memory_limit)
    if url.engine == "postgres":
        return PostgresEngine(url, timeout, label)
    return SQLiteEngine(url, root, timeout, label)


def _driver(module: str, engine: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        extra = EXTRAS.get(engine)
        raise ConfigError(
            f"the {engine} engine needs the Python package `{module}`, which is not installed",
            f"pip install 'opsync[{extra}]'" if extra else f"install {module}",
        ) from None


def _local_file(url: ParsedUrl, root: Path, label: str) -> Path:
    assert url.path is not None
    path = (root / url.path).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ConfigError(f"source '{label}': {redact(url.url)} is outside the repository")
    if not path.is_file():
        raise SourceUnreachable(
            f"source '{label}': {url.path} does not exist",
            "check the path in opsync.yml (it is relative to the repo root)",
        )
    return path


class DuckDBEngine:
    dialect = "duckdb"

    def __init__(
        self, url: ParsedUrl, root: Path, timeout: int, label: str, memory_limit: str
    ) -> None:
        import tempfile

        duckdb = _driver("duckdb", "duckdb")
        self.timeout, self.label, self.url = timeout, label, url
        self.errors = duckdb
        # Aggregates beyond the memory limit spill here, never into the repository.
        self.spill = tempfile.mkdtemp(prefix="opsync-duckdb-")
        try:
            if url.path is None:
                self.conn = duckdb.connect(":memory:")
            else:
                self.conn = duckdb.connect(str(_local_file(url, root, label)), read_only=True)
            # Confine file access to the repository (quoted file globs read there only)
            # and the spill folder, then lock the settings so no query can loosen them.
            inside = _quote(str(root.resolve()) + "/")
            spill = _quote(self.spill + "/")
            for setting in (
                f"SET temp_directory={_quote(self.spill)}",
                f"SET memory_limit={_quote(memory_limit)}",
                f"SET allowed_directories=[{inside}, {spill}]",
                "SET enable_external_access=false",
                "SET autoinstall_known_extensions=false",
                "SET TimeZone='UTC'",
                "SET lock_configuration=true",
            ):
                self.conn.execute(setting)
        except duckdb.Error as error:
            self.close()
            raise SourceUnreachable(f"source '{label}': {scrub(str(error), url.url)}") from None

    def run(self, sql: str) -> list[tuple[Any, Any]]:
        timer = threading.Timer(self.timeout, self.conn.interrupt)
        timer.start()
        try:
            return [tuple(row) for row in self.conn.execute(sql).fetchall()]
        except self.errors.InterruptException:
            raise _timed_out(self.label, self.timeout) from None
        except self.errors.ProgrammingError as error:
            raise QueryRefused(_first_line(scrub(str(error), self.url.url))) from None
        except self.errors.Error as error:
            raise SourceUnreachable(
                f"source '{self.label}': {_first_line(scrub(str(error), self.url.url))}"
            ) from None
        finally:
            timer.cancel()

    def close(self) -> None:
        import shutil

        if hasattr(self, "conn"):
            self.conn.close()
        shutil.rmtree(self.spill, ignore_errors=True)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class PostgresEngine:
    dialect = "postgres"

    def __init__(self, url: ParsedUrl, timeout: int, label: str) -> None:
        psycopg = _driver("psycopg", "postgres")
        self.errors, self.label, self.url, self.timeout = psycopg, label, url, timeout
        options = (
            f"-c default_transaction_read_only=on -c statement_timeout={timeout * 1000} "
            "-c TimeZone=UTC"
        )
        try:
            self.conn = psycopg.connect(
                url.url,
                connect_timeout=CONNECT_TIMEOUT,
                options=options,
                application_name="opsync metrics pull",
            )
            self.conn.read_only = True
        except psycopg.Error as error:
            raise SourceUnreachable(
                f"source '{label}' ({redact(url.url)}) cannot be reached: "
                f"{_first_line(scrub(str(error), url.url))}",
                "check the URL in the environment variable and that the server is up",
            ) from None

    def run(self, sql: str) -> list[tuple[Any, Any]]:
        errors = self.errors
        try:
            with self.conn.cursor() as cursor:
                cursor.execute(sql)
                rows = [tuple(row) for row in cursor.fetchall()]
            self.conn.rollback()  # read-only: end the transaction, keep nothing
            return rows
        except errors.errors.QueryCanceled:
            self.conn.rollback()
            raise _timed_out(self.label, self.timeout) from None
        except (errors.ProgrammingError, errors.DataError) as error:
            self.conn.rollback()
            raise QueryRefused(_first_line(scrub(str(error), self.url.url))) from None
        except errors.Error as error:
            raise SourceUnreachable(
                f"source '{self.label}': {_first_line(scrub(str(error), self.url.url))}"
            ) from None

    def close(self) -> None:
        self.conn.close()


class SQLiteEngine:
    dialect = "sqlite"
    _REFUSED = ("no such column", "no such table", "no such function", "syntax error")

    def __init__(self, url: ParsedUrl, root: Path, timeout: int, label: str) -> None:
        import sqlite3

        path = _local_file(url, root, label)
        self.label, self.url, self.timeout = label, url, timeout
        try:
            self.conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        except sqlite3.Error as error:
            raise SourceUnreachable(f"source '{label}': {error}") from None

    def run(self, sql: str) -> list[tuple[Any, Any]]:
        import sqlite3

        with self._deadline():
            try:
                return [tuple(row) for row in self.conn.execute(sql).fetchall()]
            except sqlite3.OperationalError as error:
                text = str(error)
                if text == "interrupted":
                    raise _timed_out(self.label, self.timeout) from None
                if text.startswith(self._REFUSED):
                    raise QueryRefused(text) from None
                raise SourceUnreachable(f"source '{self.label}': {text}") from None
            except sqlite3.Error as error:
                raise SourceUnreachable(f"source '{self.label}': {error}") from None

    @contextmanager
    def _deadline(self) -> Iterator[None]:
        end = time.monotonic() + self.timeout
        self.conn.set_progress_handler(lambda: int(time.monotonic() > end), 10_000)
        try:
            yield
        finally:
            self.conn.set_progress_handler(None, 0)

    def close(self) -> None:
        self.conn.close()


def _timed_out(label: str, timeout: int) -> SourceUnreachable:
    return SourceUnreachable(
        f"source '{label}': a query ran longer than {timeout} s and was stopped",
        "raise data.timeout in opsync.yml, or pull fewer periods with --since",
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
