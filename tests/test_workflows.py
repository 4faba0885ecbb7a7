"""The shipped integrations: schema-valid, zizmor-clean, pinned, and free of `${{` in shells."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from opsync import __version__

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "templates" / "ci" / "github").glob("*.yml"))
WORKFLOWS = [*TEMPLATES, ROOT / ".github" / "workflows" / "ci.yml"]
ACTION = ROOT / "action.yml"
GITLAB = ROOT / "templates" / "ci" / "gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
ALL_GITHUB = [*WORKFLOWS, ACTION]
SHA = re.compile(r"[0-9a-f]{40}")


def ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(on, dict)
    return on


def steps(path: Path) -> Iterator[dict[str, Any]]:
    data = load(path)
    if path == ACTION:
        yield from data["runs"]["steps"]
        return
    for job in data["jobs"].values():
        yield from job.get("steps", [])


def tool(name: str) -> str:
    beside = Path(sys.executable).parent / name  # the venv running the tests
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is not installed; run: pip install '.[test]'"
    return found


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_every_workflow_is_here() -> None:
    names = {p.name for p in TEMPLATES}
    assert names == {
        "opsync-gate.yml",
        "opsync-review.yml",
        "opsync-week.yml",
        "opsync-metrics-pull.yml",
    }


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        *[(p, "vendor.github-workflows") for p in WORKFLOWS],
        (ACTION, "vendor.github-actions"),
        (GITLAB, "vendor.gitlab-ci"),
    ],
    ids=lambda v: ids(v) if isinstance(v, Path) else v,
)
def test_schema_valid(path: Path, schema: str) -> None:
    proc = run(sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_finds_nothing_medium_or_worse() -> None:
    files = [str(p) for p in ALL_GITHUB]
    proc = run(tool("zizmor"), "--offline", "--no-progress", "--min-severity", "medium", *files)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout + proc.stderr
    for path in ALL_GITHUB:  # each file was audited (a directory input could skip some)
        assert str(path) in proc.stderr, proc.stderr


@pytest.mark.parametrize("path", ALL_GITHUB, ids=ids)
def test_no_expression_inside_run(path: Path) -> None:
    """`${{ }}` in a shell is template injection; values go through `env:`."""
    scripts = [s["run"] for s in steps(path) if "run" in s]
    assert scripts, f"{path} has no run steps"
    for script in scripts:
        assert "${{" not in script, f"{ids(path)}: expression inside run:\n{script}"


@pytest.mark.parametrize("path", ALL_GITHUB, ids=ids)
def test_shell_scripts_parse(path: Path) -> None:
    for step in steps(path):
        if "run" in step:
            proc = run("bash", "-n", "-c", step["run"])
            assert proc.returncode == 0, f"{ids(path)}: {proc.stderr}\n{step['run']}"


@pytest.mark.parametrize("path", ALL_GITHUB, ids=ids)
def test_actions_are_pinned_by_sha_with_a_version_comment(path: Path) -> None:
    uses = re.findall(r"uses:\s*(\S+)(.*)", path.read_text(encoding="utf-8"))
    for ref, rest in uses:
        if ref.startswith("./"):
            continue
        _, _, version = ref.partition("@")
        assert SHA.fullmatch(version), f"{ids(path)}: {ref} is not pinned to a commit"
        assert re.search(r"#\s*v\d+\.\d+\.\d+", rest), f"{ids(path)}: {ref} needs `# vX.Y.Z`"


# The one job that writes: the weekly pull pushes a branch and opens a pull request.
WRITERS = {("opsync-metrics-pull.yml", "pull"): {"contents": "write", "pull-requests": "write"}}


@pytest.mark.parametrize("path", WORKFLOWS, ids=ids)
def test_least_privilege_permissions(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        perms = job.get("permissions")
        assert isinstance(perms, dict), f"{ids(path)}: job {name} must declare permissions"
        if (path.name, name) in WRITERS:
            assert perms == WRITERS[(path.name, name)], f"{ids(path)}: job {name}"
            continue
        assert set(perms.values()) <= {"read", "none"}, f"{ids(path)}: job {name} writes"


def test_metrics_pull_workflow_is_weekly_and_passes_the_secret_to_the_pull_only() -> None:
    path = ROOT / "templates/ci/github/opsync-metrics-pull.yml"
    on = triggers(load(path))
    assert "schedule" in on and "workflow_dispatch" in on
    with_secret = [s for s in steps(path) if "secrets." in str(s.get("env", {}))]
    assert [s["name"] for s in with_secret] == ["opsync metrics pull"]
    assert all(
        s["with"]["persist-credentials"] is False
        for s in steps(path)
        if str(s.get("uses", "")).startswith("actions/checkout@")
    )


def test_gate_runs_on_base_only_and_always_reports() -> None:
    gate = load(ROOT / "templates/ci/github/opsync-gate.yml")
    on = triggers(gate)
    assert set(on) == {"pull_request_target", "merge_group"}
    assert set(on["pull_request_target"]["types"]) == {
        "opened",
        "synchronize",
        "reopened",
        "edited",
        "ready_for_review",
    }
    assert "paths" not in on["pull_request_target"]
    job = gate["jobs"]["gate"]
    assert "if" not in job
    assert job["permissions"] == {"contents": "read", "pull-requests": "read"}
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683")
    assert "github.event.pull_request.base.sha" in checkout["with"]["ref"]
    assert checkout["with"]["persist-credentials"] is False
    assert checkout["with"]["fetch-depth"] == 0
    fetch = job["steps"][1]
    assert 'refs/pull/${PR_NUMBER}/head"' in fetch["run"]
    assert fetch["env"]["PR_NUMBER"] == "${{ github.event.pull_request.number }}"
    assert not any("actions/checkout" in s.get("uses", "") for s in job["steps"][1:])
    assert job["steps"][-1]["env"]["GITHUB_TOKEN"] == "${{ github.token }}"


def test_review_bridge_reports_under_the_gate_check_name() -> None:
    gate = load(ROOT / "templates/ci/github/opsync-gate.yml")
    bridge = load(ROOT / "templates/ci/github/opsync-review.yml")
    assert set(triggers(bridge)["pull_request_review"]["types"]) == {
        "submitted",
        "edited",
        "dismissed",
    }
    assert bridge["name"] == gate["name"] == "opsync"
    assert bridge["jobs"]["gate"]["name"] == gate["jobs"]["gate"]["name"] == "gate"
    assert bridge["jobs"]["gate"]["permissions"] == gate["jobs"]["gate"]["permissions"]


def test_weekly_schedule() -> None:
    week = load(ROOT / "templates/ci/github/opsync-week.yml")
    on = triggers(week)
    assert on["schedule"] == [{"cron": "0 9 * * 1"}]
    assert "workflow_dispatch" in on
    runs = [s.get("run", "") for s in steps(ROOT / "templates/ci/github/opsync-week.yml")]
    assert any(r.startswith("opsync week check") for r in runs)


@pytest.mark.parametrize("path", [*TEMPLATES, GITLAB], ids=ids)
def test_templates_pin_this_opsync_release(path: Path) -> None:
    pins = re.findall(r"opsync(?:\[[\w,]+\])?==([\w.]+)", path.read_text(encoding="utf-8"))
    assert pins and set(pins) == {__version__}, f"{ids(path)} pins {pins}"


def test_action_inputs_outputs_and_pinned_version() -> None:
    action = load(ACTION)
    inputs = action["inputs"]
    expected = {"base", "head", "format", "version", "package-spec", "working-directory"}
    assert expected | {"token", "pr-body-file"} <= set(inputs)
    assert all(spec.get("description") for spec in inputs.values())
    assert inputs["format"]["default"] == "github"
    assert inputs["token"]["default"] == "${{ github.token }}"
    assert inputs["version"]["default"] == __version__
    assert set(action["outputs"]) == {"result", "report-path"}
    assert action["runs"]["using"] == "composite"


def fake_opsync(runner_temp: Path, exit_code: int) -> Path:
    """Stands in for the installed CLI: records its arguments, writes `result=`."""
    bin_dir = runner_temp / "opsync-venv" / "bin"
    bin_dir.mkdir(parents=True)
    script = bin_dir / "opsync"
    script.write_text(
        "#!/usr/bin/env bash\n"
        'printf "%s\\n" "$@" > "$RUNNER_TEMP/args"\n'
        f'[ {exit_code} -lt 2 ] && echo "result=pass" >> "$GITHUB_OUTPUT"\n'
        'echo "::notice::report line"\n'
        f"exit {exit_code}\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.parametrize("exit_code", [0, 1, 3])
def test_action_check_step_passes_inputs_and_sets_outputs(tmp_path: Path, exit_code: int) -> None:
    step = next(s for s in steps(ACTION) if s.get("id") == "check")
    runner_temp = tmp_path / "runner-temp"
    fake_opsync(runner_temp, exit_code)
    output = tmp_path / "github_output"
    output.touch()
    tricky = 'main"; echo pwned; "'  # stays one argument: inputs arrive as data
    env = {
        "PATH": os.environ["PATH"],
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_TOKEN": "t",
        "OPSYNC_BASE": tricky,
        "OPSYNC_HEAD": "",
        "OPSYNC_FORMAT": "sarif",
        "OPSYNC_PR_BODY_FILE": "body.md",
    }
    proc = subprocess.run(
        ["bash", "-c", step["run"]], env=env, capture_output=True, text=True, check=False
    )

    assert proc.returncode == exit_code, proc.stderr
    args = (runner_temp / "args").read_text(encoding="utf-8").splitlines()
    assert args == ["check", "--format", "sarif", "--base", tricky, "--pr-body-file", "body.md"]
    report = runner_temp / "opsync-report.json"
    assert report.read_text(encoding="utf-8") == "::notice::report line\n"
    assert "::notice::report line" in proc.stdout  # annotations reach the runner's log
    outputs = output.read_text(encoding="utf-8").splitlines()
    assert f"report-path={report}" in outputs
    assert outputs[-1] == ("result=error" if exit_code >= 2 else f"report-path={report}")


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "opsync-validate"
    assert hook["entry"] == "opsync validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    for path in ["opsync.yml", "opsync/metrics.yml", "opsync/weeks/2026-W48.md", "opsync/x.yaml"]:
        assert files.search(path), path
    for path in ["README.md", "src/opsync/cli.py", "docs/opsync.yml.md", "opsync/approvals/a.txt"]:
        assert not files.search(path), path
