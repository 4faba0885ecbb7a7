"""The message catalogue: fixed strings opsync writes for people, in the team's language.

`lang: en|zh` in opsync.yml picks the language. Rule ids, field names, gate
names and commands stay English in both: they are what people type and search for. The
Chinese is written the way teams say it (审批, not 签核). A test checks both languages
have the same keys and the same `{placeholders}`.
"""

from __future__ import annotations

LANGS = ("en", "zh")

EN: dict[str, str] = {
    # the Markdown summary and PR comment (report/markdown_format.py)
    "report.passed": "passed",
    "report.error": "could not complete",
    "report.advisory": "findings (advisory, not blocking)",
    "report.failed": "failed",
    "report.feature": "Feature",
    "report.status": "Status",
    "report.findings": "Findings",
    "report.blocks": "What blocks, and who can unblock it",
    "report.fix": "fix",
    "report.more": "{count} more not shown; run opsync with `--format json` for all.",
    "report.advisory_line": (
        "enforcement: advisory — findings are reported but do not block the merge"
    ),
    "report.all_passed": "all checks passed",
    "report.could_not": "could not complete (exit {code})",
    "report.counts": "{found} in {files} file(s)",
    "report.errors": "{count} error(s)",
    "report.warnings": "{count} warning(s)",
    "report.notes": "{count} note(s)",
    "report.not_passing": "{failing} of {total} feature(s) not passing",
    "note.no_feature": "this PR touches no feature",
    "note.advisory": "enforcement: advisory — these findings do not block the merge",
    "note.no_github": (
        "GitHub reviews not consulted (no pull request event): only "
        "signed records count in this run"
    ),
    # `opsync new`
    "new.week_missing": "note: {path} does not exist yet: `opsync new week`",
    # `opsync week check` (weekly.py)
    "week.missing": "{path} is missing: week {week} has no alignment doc.",
    "week.missing_fix": (
        "fix: run `opsync week new`, fill in the goal, product actions and ops support, "
        "and open a pull request"
    ),
    "week.complete": "{path} is complete: goal, product actions and ops support are set.",
    "week.overdue": "{path} is incomplete and was due {due}:",
    "week.not_due": "{path} is incomplete; it is due {due} (not failing yet):",
    "week.no_statement": "goal.statement is empty: write this week's one core business goal",
    "week.no_metric": "goal.metric is empty: name the aligned metric the goal moves",
    "week.no_actions": "product_actions is empty: list product's key actions, one per feature",
    "week.unreadable": "the doc could not be read",
    "week.days": "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
    # the weekly digest (notify/digest.py)
    "digest.title": "Week {week}: product and ops alignment",
    "digest.goal": "This week's goal",
    "digest.goal_metric": "metric: {metric}",
    "digest.no_goal": "(no goal statement yet)",
    "digest.actions": "Product actions",
    "digest.support": "Ops support",
    "digest.no_support": "no support needed: {reason}",
    "digest.none": "none yet",
    "digest.done": "done",
    "digest.missing": "This week's alignment doc {path} is missing.",
    "digest.missing_fix": "Draft it with `opsync week new`, fill it in and open a pull request.",
    "digest.incomplete": "The doc is incomplete:",
    "digest.metrics": "Key metrics",
    "digest.no_values": "no values yet",
    "digest.change": "{delta} since {period}",
    "digest.features": "Features in flight",
    "digest.blocked_by": "blocked by:",
    "digest.clear": "no blockers",
    "digest.no_features": "no features in flight",
    "digest.more": "… and {count} more",
    "digest.outcomes": "Outcomes due",
    "digest.dashboard": "Dashboard",
    "digest.truncated": "… message shortened to fit {platform}'s size limit; see the dashboard.",
    # `opsync demo`
    "demo.1": "1. Scaffold a workspace with the built-in example (a repo of the team's own)",
    "demo.2": "2. carol (ops) registers her SSH signing key; erin (admin) merges the set-up",
    "demo.3": "3. alice (product) opens a feature PR: code plus the spec moving to design",
    "demo.3b": "   The gate blocks the merge: no ops sign-off for this content yet",
    "demo.4": "4. carol reviews and signs off with her SSH key; the record is committed",
    "demo.5": "5. A later push that changes only code keeps the approval",
    "demo.6": "6. A push that changes the spec makes the approval stale",
    "demo.7": "7. carol approves the new content; the PR can merge",
    "demo.notify": (
        "{number}. Monday morning: the weekly digest for the team chat "
        "(a dry run: the webhook URL comes from OPSYNC_NOTIFY_URL)"
    ),
    "demo.pull": "{number}. The metric values come from the team's own data (DuckDB, offline)",
    "demo.pull_skipped": (
        "skipped: DuckDB is not installed; pip install 'opsync[duckdb]' to see it"
    ),
    "demo.launch": (
        "{number}. member-tiers launches (dated in the week the example's numbers step up)"
    ),
    "demo.impact": "   Its impact card: before and after the launch week, against its promise",
    "demo.dashboard": "{number}. The shared dashboard: charts with the launch on them",
    "demo.done": (
        "Done: blocked without sign-off, green with it, stale after a spec change; "
        "values pulled, the launch scored against its promise, the digest ready."
    ),
}

