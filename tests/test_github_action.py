"""The composite action installs the opsync it ships, and `opsync init --ci github` pins it.

The install step runs for real, as the runner would run it: bash with RUNNER_TEMP and
GITHUB_ACTION_PATH set to a copy of this repository. Offline: the runner's `python3` is a
shim whose venvs see this test venv's packages, and pip may not reach an index.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from opsync import __version__

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ["pyproject.toml", "README.md", "action.yml", "src", "schemas", "templates"]
MARKER = "f" * 40  # stamped into the copy: proves which opsync the venv imports


def install_step() -> dict[str, Any]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    step: dict[str, Any] = action["runs"]["steps"][0]
    assert step["name"] == "Install opsync into a private venv"
    return step


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A copy of the repo as the action's path, and a `python3` for the runner."""
    work = tmp_path_factory.mktemp("runner")
    action = work / "action"
    action.mkdir()
    for name in SHIPPED:
        src = ROOT / name
        if src.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(src, action / name, ignore=ignore)
        else:
            shutil.copy2(src, action / name)
    init = action / "src" / "opsync" / "__init__.py"
    init.write_text(
        init.read_text(encoding="utf-8").replace(
            'ACTION_COMMIT = ""', f'ACTION_COMMIT = "{MARKER}"'
        ),
        encoding="utf-8",
    )
    # The runner's packages: this venv's, less opsync itself (the action must install it).
    packages = work / "runner-packages"
    packages.mkdir()
    for entry in Path(sysconfig.get_path("purelib")).iterdir():
        if (
            not entry.name.startswith(("opsync", "_editable_impl_opsync"))
            and entry.suffix != ".pth"
        ):
            (packages / entry.name).symlink_to(entry)
    shim = work / "bin" / "python3"
    shim.parent.mkdir()
    shim.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1 $2" = "-m venv" ]; then\n'
        f'  "{sys.executable}" -m venv --without-pip "$3" || exit\n'
        "  ask='import sysconfig; print(sysconfig.get_path(\"purelib\"))'\n"
        '  site="$("$3/bin/python" -c "$ask")"\n'
        f'  echo "{packages}" > "$site/runner-packages.pth"\n'
        "  exit 0\n"
        "fi\n"
        f'exec "{sys.executable}" "$@"\n',
        encoding="utf-8",
    )
    shim.chmod(0o755)
    return {"work": work, "action": action, "bin": shim.parent}


def run_install(
    runner: dict[str, Path], tmp_path: Path, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env = {
        "PATH": f"{runner['bin']}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "RUNNER_TEMP": str(temp),
        "GITHUB_ACTION_PATH": str(runner["action"]),
        "OPSYNC_VERSION": inputs.get("version", ""),
        "OPSYNC_REQUIREMENTS": inputs.get("requirements", ""),
        "OPSYNC_EXTRAS": inputs.get("extras", ""),
        "PIP_NO_INDEX": "1",  # offline: nothing may come from an index
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's spelling of "build with what is installed"
        "PIP_FIND_LINKS": inputs.get("find_links", ""),
    }
    proc = subprocess.run(
        ["bash", "-c", install_step()["run"]],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return proc, temp / "opsync-venv" / "bin"


def test_by_default_the_action_installs_its_own_checkout(
    runner: dict[str, Path], tmp_path: Path
) -> None:
    proc, bindir = run_install(runner, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith(f"opsync, version {__version__}"), proc.stdout
    probe = [str(bindir / "python"), "-c", "import opsync; print(opsync.ACTION_COMMIT)"]
    imported = subprocess.run(probe, capture_output=True, text=True, check=False)
    assert imported.stdout.strip() == MARKER, imported.stdout + imported.stderr


def test_a_release_needs_a_hash_pinned_requirements_file(
    runner: dict[str, Path], tmp_path: Path
) -> None:
    proc, _ = run_install(runner, tmp_path, version="0.1.0")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "::error title=opsync action::version 0.1.0 needs requirements" in proc.stdout


@pytest.fixture(scope="module")
def wheel(runner: dict[str, Path]) -> Path:
    out = runner["work"] / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    done = subprocess.run(
        [*build, "-w", str(out), str(runner["action"])], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    (found,) = out.glob("opsync-*.whl")
    return found


@pytest.mark.parametrize("good", [True, False])
def test_a_release_installs_only_with_matching_hashes(
    runner: dict[str, Path], tmp_path: Path, wheel: Path, good: bool
) -> None:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest() if good else "0" * 64
    requirements = tmp_path / "opsync-requirements.txt"
    requirements.write_text(f"opsync=={__version__} --hash=sha256:{digest}\n", encoding="utf-8")
    proc, bindir = run_install(
        runner,
        tmp_path,
        version=__version__,
        requirements=str(requirements),
        find_links=str(wheel.parent),
    )
    if good:
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert (bindir / "opsync").exists()
    else:
        assert proc.returncode != 0, proc.stdout + proc.stderr
        assert "THESE PACKAGES DO NOT MATCH THE HASHES" in proc.stderr, proc.stderr


def test_a_release_must_be_the_version_asked_for(
    runner: dict[str, Path], tmp_path: Path, wheel: Path
) -> None:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    requirements = tmp_path / "opsync-requirements.txt"
    requirements.write_text(f"opsync=={__version__} --hash=sha256:{digest}\n", encoding="utf-8")
    proc, _ = run_install(
        runner,
        tmp_path,
        version="9.9.9",
        requirements=str(requirements),
        find_links=str(wheel.parent),
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"installed opsync, version {__version__}, not 9.9.9" in proc.stdout


def test_the_installed_opsync_runs_the_actions_check_step(
    runner: dict[str, Path], tmp_path: Path
) -> None:
    """Both steps of the action, in order, as the runner runs them: the install from the
    action's checkout, then its check step against a real repository."""
    from gitrepo import make_repo

    proc, bindir = run_install(runner, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    repo = make_repo(tmp_path)
    done = subprocess.run(
        [str(bindir / "opsync"), "init", "--example"], cwd=repo.path, env=repo.env
    )
    assert done.returncode == 0
    repo.commit("init")
    repo.git("checkout", "-q", "-b", "pr")
    spec = repo.path / "opsync" / "features" / "member-tiers.md"
    spec.write_text(spec.read_text("utf-8").replace("title:", "title: v2 of", 1), "utf-8")
    repo.commit("retitle")
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    output, summary = tmp_path / "output", tmp_path / "summary"
    output.touch()
    summary.touch()
    env = {
        **repo.env,
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_TOKEN": "",
        "OPSYNC_BASE": "main",
        "OPSYNC_HEAD": "",
        "OPSYNC_FORMAT": "github",
        "OPSYNC_PR_BODY_FILE": "",
        "OPSYNC_COMMENT": "false",
        "OPSYNC_COMMAND": "check",
    }
    check = subprocess.run(
        ["bash", "-c", step["run"]], cwd=repo.path, env=env, capture_output=True, text=True
    )
    assert check.returncode == 1, check.stdout + check.stderr
    assert "::error file=opsync/features/member-tiers.md,line=2,col=1,title=ops-signoff::" in (
        check.stdout
    )
    assert "result=fail" in output.read_text("utf-8")
    assert "## ❌ opsync check: failed" in summary.read_text("utf-8")
