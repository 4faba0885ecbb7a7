"""Shared fixtures. Git repos come from tests/gitrepo.py and nowhere else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitrepo import GitRepo, make_repo


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
