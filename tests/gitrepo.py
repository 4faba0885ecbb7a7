"""The one builder of real git repos for tests.

Every repo is made the same way: `git init -b main`, a local identity, fixed dates and
no global or system config, so the developer's own git settings never leak into a test.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Variables that would point git at another repo or config; dropped from every call.
_GIT_LEAKS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_CEILING")


def git_env(home: Path) -> dict[str, str]:
    """A clean environment for git: no user config, fixed identity and dates."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_GIT_LEAKS)}
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Test Author",
        GIT_AUTHOR_EMAIL="author@example.com",
        GIT_COMMITTER_NAME="Test Committer",
        GIT_COMMITTER_EMAIL="committer@example.com",
        GIT_AUTHOR_DATE="2024-01-01T00:00:00+00:00",
        GIT_COMMITTER_DATE="2024-01-01T00:00:00+00:00",
        GIT_TERMINAL_PROMPT="0",
        LC_ALL="C",
    )
    return env


class GitRepo:
    """A real repository on disk with a few verbs tests need; paths are repo-relative."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.env = git_env(path.parent)

    def git(self, *args: str) -> str:
        """Run git in the repo; fail the test with git's stderr when it fails."""
        result = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def write(self, path: str, content: str | bytes) -> Path:
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def symlink(self, path: str, target: str) -> None:
        link = self.path / path
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)

    def remove(self, path: str) -> None:
        self.git("rm", "-r", "-q", "--", path)

    def move(self, old: str, new: str) -> None:
        (self.path / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", "--", old, new)

    def commit(self, message: str = "change", author: str | None = None) -> str:
        """Stage everything and commit; returns the new sha. `author` is "Name <email>"."""
        self.git("add", "-A")
        extra = [f"--author={author}"] if author else []
        self.git("commit", "-q", "--allow-empty", "-m", message, *extra)
        return self.head()

    def branch(self, name: str, start: str = "HEAD") -> None:
        self.git("branch", name, start)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()


def make_repo(tmp_path: Path, files: dict[str, str] | None = None, name: str = "repo") -> GitRepo:
    """A fresh repo at tmp_path/name on branch main; `files` become the first commit."""
    path = tmp_path / name
    path.mkdir(parents=True)
    repo = GitRepo(path)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", "Test Author")
    repo.git("config", "user.email", "author@example.com")
    repo.git("config", "commit.gpgsign", "false")
    repo.git("config", "core.autocrlf", "false")
    repo.git("config", "core.symlinks", "true")
    for rel, text in (files or {}).items():
        repo.write(rel, text)
    if files:
        repo.commit("initial")
    return repo
