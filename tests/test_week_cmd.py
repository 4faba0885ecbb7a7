"""`opsync week new` and `opsync week check` on a real workspace on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CliRunner
from dashboard_workspace import make_workspace, write
from opsync.documents import markdown_doc
from opsync.rules.lint import lint
from opsync.workspace.source import WorktreeSource

W48 = "opsync/weeks/2026-W48.md"
TUESDAY, WEDNESDAY, FRIDAY = "2026-11-24", "2026-11-25", "2026-11-27"

COMPLETE = """\
---
week: 2026-W48
goal: {statement: Lift first-order conversion, metric: first-order-conversion}
product_actions:
  - {feature: signup-revamp, action: ship the new form, owner: bob}
ops_support:
  - {for: signup-revamp, none: no ops work this week}
---
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def meta(path: Path) -> dict[str, object]:
    meta: dict[str, object] = markdown_doc.parse(path.read_bytes()).meta
    return meta


def test_week_new_carries_unfinished_actions_and_prefills(ws: Path, run_cli: CliRunner) -> None:
    result = run_cli("week", "new", "--today", TUESDAY, cwd=ws)
    assert result.code == 0, result
    assert result.out.strip() == W48, result
    assert "1 action(s) carried over, 2 feature(s) in flight" in result.err, result
    doc = ws / W48
    fields = meta(doc)
    # W47's done action (member-tiers) stays behind; the unfinished one comes along
    # without a `done` flag, together with its ops support row.
    assert fields["product_actions"] == [
        {"feature": "signup-revamp", "action": "ship the new sign-up form", "owner": "bob"}
    ]
    assert fields["ops_support"] == [
        {"for": "signup-revamp", "action": "new-user coupon push", "owner": "dave"}
    ]
    assert fields["goal"] == {"statement": "", "metric": "member-value"}  # last week's metric
    text = doc.read_text(encoding="utf-8")
    assert "Carried over from 2026-W47" in text
    assert "| signup-revamp: Sign-up revamp | validation |" in text  # in flight, nearest first
    assert "会员体系升级 Member tiers" in text
    assert "| Member value | 376.2 CNY/member | 2026-W47 |" in text  # two formula levels
    assert "| 首单转化率 | 13.9 percent | 2026-W47 |" in text
    # The draft is a valid week doc: only warnings, never errors, from validate.
    report = lint(WorktreeSource(ws))
    errors = [f for f in report.findings if f.path == W48 and f.severity.value == "error"]
    assert errors == [], errors


def test_week_new_never_overwrites(ws: Path, run_cli: CliRunner) -> None:
    write(ws, W48, "my notes\n")
    result = run_cli("week", "new", "--week", "2026-W48", cwd=ws)
    assert result.code == 2, result
    assert "exists; `week new` never overwrites" in result.err, result
    assert (ws / W48).read_text() == "my notes\n"


def test_week_new_without_last_week_starts_from_the_north_star(
    ws: Path, run_cli: CliRunner
) -> None:
    result = run_cli("week", "new", "--week", "2027-W02", "--lang", "zh", cwd=ws)
    assert result.code == 0, result
    doc = ws / "opsync/weeks/2027-W02.md"
    fields = meta(doc)
    assert fields["goal"] == {"statement": "", "metric": "member-value"}
    assert fields["product_actions"] == []
    text = doc.read_text(encoding="utf-8")
    assert "## 进行中的功能" in text and "## 最新指标" in text
    assert "延续" not in text  # nothing carried over


def test_week_new_rejects_a_bad_week(ws: Path, run_cli: CliRunner) -> None:
    result = run_cli("week", "new", "--week", "2026-W60", cwd=ws)
    assert result.code == 2, result
    assert "2026 has weeks W01 to W53" in result.err, result


def test_week_check_fails_when_the_doc_is_missing(ws: Path, run_cli: CliRunner) -> None:
    result = run_cli("week", "check", "--today", TUESDAY, cwd=ws)
    assert result.code == 1, result
    assert f"{W48} is missing" in result.out, result
    assert "opsync week new" in result.out, result


def test_incomplete_doc_passes_before_the_due_day_and_fails_from_it(
    ws: Path, run_cli: CliRunner
) -> None:
    assert run_cli("week", "new", "--today", TUESDAY, cwd=ws).code == 0
    early = run_cli("week", "check", "--today", TUESDAY, cwd=ws)
    assert early.code == 0, early
    assert "incomplete; it is due Wednesday 2026-11-25 (not failing yet)" in early.out, early
    assert "goal.statement is empty" in early.out, early
    due = run_cli("week", "check", "--today", WEDNESDAY, cwd=ws)
    assert due.code == 1, due
    assert "incomplete and was due Wednesday 2026-11-25" in due.out, due


def test_due_weekday_comes_from_the_policy(ws: Path, run_cli: CliRunner) -> None:
    policy = ws / "opsync.yml"
    policy.write_text(policy.read_text() + "week: {due_weekday: 5}\n")
    write(ws, W48, COMPLETE.replace("Lift first-order conversion", "''"))
    thursday = run_cli("week", "check", "--today", "2026-11-26", cwd=ws)
    assert thursday.code == 0, thursday
    assert "due Friday 2026-11-27" in thursday.out, thursday
    assert run_cli("week", "check", "--today", FRIDAY, cwd=ws).code == 1


def test_complete_doc_passes(ws: Path, run_cli: CliRunner) -> None:
    write(ws, W48, COMPLETE)
    result = run_cli("week", "check", "--today", FRIDAY, cwd=ws)
    assert result.code == 0, result
    assert f"{W48} is complete" in result.out, result


def test_rule_errors_make_a_doc_incomplete(ws: Path, run_cli: CliRunner) -> None:
    no_support = COMPLETE.replace("for: signup-revamp, none", "for: member-tiers, none")
    write(ws, W48, no_support)
    result = run_cli("week", "check", "--today", FRIDAY, "--format", "json", cwd=ws)
    assert result.code == 1, result
    data = json.loads(result.out)
    assert data["exists"] and not data["complete"] and data["overdue"], data
    assert any("has no ops support" in p for p in data["problems"]), data


def test_unreadable_doc_is_incomplete_with_its_line(ws: Path, run_cli: CliRunner) -> None:
    write(ws, W48, "---\nweek: 2026-W48\ngoal: [unclosed\n---\n")
    result = run_cli("week", "check", "--today", FRIDAY, cwd=ws)
    assert result.code == 1, result
    assert "line 4: did not find expected" in result.out, result


def test_week_check_without_a_workspace_is_a_config_error(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    (tmp_path / ".git").mkdir()  # stop the search for opsync.yml here
    result = run_cli("week", "check", cwd=tmp_path)
    assert result.code == 2, result
    assert "opsync init" in result.err, result
