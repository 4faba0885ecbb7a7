"""`opsync demo --lang zh`: the whole flow in Chinese, ending with the weekly digest."""

from __future__ import annotations

from conftest import CliRunner


def test_demo_runs_in_chinese_and_previews_the_digest(run_cli: CliRunner) -> None:
    result = run_cli("demo", "--lang", "zh", "--color", "never")
    assert result.code == 0, result
    assert "1. 用内置示例搭建工作区" in result.out
    assert "opsync init --example --lang zh" in result.out
    assert "## ✅ opsync check: 通过" in result.out  # the PR comment in the team's language
    assert "$ opsync week notify --dry-run" in result.out
    assert "── team (feishu) ──" in result.out and "**本周目标**" in result.out
    assert "完成：" in result.out
    assert "did not behave as expected" not in result.err
