"""The team's language (`lang` in opsync.yml): new files, week docs, summaries, scope tags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import CliRunner
from dashboard_workspace import make_workspace, write
from opsync.documents import markdown_doc
from opsync.errors import ExitCode
from opsync.findings import Finding, Severity
from opsync.i18n import CATALOGUE, t
from opsync.report.markdown_format import render_markdown
from opsync.results import Report

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    en, zh = CATALOGUE["en"], CATALOGUE["zh"]
    assert set(en) == set(zh)
    for key in en:
        assert set(PLACEHOLDER.findall(en[key])) == set(PLACEHOLDER.findall(zh[key])), key
        assert zh[key].strip(), key
    assert "签核" not in "".join(zh.values())  # teams say 审批


def test_t_formats_and_falls_back_to_english() -> None:
    assert t("digest.more", "zh", count=3) == "……另有 3 个"
    assert t("digest.more", "fr", count=3) == "… and 3 more"


@pytest.fixture
def zh_repo(tmp_path: Path, run_cli: CliRunner) -> Path:
    result = run_cli("init", "--lang", "zh", "--repo", str(tmp_path))
    assert result.code == 0, result
    return tmp_path


def test_init_writes_the_language_into_the_policy(zh_repo: Path, run_cli: CliRunner) -> None:
    assert re.search(r"^lang: zh\b", (zh_repo / "opsync.yml").read_text("utf-8"), re.M)
    result = run_cli("validate", cwd=zh_repo)
    assert result.code == 0, result


def test_new_feature_in_a_zh_repo_writes_the_chinese_template(
    zh_repo: Path, run_cli: CliRunner
) -> None:
    """Regression: `new feature` wrote the English template whatever `init --lang` said."""
    result = run_cli("new", "feature", "member-tiers", cwd=zh_repo)
    assert result.code == 0, result
    text = (zh_repo / "opsync/features/member-tiers.md").read_text("utf-8")
    assert "## 运营洞察" in text and "## 功能验证" in text
    assert "Ops insight" not in text
    # the flag still wins over the policy
    result = run_cli("new", "feature", "en-spec", "--lang", "en", cwd=zh_repo)
    assert result.code == 0, result
    assert "## Ops insight" in (zh_repo / "opsync/features/en-spec.md").read_text("utf-8")


def test_new_week_in_a_zh_repo_is_chinese(zh_repo: Path, run_cli: CliRunner) -> None:
    result = run_cli("new", "week", "--week", "2030-W02", cwd=zh_repo)
    assert result.code == 0, result
    text = (zh_repo / "opsync/weeks/2030-W02.md").read_text("utf-8")
    assert "2030-W02 周对齐" in text


def test_week_new_follows_the_policy_language(tmp_path: Path, run_cli: CliRunner) -> None:
    root = make_workspace(tmp_path / "ws")
    policy = (root / "opsync.yml").read_text("utf-8")
    write(root, "opsync.yml", policy + "lang: zh\n")
    result = run_cli("week", "new", "--week", "2026-W48", "--repo", str(root))
    assert result.code == 0, result
    text = (root / "opsync/weeks/2026-W48.md").read_text("utf-8")
    assert "## 进行中的功能" in text and "## Features in flight" not in text


def _report(lang: str) -> Report:
    finding = Finding(
        path="opsync/features/a.md",
        line=3,
        col=1,
        rule="feature-ops-owner",
        message="no ops owner",
        hint="add owners.ops",
        severity=Severity.ERROR,
    )
    return Report(
        command="check",
        findings=(finding,),
        exit_code=ExitCode.FINDINGS,
        lang=lang,
        notes=("this PR touches no feature",),
    )


def test_markdown_summary_in_chinese() -> None:
    zh = render_markdown(_report("zh"))
    assert "未通过" in zh and "### 问题" in zh and "修复" in zh
    assert "1 个文件中有 1 个错误" in zh
    assert "这个 PR 没有涉及任何功能" in zh
    assert "feature-ops-owner" in zh  # rule ids stay English
    en = render_markdown(_report("en"))
    assert "failed" in en and "### Findings" in en and "1 error in 1 file" in en


SCOPE_TAGS = ["(later)", "[later]", "later:", "（later）", "（后续）", "【后续】", "后续：", "(后续)"]  # fmt: skip  # noqa: E501


@pytest.mark.parametrize("tag", SCOPE_TAGS)
def test_full_width_and_chinese_scope_tags_count_as_later(tag: str) -> None:
    text = f"""---
id: a
---
<!-- opsync:functional-validation -->
## 功能验证

- [ ] {tag} 等级历史页面
- [ ] 后续工作流程
""".encode()
    tasks = markdown_doc.parse(text).sections["functional-validation"].tasks
    assert [task.later for task in tasks] == [True, False]


def test_later_items_in_full_width_do_not_block_co_validation(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    root = make_workspace(tmp_path / "ws")
    spec = root / "opsync/features/member-tiers.md"
    old, new = "- [ ] (later) history page", "- [ ] （后续）history page"
    text = spec.read_text("utf-8").replace(old, new)
    spec.write_text(text, encoding="utf-8")
    from opsync.dashboard.features_view import product_track
    from opsync.workspace.root import open_workspace as load_workspace

    ws = load_workspace(root)
    feature = ws.feature("member-tiers")
    assert feature is not None
    track = product_track(feature)
    later = [item for item in track.items if "history page" in item.text]
    assert later and not later[0].counted


def test_week_check_speaks_the_team_language(tmp_path: Path, run_cli: CliRunner) -> None:
    root = make_workspace(tmp_path / "ws")
    write(root, "opsync.yml", (root / "opsync.yml").read_text("utf-8") + "lang: zh\n")
    args = ("week", "check", "--repo", str(root), "--today")
    missing = run_cli(*args, "2026-11-25", "--week", "2026-W48")
    assert missing.code == 1 and "还没有对齐文档" in missing.out, missing
    assert "`opsync week new`" in missing.out
    empty = "---\nweek: 2026-W48\ngoal: {statement: '', metric: member-value}\n---\n"
    write(root, "opsync/weeks/2026-W48.md", empty)
    early = run_cli(*args, "2026-11-24", "--week", "2026-W48")
    assert early.code == 0 and "截止时间是 周三 2026-11-25" in early.out, early
    assert "goal.statement 为空" in early.out  # field names stay English