ZH: dict[str, str] = {
    "report.passed": "通过",
    "report.error": "未能完成",
    "report.advisory": "有问题（提示模式，不阻断合并）",
    "report.failed": "未通过",
    "report.feature": "功能",
    "report.status": "阶段",
    "report.findings": "问题",
    "report.blocks": "卡在哪里，谁能放行",
    "report.fix": "修复",
    "report.more": "另有 {count} 条未显示；加 `--format json` 运行 opsync 可查看全部。",
    "report.advisory_line": "enforcement: advisory（提示模式）——问题只报告，不阻断合并",
    "report.all_passed": "全部检查通过",
    "report.could_not": "未能完成（退出码 {code}）",
    "report.counts": "{files} 个文件中有 {found}",
    "report.errors": "{count} 个错误",
    "report.warnings": "{count} 个警告",
    "report.notes": "{count} 条提示",
    "report.not_passing": "{total} 个功能中有 {failing} 个未通过",
    "note.no_feature": "这个 PR 没有涉及任何功能",
    "note.advisory": "enforcement: advisory（提示模式）——这些问题不阻断合并",
    "note.no_github": "没有读取 GitHub 评审（不是拉取请求事件）：本次只认带签名的审批记录",
    "new.week_missing": "提示：{path} 还不存在，可运行 `opsync new week` 创建",
    "week.missing": "{path} 不存在：{week} 周还没有对齐文档。",
    "week.missing_fix": (
        "修复：运行 `opsync week new`，填写目标、产品关键动作和运营支持，然后提交拉取请求"
    ),
    "week.complete": "{path} 已完整：目标、产品关键动作和运营支持都已填写。",
    "week.overdue": "{path} 还不完整，截止时间是 {due}，已逾期：",
    "week.not_due": "{path} 还不完整；截止时间是 {due}（暂不判为失败）：",
    "week.no_statement": "goal.statement 为空：写下本周唯一的核心业务目标",
    "week.no_metric": "goal.metric 为空：写明目标推动的对齐指标",
    "week.no_actions": "product_actions 为空：列出产品的关键动作，每个功能一条",
    "week.unreadable": "无法读取这份文档",
    "week.days": "周一,周二,周三,周四,周五,周六,周日",
    "digest.title": "{week} 周：产品与运营对齐",
    "digest.goal": "本周目标",
    "digest.goal_metric": "指标：{metric}",
    "digest.no_goal": "（还没有写目标）",
    "digest.actions": "产品关键动作",
    "digest.support": "运营支持",
    "digest.no_support": "无需支持：{reason}",
    "digest.none": "暂无",
    "digest.done": "已完成",
    "digest.missing": "本周的对齐文档 {path} 还没有创建。",
    "digest.missing_fix": "运行 `opsync week new` 生成草稿，填写后提交拉取请求。",
    "digest.incomplete": "文档还不完整：",
    "digest.metrics": "关键指标",
    "digest.no_values": "暂无数据",
    "digest.change": "较 {period} {delta}",
    "digest.features": "进行中的功能",
    "digest.blocked_by": "卡在：",
    "digest.clear": "没有阻碍",
    "digest.no_features": "没有进行中的功能",
    "digest.more": "……另有 {count} 个",
    "digest.outcomes": "待复盘的结果",
    "digest.dashboard": "看板",
    "digest.truncated": "……消息超出{platform}的长度上限，已截断；完整内容请看看板。",
    "demo.1": "1. 用内置示例搭建工作区（相当于团队自己的仓库）",
    "demo.2": "2. carol（运营）登记她的 SSH 签名密钥；erin（管理员）合并这次配置",
    "demo.3": "3. alice（产品）提交功能 PR：代码改动，同时把功能推进到 design 阶段",
    "demo.3b": "   门禁阻止合并：这版内容还没有运营审批",
    "demo.4": "4. carol 评审后用 SSH 密钥审批；审批记录提交进仓库",
    "demo.5": "5. 之后只改代码的推送，审批依然有效",
    "demo.6": "6. 修改了功能说明的推送，会让原来的审批失效",
    "demo.7": "7. carol 审批新内容；PR 可以合并",
    "demo.notify": (
        "{number}. 周一早上：发到团队群的每周摘要（演练模式：webhook 地址取自 OPSYNC_NOTIFY_URL）"
    ),
    "demo.pull": "{number}. 指标数据来自团队自己的数据（DuckDB，离线）",
    "demo.pull_skipped": "已跳过：未安装 DuckDB；pip install 'opsync[duckdb]' 后可以看到这一步",
    "demo.launch": "{number}. member-tiers 上线（日期定在示例数据出现跃升的那一周）",
    "demo.impact": "   影响卡片：上线前后对比，对照它的承诺",
    "demo.dashboard": "{number}. 共享看板：图表上标出了这次上线",
    "demo.done": (
        "完成：没有审批时被阻止，审批后通过，功能说明改动后审批失效；"
        "数据已拉取，上线效果已对照承诺评估，每周摘要已就绪。"
    ),
}

CATALOGUE: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}


def t(key: str, lang: str = "en", **values: object) -> str:
    """The message `key` in `lang` (English when the language is unknown)."""
    table = CATALOGUE.get(lang, EN)
    return table[key].format(**values) if values else table[key]


def translate_known(text: str, lang: str) -> str:
    """`text` in `lang` when it is one of the English catalogue's fixed strings."""
    if lang == "en":
        return text
    for key, english in EN.items():
        if english == text and "{" not in english:
            return t(key, lang)
    return text
