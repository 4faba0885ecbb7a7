"""`opsync init --ci github` pins the opsync action from one place, or from --action-ref."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import opsync
from conftest import CliRunner
from opsync import __version__
from opsync.github.workflows import action_ref, pin_action

WORKFLOWS = ("opsync-gate.yml", "opsync-review.yml", "opsync-week.yml")
SHA = "3d3c42e5aac5ba805825da76410c181273ba90b1"  # any 40-hex commit id


def action_lines(root: Path) -> dict[str, list[str]]:
    found = {}
    for name in WORKFLOWS:
        text = (root / ".github" / "workflows" / name).read_text(encoding="utf-8")
        assert "zizmor: ignore[unpinned-uses]" not in text, name
        # every step that uses the action (the weekly workflow has three) names one pin
        found[name] = sorted(set(re.findall(r"uses: (\S*opsync\S*) # (.*)", text)))
    return found


def test_a_release_build_pins_the_commit_it_was_built_from(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opsync, "ACTION_COMMIT", SHA)
    result = run_cli("init", "--ci", "github", "--repo", str(tmp_path))
    assert result.code == 0, str(result)
    expected = [(f"{opsync.ACTION_REPO}@{SHA}", f"v{__version__}")]
    assert action_lines(tmp_path) == dict.fromkeys(WORKFLOWS, expected)
    assert "warning" not in result.err


def test_a_source_build_uses_the_version_tag_and_says_to_pin(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    result = run_cli("init", "--ci", "github", "--repo", str(tmp_path))
    assert result.code == 0, str(result)
    expected = [(f"{opsync.ACTION_REPO}@v{__version__}", f"v{__version__}")]
    assert action_lines(tmp_path) == dict.fromkeys(WORKFLOWS, expected)
    assert "pin the action by commit" in str(result)
    assert "--action-ref OWNER/opsync@<commit sha>" in str(result)


def test_action_ref_overrides_it(run_cli: CliRunner, tmp_path: Path) -> None:
    ref = f"acme/opsync-fork@{SHA}"
    result = run_cli("init", "--ci", "github", "--repo", str(tmp_path), "--action-ref", ref)
    assert result.code == 0, str(result)
    lines = action_lines(tmp_path)
    assert {name: [r for r, _ in found] for name, found in lines.items()} == {
        key: [ref] for key in WORKFLOWS
    }


@pytest.mark.parametrize("bad", ["acme", "acme/opsync", "acme/opsync@", "a b/c@d", "x/y@z;rm"])
def test_a_malformed_action_ref_is_a_usage_error(
    run_cli: CliRunner, tmp_path: Path, bad: str
) -> None:
    result = run_cli("init", "--ci", "github", "--repo", str(tmp_path), "--action-ref", bad)
    assert result.code == 2, str(result)
    assert "is not an action reference" in str(result)
    assert not (tmp_path / ".github").exists()


def test_action_ref_needs_ci_github(run_cli: CliRunner, tmp_path: Path) -> None:
    result = run_cli("init", "--repo", str(tmp_path), "--action-ref", f"acme/opsync@{SHA}")
    assert result.code == 2, str(result)
    assert "--action-ref needs --ci github" in str(result)


def test_pin_action_touches_only_the_marked_line() -> None:
    text = (
        "      - uses: actions/checkout@abc # v1\n"
        "        uses: opsync/opsync@v0.1.0 # zizmor: ignore[unpinned-uses] opsync-action: x\n"
    )
    pinned = pin_action(text, action_ref(f"acme/opsync@{SHA}"))
    assert pinned.splitlines() == [
        "      - uses: actions/checkout@abc # v1",
        f"        uses: acme/opsync@{SHA} # opsync action, from --action-ref",
    ]
    assert action_ref(f"acme/opsync@{SHA}").pinned
    assert not action_ref("acme/opsync@main").pinned


def test_the_written_workflows_pass_zizmor_and_the_schema(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    """What a user gets (not just the templates in this repo) audits clean once pinned."""
    import shutil
    import subprocess
    import sys

    ref = f"acme/opsync@{SHA}"
    result = run_cli("init", "--ci", "github", "--repo", str(tmp_path), "--action-ref", ref)
    assert result.code == 0, str(result)
    files = [str(tmp_path / ".github" / "workflows" / name) for name in WORKFLOWS]
    beside = Path(sys.executable).parent / "zizmor"
    zizmor = str(beside) if beside.exists() else shutil.which("zizmor")
    assert zizmor, "zizmor is not installed; run: pip install '.[test]'"
    audit = [zizmor, "--offline", "--no-progress", "--min-severity", "medium", *files]
    done = subprocess.run(audit, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    schema = [sys.executable, "-m", "check_jsonschema", "--builtin-schema"]
    done = subprocess.run(
        [*schema, "vendor.github-workflows", *files], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
