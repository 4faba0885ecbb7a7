"""The GitLab CI template: valid under GitLab's CI schema, and each job runs where the
gate needs it (merge requests, the default branch's baseline, the weekly schedule)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "ci" / "gitlab-ci.yml"


def jobs() -> dict[str, Any]:
    data = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return {k: v for k, v in data.items() if not k.startswith(".")}


def rules(job: dict[str, Any]) -> list[str]:
    return [r["if"] for r in job["rules"]]


def test_valid_under_gitlab_ci_schema() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.gitlab-ci",
            str(TEMPLATE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_gate_runs_on_merge_requests_with_the_note_and_a_code_quality_artifact() -> None:
    gate = jobs()["opsync-gate"]
    assert rules(gate) == ['$CI_PIPELINE_SOURCE == "merge_request_event"']
    assert gate["script"] == ["opsync check --format gitlab > gl-code-quality-report.json"]
    assert gate["variables"]["OPSYNC_GITLAB_NOTE"] == "true"
    assert gate["artifacts"]["when"] == "always"  # also on exit 1/2/3
    assert gate["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"


def test_lint_is_the_default_branch_baseline_and_runs_on_merge_requests_too() -> None:
    lint = jobs()["opsync-lint"]
    assert rules(lint) == [
        '$CI_PIPELINE_SOURCE == "merge_request_event"',
        '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
    ]
    assert lint["artifacts"]["reports"]["codequality"] == "gl-code-quality-lint.json"
    assert lint["artifacts"]["when"] == "always"


def test_the_week_check_runs_on_its_schedule_only() -> None:
    week = jobs()["opsync-week"]
    assert rules(week) == ['$CI_PIPELINE_SOURCE == "schedule" && $OPSYNC_SCHEDULE == "week"']
    assert week["script"] == ["opsync week check"]


def test_every_job_has_full_history_and_no_secret() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    base = yaml.safe_load(text)[".opsync"]
    assert base["variables"]["GIT_DEPTH"] == "0"
    for job in jobs().values():
        assert job["extends"] == ".opsync"
    assert "glpat-" not in text
    assert "OPSYNC_GITLAB_TOKEN:" not in text  # a masked CI/CD variable, never in the file


def test_scripts_parse_as_shell() -> None:
    data = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    lines = [
        line
        for job in data.values()
        for key in ("before_script", "script")
        for line in job.get(key, [])
    ]
    assert lines
    for line in lines:
        proc = subprocess.run(["sh", "-n", "-c", line], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"{line}: {proc.stderr}"


def _script_line(job: str) -> str:
    (line,) = jobs()[job]["script"]
    return str(line)


def _sh(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", line],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_job_lines_run_as_written(tmp_path: Path) -> None:
    """The exact script lines in `sh`: lint passes with findings (exit 1) and its report
    holds them; the gate outside a merge request stops (exit 2) with a non-empty report."""
    from gitrepo import make_repo

    repo = make_repo(tmp_path)
    env = {k: v for k, v in repo.env.items() if not k.startswith(("GITLAB_", "CI_", "GITHUB_"))}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    init = subprocess.run(
        [sys.executable, "-m", "opsync", "init", "--example", "--ci", "gitlab"],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert init.returncode == 0, init.stderr
    spec = repo.path / "opsync/features/member-tiers.md"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            "metric: member-value-density", "metric: no-such-metric"
        )
    )
    repo.commit("a spec naming an unknown metric")

    lint = _sh(_script_line("opsync-lint"), repo.path, env)
    assert lint.returncode == 0, lint.stderr
    issues = json.loads((repo.path / "gl-code-quality-lint.json").read_text(encoding="utf-8"))
    assert issues and all(i["location"]["path"] for i in issues), issues

    gate = _sh(_script_line("opsync-gate"), repo.path, {**env, "GITLAB_CI": "true"})
    assert gate.returncode == 2, gate.stderr
    report = json.loads((repo.path / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert [i["check_name"] for i in report] == ["opsync-error"], report
    assert "not a merge request pipeline" in report[0]["description"]


def test_init_installs_opsync_from_a_pinned_commit_never_by_package_name(
    tmp_path: Path, run_cli: Any
) -> None:
    """As the GitHub action does: no `opsync==` a stranger could publish first."""
    sha = "0123456789abcdef0123456789abcdef01234567"
    result = run_cli(
        "init", "--ci", "gitlab", "--action-ref", f"acme/opsync@{sha}", "--repo", str(tmp_path)
    )
    assert result.code == 0, result
    written = tmp_path / ".gitlab-ci.opsync.yml"
    text = written.read_text(encoding="utf-8")
    assert f'"opsync @ git+https://github.com/acme/opsync@{sha}"' in text
    assert "opsync==" not in text
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.gitlab-ci",
            str(written),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
