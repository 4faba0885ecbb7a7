"""opsync's SARIF passes the SARIF Multitool's validator with GitHub's rules
(`validate --rule-kind "Gh;Sarif"`): what code scanning needs to accept an upload.

The Multitool comes from npm (`@microsoft/sarif-multitool`); .ci/run installs it into
.ci/npm. Locally the test is skipped when the tool is absent; in CI (CI is set) a
missing tool fails the test instead, so the check can never silently vanish.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gitrepo import make_repo
from opsync.errors import ExitCode
from opsync.report import renderer
from opsync.results import error_report
from test_report_formats import make_report

ROOT = Path(__file__).resolve().parents[1]
_LINUX = Path("@microsoft", "sarif-multitool-linux", "Sarif.Multitool")


def multitool() -> str | None:
    """The Multitool's own binary (the npm wrapper mangles `;` in arguments)."""
    candidates = [os.environ.get("OPSYNC_SARIF_MULTITOOL", "")]
    candidates.append(str(ROOT / ".ci" / "npm" / "node_modules" / _LINUX))
    npm = shutil.which("npm")
    if npm:
        root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True).stdout.strip()
        if root:
            candidates.append(str(Path(root) / _LINUX))
            candidates.append(
                str(Path(root, "@microsoft", "sarif-multitool", "node_modules") / _LINUX)
            )
    found = [c for c in candidates if c and os.access(c, os.X_OK)]
    return found[0] if found else None


@pytest.fixture(scope="module")
def tool() -> str:
    found = multitool()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("the SARIF Multitool is not installed: .ci/run installs it from npm")
        pytest.skip("SARIF Multitool not installed (npm install @microsoft/sarif-multitool)")
    return found


def validate(tool: str, log: str, tmp_path: Path) -> list[dict[str, object]]:
    """Errors and warnings the validator reports (its own notes are advice, not rules)."""
    sarif = tmp_path / "opsync.sarif"
    sarif.write_text(log, encoding="utf-8")
    out = tmp_path / "validation.sarif"
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"}
    done = subprocess.run(
        [
            tool,
            "validate",
            "--rule-kind",
            "Gh;Sarif",
            "--level",
            "Error;Warning",
            "-o",
            str(out),
            str(sarif),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert out.exists(), done.stdout + done.stderr
    results: list[dict[str, object]] = json.loads(out.read_text("utf-8"))["runs"][0]["results"]
    return results


def test_a_report_full_of_findings_is_accepted(tool: str, tmp_path: Path) -> None:
    log = renderer("sarif")(make_report())  # every severity, unicode paths, hostile text
    assert validate(tool, log, tmp_path) == []


def test_a_run_that_could_not_finish_is_accepted(tool: str, tmp_path: Path) -> None:
    log = renderer("sarif")(error_report("check", ExitCode.UNVERIFIED, "API down", "re-run"))
    assert validate(tool, log, tmp_path) == []


def test_opsync_check_on_a_real_repo_is_accepted(tool: str, tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    opsync = [sys.executable, "-m", "opsync"]
    init = subprocess.run([*opsync, "init", "--example"], cwd=repo.path, env=repo.env)
    assert init.returncode == 0
    repo.commit("init")
    repo.git("checkout", "-q", "-b", "pr")
    spec = repo.path / "opsync" / "features" / "member-tiers.md"
    spec.write_text(spec.read_text("utf-8").replace("title:", "title: v2 of", 1), "utf-8")
    repo.commit("retitle")
    done = subprocess.run(
        [*opsync, "check", "--base", "main", "--format", "sarif"],
        cwd=repo.path,
        env={**repo.env, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["runs"][0]["results"], done.stdout
    assert validate(tool, done.stdout, tmp_path) == []
