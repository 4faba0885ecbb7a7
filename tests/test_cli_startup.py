"""`--help` and `--version` work anywhere, fast: nothing heavy is imported for them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from conftest import CliRunner
from opsync import __version__
from opsync.cli import COMMANDS, root

HEAVY = ("git", "jsonschema", "markdown_it", "jinja2")

# Commands whose help has no example yet (their modules belong to other engineers).
# strict: once the example is added this test says so, and the entry is removed.
NO_EXAMPLE_YET: set[str] = set()  # every command's help shows an example


def command_paths() -> list[tuple[str, ...]]:
    """Every command and subcommand, e.g. ("new", "feature")."""
    found: list[tuple[str, ...]] = []
    ctx = click.Context(root)
    for name in COMMANDS:
        command = root.get_command(ctx, name)
        assert command is not None, name
        found.append((name,))
        if isinstance(command, click.Group):
            found += [(name, sub) for sub in command.list_commands(ctx)]
    return found


def imported_by(args: list[str], cwd: Path) -> tuple[list[str], str]:
    """Top-level packages of HEAVY imported by `opsync ARGS`, in a fresh interpreter."""
    code = (
        "import sys, json\n"
        "from opsync.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print(json.dumps(heavy), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )
    last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "null"
    return json.loads(last), result.stdout + result.stderr


def test_help_outside_a_repo(tmp_path: Path, run_cli: CliRunner) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.code == 0, result
    assert "validate" in result.out and "Example" in result.out, result
    assert result.err == "", result


def test_version_outside_a_repo(tmp_path: Path, run_cli: CliRunner) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.code == 0, result
    assert __version__ in result.out, result


def test_unknown_command_is_a_usage_error(tmp_path: Path, run_cli: CliRunner) -> None:
    result = run_cli("frobnicate", cwd=tmp_path)
    assert result.code == 2, result
    assert "frobnicate" in result.err and result.out == "", result


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["-h"]])
def test_root_imports_nothing_heavy(tmp_path: Path, args: list[str]) -> None:
    heavy, output = imported_by(args, tmp_path)
    assert heavy == [], f"`opsync {' '.join(args)}` imported {heavy}\n{output}"


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_command_help_imports_nothing_heavy(tmp_path: Path, path: tuple[str, ...]) -> None:
    heavy, output = imported_by([*path, "--help"], tmp_path)
    assert heavy == [], f"`opsync {' '.join(path)} --help` imported {heavy}\n{output}"


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            p,
            marks=pytest.mark.xfail(
                " ".join(p) in NO_EXAMPLE_YET, reason="help has no Example yet", strict=True
            ),
        )
        for p in command_paths()
    ],
    ids=" ".join,
)
def test_every_command_help_works_and_shows_an_example(
    tmp_path: Path, run_cli: CliRunner, path: tuple[str, ...]
) -> None:
    result = run_cli(*path, "--help", cwd=tmp_path)
    assert result.code == 0, result
    assert "Usage: opsync " + " ".join(path) in result.out, result
    assert "Example" in result.out, result
