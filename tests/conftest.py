"""Shared fixtures. Git repos come from tests/gitrepo.py and nowhere else."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gitrepo import GitRepo, make_repo

# One PostgreSQL server per test session (tests/pg_server.py), whichever module asks.
pytest_plugins = ["pg_server"]


@pytest.fixture(autouse=True)
def _no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code under test runs git too: keep the developer's git config out of it."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty repo on branch main (no commits yet)."""
    return make_repo(tmp_path)


# --- the CLI, as a user runs it ---------------------------------------------------------


@dataclass(frozen=True, repr=False)
class CliResult:
    """What one `opsync ...` run produced; str() is the whole story for an assert message."""

    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return (
            f"opsync {' '.join(self.args)} -> exit {self.code}\n"
            f"--- stdout ---\n{self.out}--- stderr ---\n{self.err}"
        )

    __repr__ = __str__  # pytest shows an assert message object by its repr


CliRunner = Callable[..., CliResult]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """`run_cli("check", "--base", "main", cwd=repo.path)`: the real entry point
    (`opsync.cli.main`), outside GitHub Actions, without colour."""

    for name in ("GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        return invoke(capsys, monkeypatch, args, cwd)

    return run


def invoke(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    cwd: Path | None = None,
) -> CliResult:
    """One run of the real entry point (`opsync.cli.main`) in `cwd`."""
    from opsync.cli import main

    if cwd is not None:
        monkeypatch.chdir(cwd)
    capsys.readouterr()  # drop anything printed before this run
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    code = info.value.code
    return CliResult(args, code if isinstance(code, int) else 0, out, err)


# --- a PR-gate scenario (tests/gateflow.py) ---------------------------------------------


@pytest.fixture(scope="session")
def gate_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real ed25519 keys for carol, dave, alice, erin and mallory, made once per run."""
    from gateflow import make_keys

    return make_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def flow(tmp_path: Path, gate_keys: dict[str, Path], run_cli: CliRunner) -> Any:
    """`opsync init --example` on main with the roster's keys; branch `pr` checked out."""
    from gateflow import Flow

    return Flow(tmp_path, gate_keys, run_cli)


# --- a local GitHub REST API on 127.0.0.1 -----------------------------------------------


@pytest.fixture(scope="session")
def _local_api() -> Iterator[Any]:
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def local_api(_local_api: Any) -> Iterator[Any]:
    """A pytest-httpserver on 127.0.0.1; handlers and the request log start empty."""
    _local_api.clear()
    yield _local_api
    _local_api.check_assertions()
