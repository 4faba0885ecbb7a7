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
RELEASE = ROOT / ".github" / "workflows" / "release.yml"
WORKFLOWS = [*TEMPLATES, ROOT / ".github" / "workflows" / "ci.yml", RELEASE]
ACTION = ROOT / "action.yml"
GITLAB = ROOT / "templates" / "ci" / "gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
ALL_GITHUB = [*WORKFLOWS, ACTION]
SHA = re.compile(r"[0-9a-f]{40}")
# The one `uses:` line `opsync init --ci github` pins (templates only).
ACTION_LINE = re.compile(
    r"uses: opsync/opsync@v([\w.]+) # zizmor: ignore\[unpinned-uses\] opsync-action: "
)
# The only write scopes any job holds, and why (docs/github.md, release.yml).
WRITES = {
    ("opsync-gate.yml", "signoff"): {"pull-requests"},  # the one sticky comment
    ("opsync-review.yml", "signoff"): {"pull-requests"},
    ("opsync-metrics-pull.yml", "pull"): {"contents", "pull-requests"},  # push and open a PR
    ("release.yml", "build"): {"id-token", "attestations"},  # build provenance
    ("release.yml", "publish"): {"id-token"},  # trusted publishing
}


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
        if ref.startswith("./") or (path in TEMPLATES and ACTION_LINE.match(f"uses: {ref}{rest}")):
            continue
        _, _, version = ref.partition("@")
        assert SHA.fullmatch(version), f"{ids(path)}: {ref} is not pinned to a commit"
        assert re.search(r"#\s*v\d+\.\d+\.\d+", rest), f"{ids(path)}: {ref} needs `# vX.Y.Z`"


# The one job that writes: the weekly pull pushes a branch and opens a pull request.
@pytest.mark.parametrize("path", WORKFLOWS, ids=ids)
def test_least_privilege_permissions(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        perms = job.get("permissions")
        assert isinstance(perms, dict), f"{ids(path)}: job {name} must declare permissions"
        writes = {scope for scope, level in perms.items() if level == "write"}
        assert set(perms.values()) <= {"read", "none", "write"}
        assert writes == WRITES.get((path.name, name), set()), f"{ids(path)}: job {name} writes"


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
    job = gate["jobs"]["signoff"]
    assert "if" not in job
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1")
    assert "github.event.pull_request.base.sha" in checkout["with"]["ref"]
    assert checkout["with"]["persist-credentials"] is False
    # Monorepo scale: no full clone; the fetch step deepens to the merge base.
    assert checkout["with"]["fetch-depth"] == 1
    assert checkout["with"]["filter"] == "blob:none"
    assert checkout["with"]["sparse-checkout"] == "opsync"  # no full working tree either
    fetch = job["steps"][1]
    assert 'ref="refs/pull/${PR_NUMBER}/head"' in fetch["run"]
    assert "--filter=blob:none" in fetch["run"]
    assert "--deepen=" in fetch["run"]
    assert 'git merge-base "${BASE_SHA}" refs/opsync/head' in fetch["run"]
    assert fetch["env"]["PR_NUMBER"] == "${{ github.event.pull_request.number }}"
    assert not any("actions/checkout" in s.get("uses", "") for s in job["steps"][1:])
    check = job["steps"][-1]
    assert ACTION_LINE.match(
        f"uses: {check['uses']} # zizmor: ignore[unpinned-uses] opsync-action: "
    )
    assert check["with"] == {"comment": True}
    # Lazily fetched blobs authenticate through a helper that reads the token from env.
    for step in (fetch, check):
        assert step["env"]["GIT_CONFIG_KEY_0"] == "credential.helper"
        assert "${GITHUB_TOKEN}" in step["env"]["GIT_CONFIG_VALUE_0"]
        assert "${{" not in step["env"]["GIT_CONFIG_VALUE_0"]


def test_review_bridge_reports_under_the_gate_check_name() -> None:
    gate = load(ROOT / "templates/ci/github/opsync-gate.yml")
    bridge = load(ROOT / "templates/ci/github/opsync-review.yml")
    assert set(triggers(bridge)["pull_request_review"]["types"]) == {
        "submitted",
        "edited",
        "dismissed",
    }
    assert bridge["name"] == gate["name"] == "opsync"
    name = "opsync sign-off gate"  # not `gate`: other workflows have jobs called that
    assert bridge["jobs"]["signoff"]["name"] == gate["jobs"]["signoff"]["name"] == name
    assert bridge["jobs"]["signoff"]["permissions"] == gate["jobs"]["signoff"]["permissions"]
    # one run per pull request across both: no two runs race to create the comment
    assert bridge["concurrency"]["group"] == "opsync-gate-${{ github.event.pull_request.number }}"
    assert gate["concurrency"]["group"].startswith(
        "opsync-gate-${{ github.event.pull_request.number ||"
    )


def test_weekly_schedule() -> None:
    week = load(ROOT / "templates/ci/github/opsync-week.yml")
    on = triggers(week)
    assert on["schedule"] == [{"cron": "0 9 * * 1"}, {"cron": "0 9 * * 3"}]
    assert "workflow_dispatch" in on
    path = ROOT / "templates/ci/github/opsync-week.yml"
    commands = [s["with"]["command"] for s in steps(path) if "opsync/" in s.get("uses", "")]
    assert commands == ["week notify", "week notify --if-incomplete", "week check"]
    assert not [s for s in steps(path) if "pip install" in s.get("run", "")]  # the action installs
    text = path.read_text(encoding="utf-8")
    assert "people watching" not in text  # GitHub emails only the schedule's last editor


@pytest.mark.parametrize("path", TEMPLATES, ids=ids)
def test_templates_use_the_action_once_and_install_nothing_else(path: Path) -> None:
    """One pin per workflow (the weekly one uses the action in three steps)."""
    text = path.read_text(encoding="utf-8")
    assert {m[1] for m in ACTION_LINE.finditer(text)} == {__version__}
    assert "pip install" not in text, "the action installs opsync; the workflow does not"


def test_gitlab_template_pins_this_opsync_release() -> None:
    pins = re.findall(r"opsync==([\w.]+)", GITLAB.read_text(encoding="utf-8"))
    assert pins and set(pins) == {__version__}, f"{ids(GITLAB)} pins {pins}"


def test_action_inputs_outputs_and_pinned_version() -> None:
    action = load(ACTION)
    inputs = action["inputs"]
    expected = {"base", "head", "format", "version", "requirements", "working-directory"}
    assert expected | {"token", "pr-body-file", "comment", "command", "extras"} == set(inputs)
    assert inputs["extras"]["default"] == ""  # the light gate install
    assert all(spec.get("description") for spec in inputs.values())
    assert inputs["format"]["default"] == "github"
    assert inputs["token"]["default"] == "${{ github.token }}"
    assert inputs["version"]["default"] == ""  # the action's own opsync
    assert inputs["comment"]["default"] == "false"
    assert inputs["command"]["default"] == "check"
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
        "OPSYNC_COMMENT": "true",
        "OPSYNC_COMMAND": "check",
    }
    proc = subprocess.run(
        ["bash", "-c", step["run"]], env=env, capture_output=True, text=True, check=False
    )

    assert proc.returncode == exit_code, proc.stderr
    args = (runner_temp / "args").read_text(encoding="utf-8").splitlines()
    assert args == [
        "check",
        *("--format", "sarif", "--base", tricky, "--pr-body-file", "body.md", "--comment"),
    ]
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


