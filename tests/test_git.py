"""opsync.git against real repositories built by tests/gitrepo.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gitrepo import GitRepo, make_repo
from opsync.errors import ConfigError, ExitCode, VerifyError
from opsync.git import Change, Repo, open_repo


@pytest.fixture
def opened(repo: GitRepo) -> Repo:
    handle = open_repo(repo.path)
    yield handle
    handle.close()


def branched(repo: GitRepo) -> str:
    """main with one commit, and a `feature` branch checked out from it; returns base sha."""
    repo.write("keep.md", "keep\n")
    repo.write("edit.md", "one\n")
    repo.write("gone.md", "bye\n")
    repo.write("old/name.md", "a file long enough for git to see it was renamed\n" * 3)
    base = repo.commit("base")
    repo.branch("feature")
    repo.checkout("feature")
    return base


# --- open_repo and refs ------------------------------------------------------------------


def test_not_a_repo_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        open_repo(tmp_path)
    assert "not inside a git repository" in caught.value.message
    assert "git init" in (caught.value.hint or "")


def test_missing_path_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        open_repo(tmp_path / "nowhere")


def test_open_from_subfolder_finds_root(repo: GitRepo) -> None:
    repo.write("a/b/c.md", "x")
    repo.commit()
    with open_repo(repo.path / "a" / "b") as opened:
        assert opened.root == repo.path


def test_resolve_branch_and_short_sha(repo: GitRepo, opened: Repo) -> None:
    repo.write("a.md", "x")
    sha = repo.commit()
    assert opened.resolve("main") == sha
    assert opened.resolve(sha[:8]) == sha
    assert opened.resolve("HEAD") == sha


@pytest.mark.parametrize("ref", ["nope", "origin/main", "--output=/tmp/x", "", "a b"])
def test_unknown_or_odd_ref_is_config_error(repo: GitRepo, opened: Repo, ref: str) -> None:
    repo.write("a.md", "x")
    repo.commit()
    with pytest.raises(ConfigError) as caught:
        opened.resolve(ref)
    assert caught.value.exit_code is ExitCode.USAGE
    assert caught.value.hint


def test_unknown_ref_hint_says_fetch(repo: GitRepo, opened: Repo) -> None:
    repo.write("a.md", "x")
    repo.commit()
    with pytest.raises(ConfigError) as caught:
        opened.resolve("release")
    assert "git fetch origin release" in (caught.value.hint or "")


def test_ref_naming_a_blob_is_not_a_commit(repo: GitRepo, opened: Repo) -> None:
    repo.write("a.md", "x")
    repo.commit()
    with pytest.raises(ConfigError):
        opened.resolve("HEAD:a.md")


# --- diff with merge-base semantics ----------------------------------------------------------


def test_diff_add_modify_delete_rename(repo: GitRepo, opened: Repo) -> None:
    branched(repo)
    repo.write("new.md", "new\n")
    repo.write("edit.md", "two\n")
    repo.remove("gone.md")
    repo.move("old/name.md", "new/name.md")
    repo.commit("feature work")
    changes = sorted(opened.diff("main", "feature"), key=lambda c: c.path)
    assert changes == [
        Change("M", "edit.md"),
        Change("D", "gone.md"),
        Change("A", "new.md"),
        Change("R", "new/name.md", "old/name.md"),
    ]


def test_diff_ignores_base_moving_on_after_branch_point(repo: GitRepo, opened: Repo) -> None:
    branched(repo)
    repo.write("mine.md", "feature\n")
    repo.commit("feature")
    repo.checkout("main")
    repo.write("theirs.md", "main moved on\n")
    repo.write("keep.md", "changed on main\n")
    repo.commit("main moves")
    # A plain two-dot diff would report theirs.md and keep.md too.
    assert opened.diff("main", "feature") == [Change("A", "mine.md")]
    assert opened.merge_base("main", "feature") == repo.git("rev-parse", "main~1").strip()


def test_diff_type_change_file_to_symlink(repo: GitRepo, opened: Repo) -> None:
    branched(repo)
    (repo.path / "edit.md").unlink()
    repo.symlink("edit.md", "keep.md")
    repo.commit()
    assert opened.diff("main", "feature") == [Change("T", "edit.md")]


def test_diff_paths_with_spaces_unicode_and_newlines(repo: GitRepo, opened: Repo) -> None:
    branched(repo)
    odd = ["with space.md", "功能/运营 洞察.md", "line\nbreak.md", 'quo"te\t.md']
    for path in odd:
        repo.write(path, path)
    repo.commit()
    assert sorted(c.path for c in opened.diff("main", "feature")) == sorted(odd)
    assert {c.status for c in opened.diff("main", "feature")} == {"A"}


def test_diff_of_identical_commits_is_empty(repo: GitRepo, opened: Repo) -> None:
    branched(repo)
    assert opened.diff("main", "feature") == []


def test_is_ancestor(repo: GitRepo, opened: Repo) -> None:
    base = branched(repo)
    head = repo.commit("on feature")
    assert opened.is_ancestor(base, head)
    assert not opened.is_ancestor(head, base)


def test_unrelated_histories_are_verify_error(repo: GitRepo, opened: Repo) -> None:
    repo.write("a.md", "x")
    repo.commit()
    repo.git("checkout", "-q", "--orphan", "island")
    repo.write("b.md", "y")
    repo.commit("unrelated")
    with pytest.raises(VerifyError) as caught:
        opened.diff("main", "island")
    assert "share no history" in caught.value.message
    assert "--base" in (caught.value.hint or "")


def test_shallow_clone_without_merge_base_says_fetch_depth_0(tmp_path: Path) -> None:
    origin = make_repo(tmp_path, {"a.md": "1"}, name="origin")
    for n in range(3):
        origin.write("a.md", f"main {n}")
        origin.commit(f"main {n}")
    origin.branch("feature", "HEAD~2")
    origin.checkout("feature")
    origin.write("f.md", "feature")
    origin.commit("feature")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--no-single-branch", origin.path.as_uri(), clone],
        env=origin.env,
        check=True,
    )
    with open_repo(clone) as shallow:
        assert shallow.is_shallow()
        with pytest.raises(VerifyError) as caught:
            shallow.diff("origin/main", "origin/feature")
    assert caught.value.exit_code is ExitCode.UNVERIFIED
    assert "shallow" in caught.value.message
    assert "fetch-depth: 0" in (caught.value.hint or "")


def test_commit_time_and_author(repo: GitRepo, opened: Repo) -> None:
    repo.write("a.md", "x")
    sha = repo.commit("m", author="Ada Lovelace <ada@example.com>")
    assert opened.author(sha) == "Ada Lovelace <ada@example.com>"
    assert opened.commit_time(sha).isoformat() == "2024-01-01T00:00:00+00:00"
