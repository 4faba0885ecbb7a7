"""Launch dates from real, dated Git histories; campaigns from week docs."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from impactflow import Workspace, week_doc
from opsync.impact.events import NO_HISTORY, SHALLOW, launch_history, status_of

FEATURES = "opsync/features"


def test_status_is_read_from_the_front_matter_only() -> None:
    assert status_of(b"---\nid: a\nstatus: 'launched'  # done\n---\nstatus: build\n") == "launched"
    assert status_of(b"---\nid: a\n---\nstatus: launched\n") is None
    assert status_of(b"no front matter") is None
    assert status_of(None) is None


def test_a_feature_moving_to_launched_across_weeks(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.set_status("tiers", "research", date(2026, 1, 5))
    ws.set_status("tiers", "build", date(2026, 1, 14))
    launched_at = ws.set_status("tiers", "launched", date(2026, 1, 28))
    ws.repo.write(
        "opsync/features/tiers.md",
        ws.repo.path.joinpath("opsync/features/tiers.md").read_text() + "\nmore notes\n",
    )
    ws.commit_on(date(2026, 2, 10), "notes after launch")
    launch = launch_history(ws.path, FEATURES).launches["tiers"]
    assert launch.date == date(2026, 1, 28)
    assert launch.commit == launched_at
    assert launch.reverted == 0 and launch.note == ""


def test_a_reverted_launch_does_not_count_and_a_relaunch_does(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.set_status("tiers", "validation", date(2026, 1, 5))
    first = ws.set_status("tiers", "launched", date(2026, 1, 12))
    ws.repo.env["GIT_COMMITTER_DATE"] = "2026-01-19T12:00:00+00:00"
    ws.repo.git("revert", "--no-edit", first)
    assert "tiers" not in launch_history(ws.path, FEATURES).launches
    ws.set_status("tiers", "launched", date(2026, 2, 2))
    launch = launch_history(ws.path, FEATURES).launches["tiers"]
    assert launch.date == date(2026, 2, 2)
    assert launch.reverted == 1


def test_a_launch_on_a_side_branch_counts_when_merged(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.set_status("tiers", "validation", date(2026, 1, 5))
    ws.repo.git("checkout", "-q", "-b", "side")
    ws.set_status("tiers", "launched", date(2026, 1, 7))
    ws.repo.git("checkout", "-q", "main")
    ws.repo.write("README.md", "main moves on\n")
    ws.commit_on(date(2026, 1, 9))
    assert "tiers" not in launch_history(ws.path, FEATURES).launches  # not on main yet
    assert launch_history(ws.path, FEATURES, "side").launches["tiers"].date == date(2026, 1, 7)
    merge = ws.merge("side", date(2026, 1, 21))
    launch = launch_history(ws.path, FEATURES).launches["tiers"]
    assert (launch.date, launch.commit) == (date(2026, 1, 21), merge)


def test_renamed_and_deleted_specs(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.set_status("old", "launched", date(2026, 1, 5))
    ws.set_status("gone", "launched", date(2026, 1, 6))
    ws.repo.move("opsync/features/old.md", "opsync/features/new.md")
    ws.repo.remove("opsync/features/gone.md")
    ws.commit_on(date(2026, 1, 20))
    launches = launch_history(ws.path, FEATURES).launches
    assert set(launches) == {"new"}
    assert launches["new"].date == date(2026, 1, 5)


def test_shallow_history_says_the_date_is_unknown(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.set_status("early", "launched", date(2026, 1, 5))
    ws.repo.write("README.md", "x\n")
    ws.commit_on(date(2026, 1, 6))
    ws.repo.write("README.md", "y\n")
    ws.commit_on(date(2026, 1, 7))
    ws.set_status("late", "launched", date(2026, 1, 8))
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{ws.path}", str(clone)],
        check=True,
        env=ws.repo.env,
        capture_output=True,
    )
    launches = launch_history(clone, FEATURES).launches
    assert launches["early"].date is None and launches["early"].note == SHALLOW
    assert launches["late"].date == date(2026, 1, 8)


def test_no_repository_means_no_dates(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    history = launch_history(tmp_path / "plain", FEATURES)
    assert history.launches == {} and history.note == NO_HISTORY


def test_the_history_is_walked_once_for_all_features(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsync import git

    ws = Workspace(tmp_path)
    for index in range(5):
        ws.set_status(f"f{index}", "launched", date(2026, 1, 5 + index))
    calls: list[Any] = []
    real = git.Repo.first_parent_log

    def counted(self: git.Repo, ref: str, folder: str) -> Any:
        calls.append(ref)
        return real(self, ref, folder)

    monkeypatch.setattr(git.Repo, "first_parent_log", counted)
    assert len(launch_history(ws.path, FEATURES).launches) == 5
    assert len(calls) == 1


def test_events_command_lists_launches_and_campaigns(tmp_path: Path, run_cli: Any) -> None:
    ws = Workspace(tmp_path)
    ws.set_status("tiers", "launched", date(2026, 1, 14), title='=HYPERLINK("x")')
    ws.set_status("later", "build", date(2026, 1, 15))
    ws.repo.write("opsync/weeks/2026-W03.md", week_doc("2026-W03", [("tiers", "coupon push")]))
    ws.commit_on(date(2026, 1, 16))
    done = run_cli("events", "--format", "json", cwd=ws.path)
    assert done.code == 0, done
    records = json.loads(done.out)
    assert [(r["kind"], r["feature"]) for r in records] == [
        ("campaign", "tiers"),
        ("launch", "tiers"),
    ]
    campaign, launch = records
    assert campaign["week"] == "2026-W03" and campaign["metric"] == "conversion"
    assert launch["date"] == "2026-01-14" and launch["week"] == "2026-W03"
    rows = list(csv.DictReader(io.StringIO(run_cli("events", "--format", "csv", cwd=ws.path).out)))
    assert rows[1]["date"] == "2026-01-14"
    assert rows[1]["title"].startswith("'=")  # never a spreadsheet formula
    text = run_cli("events", cwd=ws.path).out
    assert "2026-01-14   launch    tiers" in text and "coupon push" in text


def test_events_without_history_say_so(tmp_path: Path, run_cli: Any) -> None:
    ws = Workspace(tmp_path)
    ws.repo.write("opsync/features/tiers.md", __import__("impactflow").spec("tiers", "launched"))
    done = run_cli("events", "--format", "json", cwd=ws.path)  # nothing committed yet
    assert done.code == 0, done
    assert json.loads(done.out)[0]["date"] is None
    assert "launch dates unknown" in done.err