def test_the_documented_sarif_upload_files_alerts_against_the_pr_head() -> None:
    """pull_request_target's GITHUB_REF/SHA are the default branch's: the upload in
    docs/github.md must pass the pull request's head ref and sha."""
    docs = (ROOT / "docs" / "github.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", docs, re.S)
    (block,) = [b for b in blocks if "upload-sarif" in b]
    steps = yaml.safe_load(block.split("steps:", 1)[1].replace("\n      ", "\n"))
    (upload,) = [s for s in steps if "upload-sarif" in s.get("uses", "")]
    assert SHA.fullmatch(upload["uses"].partition("@")[2])
    assert upload["with"]["ref"] == "refs/pull/${{ github.event.pull_request.number }}/head"
    assert upload["with"]["sha"] == "${{ github.event.pull_request.head.sha }}"
    assert upload["with"]["sarif_file"] == "${{ steps.opsync.outputs.report-path }}"
    assert "security-events: write" in block


def release_steps() -> dict[str, dict[str, Any]]:
    job = load(RELEASE)["jobs"]["build"]
    return {s["name"]: s for s in job["steps"] if "name" in s}


@pytest.mark.parametrize(("tag", "ok"), [(f"v{__version__}", True), ("v9.9.9", False)])
def test_release_refuses_a_tag_that_is_not_the_version(tmp_path: Path, tag: str, ok: bool) -> None:
    step = release_steps()["The tag matches the package version and the changelog"]
    for name in ("src/opsync/__init__.py", "CHANGELOG.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    env = {"PATH": os.environ["PATH"], "TAG": tag}
    done = subprocess.run(
        ["bash", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert (done.returncode == 0) is ok, done.stdout + done.stderr


def test_release_stamps_the_action_commit_that_init_pins(tmp_path: Path) -> None:
    step = release_steps()["Stamp the action commit into the package"]
    init = tmp_path / "src" / "opsync" / "__init__.py"
    init.parent.mkdir(parents=True)
    shutil.copy(ROOT / "src" / "opsync" / "__init__.py", init)
    sha = "3d3c42e5aac5ba805825da76410c181273ba90b1"
    env = {"PATH": os.environ["PATH"], "GITHUB_SHA": sha}
    done = subprocess.run(
        ["bash", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    namespace: dict[str, Any] = {}
    exec(init.read_text(encoding="utf-8"), namespace)  # the stamped module, as built
    assert namespace["ACTION_COMMIT"] == sha
    assert namespace["__version__"] == __version__


def test_release_publishes_with_trusted_publishing_and_attests() -> None:
    release = load(RELEASE)
    assert set(triggers(release)) == {"push"}
    assert triggers(release)["push"] == {"tags": ["v*"]}
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    uses = [s.get("uses", "") for s in build["steps"]]
    assert any(u.startswith("actions/attest-build-provenance@") for u in uses)
    assert publish["needs"] == "build"
    assert publish["environment"]["name"] == "pypi"
    (pypi,) = [s for s in publish["steps"] if "pypi-publish" in s.get("uses", "")]
    assert "with" not in pypi or "password" not in pypi["with"]  # OIDC, no stored token
