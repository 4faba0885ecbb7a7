"""The dashboard reads specs in forked workers for big workspaces: same result as in one."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from dashboard_workspace import feature, make_workspace, write
from opsync.dashboard import feature_jobs
from opsync.dashboard.model import collect


def _summary(root: Path) -> list[tuple[str, str, tuple[tuple[str, str, str], ...]]]:
    d = collect(root, date(2026, 11, 25))
    return [
        (v.feature.path, v.status, tuple((g.gate, g.state.value, g.message) for g in v.gates))
        for v in d.features
    ] + [("problems", str(d.problems), ((d.signoff_from, "", ""),))]


def test_forked_workers_give_the_same_views(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_workspace(tmp_path / "ws")
    for n in range(7):
        write(root, f"opsync/features/extra-{n}.md", feature(f"extra-{n}", f"Extra {n}"))
    write(root, "opsync/features/broken.md", "---\nid: [\n---\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(
        ["git", "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "x"],
        cwd=root, check=True,
    )  # fmt: skip
    serial = _summary(root)
    monkeypatch.setattr(feature_jobs, "PARALLEL_FROM", 1)
    monkeypatch.setattr(feature_jobs, "CHUNK", 3)
    monkeypatch.setattr(feature_jobs.os, "cpu_count", lambda: 2)
    forked = _summary(root)
    assert forked == serial
    assert len(serial) == 10 and serial[-1][1] != "0"  # the broken spec is reported once
    assert serial[-1][2][0][0]  # sign-off verified at HEAD
