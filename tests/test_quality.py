"""The quality bar as a test: ruff and mypy (strict, config in pyproject.toml) are clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def run_tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m TOOL` from this interpreter, so the tool sees the installed packages."""
    try:
        __import__(module)
    except ImportError:
        if shutil.which(module) is None:
            pytest.skip(f"{module} is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_check_is_clean() -> None:
    result = run_tool("ruff", "check", "--no-cache", "src", "tests")
    assert result.returncode == 0, f"ruff check src tests:\n{result.stdout}{result.stderr}"


def test_mypy_is_clean() -> None:
    result = run_tool("mypy")  # files and strictness come from [tool.mypy]
    assert result.returncode == 0, f"mypy:\n{result.stdout}{result.stderr}"
