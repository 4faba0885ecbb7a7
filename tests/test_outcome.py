"""The outcome review: `outcome-due` in validate, and `week new` listing what is due."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from impactflow import Workspace
from opsync.documents.markdown_doc import DEFAULT_SECTION_TITLES


def test_outcome_titles_in_both_languages() -> None:
    assert DEFAULT_SECTION_TITLES["outcome"] == ("Outcome", "结果复盘")


def _outcome_findings(run_cli: Any, ws: Workspace) -> list[dict[str, Any]]:
    done = run_cli("validate", "--format", "json", cwd=ws.path)
    report = json.loads(done.out)
    return [f for f in report["findings"] if f["rule"] == "outcome-due"]


def test_outcome_due_once_the_window_has_passed(tmp_path: Path, run_cli: Any) -> None:
    ws = Workspace(tmp_path)
    ws.set_status("old", "launched", date(2025, 1, 6))  # within 4 weeks: long past
    ws.set_status("fresh", "launched", date.today())  # the window is still open
    ws.set_status("done", "launched", date(2025, 1, 6), outcome="Conversion +8 %; keep it.")
    ws.set_status("building", "build", date(2025, 1, 6))
    (finding,) = _outcome_findings(run_cli, ws)
    assert finding["path"] == "opsync/features/old.md"
    assert finding["severity"] == "warning"
    assert "2025-02-03" in finding["message"]  # 2025-01-06 + 4 weeks
    text = ws.path.joinpath("opsync/features/old.md").read_text().splitlines()
    assert text[finding["line"] - 1] == "## Outcome"


def test_week_new_lists_the_outcomes_due(tmp_path: Path, run_cli: Any) -> None:
    ws = Workspace(tmp_path)
    ws.set_status("old", "launched", date(2025, 1, 6), title="Old <b>thing</b> | x")
    done = run_cli("week", "new", "--week", "2025-W20", cwd=ws.path)
    assert done.code == 0, done
    doc = ws.path.joinpath("opsync/weeks/2025-W20.md").read_text()
    assert "## Outcomes due" in doc
    assert "| old: Old <b>thing</b> \\| x | 2025-01-06 | 2025-02-03 |" in doc
    zh = run_cli("week", "new", "--week", "2025-W21", "--lang", "zh", cwd=ws.path)
    assert zh.code == 0, zh
    assert "## 待复盘的结果" in ws.path.joinpath("opsync/weeks/2025-W21.md").read_text()
    early = run_cli("week", "new", "--week", "2025-W03", cwd=ws.path)
    assert early.code == 0
    assert "Outcomes due" not in ws.path.joinpath("opsync/weeks/2025-W03.md").read_text()
