"""Shell completion (click's `_OPSYNC_COMPLETE`) completes feature ids for `status` and
`approve`, run the way a shell runs it; and FORCE_COLOR is honoured."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CliRunner
from gitrepo import make_repo
from opsync.console import wants_color


def complete(cwd: Path, *words: str) -> list[str]:
    """What `opsync <words><TAB>` offers, through click's bash protocol."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMP_")}
    env.update(
        COMP_WORDS=" ".join(("opsync", *words)),
        COMP_CWORD=str(len(words)),
        _OPSYNC_COMPLETE="bash_complete",
    )
    done = subprocess.run(
        [sys.executable, "-c", "from opsync.cli import main; main()"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [line.split(",", 1)[1] for line in done.stdout.splitlines() if "," in line]


@pytest.fixture
def workspace(tmp_path: Path, run_cli: CliRunner) -> Path:
    repo = make_repo(tmp_path)
    assert run_cli("init", "--example", cwd=repo.path).code == 0
    assert run_cli("new", "feature", "member-badges", cwd=repo.path).code == 0
    assert run_cli("new", "feature", "push-digest", cwd=repo.path).code == 0
    repo.commit("workspace")
    return repo.path


def test_status_completes_feature_ids(workspace: Path) -> None:
    assert complete(workspace, "status", "") == ["member-badges", "member-tiers", "push-digest"]
    assert complete(workspace, "status", "mem") == ["member-badges", "member-tiers"]
    # from a subfolder too, and an id already given is not offered again
    assert complete(workspace / "opsync", "status", "member-tiers", "") == [
        "member-badges",
        "push-digest",
    ]


def test_approve_completes_feature_ids_and_the_special_bundles(workspace: Path) -> None:
    assert complete(workspace, "approve", "p") == ["push-digest"]
    assert complete(workspace, "approve", "@") == ["@metrics", "@policy"]
    assert complete(workspace, "approve", "") == [
        *("member-badges", "member-tiers", "push-digest", "@metrics", "@policy")
    ]


def test_a_folder_without_a_workspace_completes_nothing(tmp_path: Path) -> None:
    assert complete(tmp_path, "status", "") == []


def test_commands_complete_too(tmp_path: Path) -> None:
    assert complete(tmp_path, "sta") == ["status"]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "tty", "expected"),
    [
        ({}, False, False),
        ({}, True, True),
        ({"FORCE_COLOR": "1"}, False, True),  # a CI log is no tty but renders colour
        ({"FORCE_COLOR": "0"}, False, False),
        ({"FORCE_COLOR": ""}, False, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),  # NO_COLOR wins
    ],
)
def test_force_color(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], tty: bool, expected: bool
) -> None:
    for name in ("FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    stream = Tty() if tty else io.StringIO()
    assert wants_color("auto", stream) is expected
    assert wants_color("never", stream) is False
    assert wants_color("always", stream) is True


def test_force_color_reaches_a_report(workspace: Path, run_cli: CliRunner) -> None:
    env = {**os.environ, "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-m", "opsync", "status", "member-tiers"],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "\x1b[" in done.stdout, done.stdout + done.stderr
