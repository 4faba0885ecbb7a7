"""The gate template's git steps at monorepo scale, run for real against a local origin:
a shallow, blobless base checkout (sparse `opsync`), the template's own fetch step
(extracted from the YAML, run by bash) deepening to the merge base, then `opsync check`
with blobs arriving on demand. It must say exactly what a full clone says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import CliRunner
from gitrepo import GitRepo, make_repo

ROOT = Path(__file__).resolve().parents[1]
GATE = ROOT / "templates" / "ci" / "github" / "opsync-gate.yml"
SPEC = "opsync/features/member-tiers.md"


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture
def origin(tmp_path: Path, run_cli: CliRunner) -> tuple[Path, str, str]:
    """A bare origin: main moved 76 commits past the PR's fork point (more than the
    template's first 64-deep fetch, so it must deepen); refs/pull/7/head."""
    work = make_repo(tmp_path, name="work")
    assert run_cli("init", "--example", cwd=work.path).code == 0
    for n in range(30):  # code the gate never reads: its blobs must stay on the server
        work.write(f"src/mod{n}.py", f"print({n})\n" * 200)
    work.commit("workspace and code")
    for n in range(100):  # old history the gate never needs
        work.git("commit", "-q", "--allow-empty", "-m", f"old {n}")
    for n in range(6):
        work.write(f"src/mod{n}.py", f"print({n}, 'v2')\n" * 200)
        work.commit(f"main {n}")
    fork = work.head()
    for n in range(70):
        work.git("commit", "-q", "--allow-empty", "-m", f"main moves on {n}")
    work.git("checkout", "-q", "-b", "pr", fork)
    text = (work.path / SPEC).read_text("utf-8")
    work.write(SPEC, text.replace("title:", "title: v2 of", 1))
    head = work.commit("edit the feature")
    base = work.git("rev-parse", "main").strip()
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(work.path), str(bare))
    git(bare, "update-ref", "refs/pull/7/head", head)
    git(bare, "config", "uploadpack.allowFilter", "true")
    git(bare, "config", "uploadpack.allowAnySHA1InWant", "true")
    return bare, base, head


def fetch_step() -> dict[str, Any]:
    step: dict[str, Any] = yaml.safe_load(GATE.read_text("utf-8"))["jobs"]["signoff"]["steps"][1]
    return step


def check(ws: Path, base: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "opsync", "check", "--base", base, "--format", "json"]
    return subprocess.run(
        [*cmd, "--head", "refs/opsync/head"],
        cwd=ws,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_templates_steps_check_like_a_full_clone(
    tmp_path: Path, origin: tuple[Path, str, str]
) -> None:
    bare, base, head = origin
    url = bare.as_uri()
    env = GitRepo(tmp_path).env | {"NO_COLOR": "1"}
    ws = tmp_path / "ws"
    # actions/checkout: fetch-depth 1, filter blob:none, sparse-checkout opsync
    git(tmp_path, "init", "-q", str(ws), env=env)
    git(ws, "remote", "add", "origin", url, env=env)
    git(ws, "fetch", "-q", "--no-tags", "--filter=blob:none", "--depth=1", "origin",
        f"+{base}:refs/remotes/origin/base", env=env)  # fmt: skip
    git(ws, "sparse-checkout", "set", "--cone", "opsync", env=env)
    git(ws, "checkout", "-q", "--detach", base, env=env)
    # the template's fetch step, as the runner runs it
    step = fetch_step()
    step_env = env | {k: str(v) for k, v in step["env"].items()}
    step_env |= {"GITHUB_TOKEN": "x", "BASE_SHA": base, "PR_NUMBER": "7"}
    step_env["MERGE_GROUP_HEAD_REF"] = ""
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=ws, env=step_env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert git(ws, "rev-parse", "refs/opsync/head").strip() == head
    assert git(ws, "rev-parse", "--is-shallow-repository").strip() == "true"
    missing = git(ws, "rev-list", "--objects", "--missing=print", base, head)
    assert sum(line.startswith("?") for line in missing.splitlines()) >= 30  # blobless

    # Even with lazy fetching switched off in the environment, opsync fetches on demand.
    partial = check(ws, base, env | {"GIT_NO_LAZY_FETCH": "1"})
    assert partial.returncode == 1, partial.stderr

    full = tmp_path / "full"
    git(tmp_path, "clone", "-q", url, str(full), env=env)
    git(full, "fetch", "-q", "origin", "+refs/pull/7/head:refs/opsync/head", env=env)
    expected = check(full, base, env)
    assert expected.returncode == 1, expected.stderr
    assert partial.stdout == expected.stdout
    assert '"rule": "ops-signoff"' in partial.stdout
    # the code blobs never came: only what the gate read did
    still = git(ws, "rev-list", "--objects", "--missing=print", base, head)
    assert any(line.startswith("?") for line in still.splitlines())


def test_without_the_merge_base_the_hint_says_how_to_deepen(
    tmp_path: Path, origin: tuple[Path, str, str]
) -> None:
    bare, base, _ = origin
    env = GitRepo(tmp_path).env | {"NO_COLOR": "1"}
    ws = tmp_path / "ws"
    git(tmp_path, "init", "-q", str(ws), env=env)
    git(ws, "remote", "add", "origin", bare.as_uri(), env=env)
    git(ws, "fetch", "-q", "--filter=blob:none", "--depth=1", "origin", base,
        "+refs/pull/7/head:refs/opsync/head", env=env)  # fmt: skip
    result = check(ws, base, env)
    assert result.returncode == 3, result.stderr
    assert "no merge base" in result.stderr
    assert "--deepen" in result.stderr and "fetch-depth: 0" in result.stderr
