"""opsync.git against real repositories built by tests/gitrepo.py."""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gitrepo import GitRepo, make_repo
from opsync.errors import ConfigError, ExitCode, VerifyError
from opsync.git import Change, Repo, open_repo
from opsync.git_tree import GitTreeSource
from opsync.workspace.source import FileSource, Kind


@pytest.fixture
def opened(repo: GitRepo) -> Iterator[Repo]:
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


def test_unknown_ref_in_shallow_clone_hints_fetch_depth(tmp_path: Path) -> None:
    origin = make_repo(tmp_path, {"a.md": "1"}, name="origin")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", origin.path.as_uri(), clone],
        env=origin.env,
        check=True,
    )
    with open_repo(clone) as shallow, pytest.raises(ConfigError) as caught:
        shallow.resolve("origin/release")
    assert "fetch-depth: 0" in (caught.value.hint or "")


def test_missing_object_is_verify_error_not_a_traceback(repo: GitRepo, opened: Repo) -> None:
    repo.write("a.md", "content")
    repo.commit()
    blob = repo.git("rev-parse", "HEAD:a.md").strip()
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    tree = opened.tree("HEAD")
    assert tree.kind("a.md") is Kind.FILE  # the tree still lists it
    with pytest.raises(VerifyError) as caught:
        tree.read("a.md")
    assert blob in caught.value.message
    assert "fetch" in (caught.value.hint or "")


def test_commit_time_and_author(repo: GitRepo, opened: Repo) -> None:
    repo.write("a.md", "x")
    sha = repo.commit("m", author="Ada Lovelace <ada@example.com>")
    assert opened.author(sha) == "Ada Lovelace <ada@example.com>"
    assert opened.commit_time(sha).isoformat() == "2024-01-01T00:00:00+00:00"


# --- GitTreeSource: files from git objects only -------------------------------------------


def test_tree_reads_committed_bytes(repo: GitRepo, opened: Repo) -> None:
    repo.write("docs/功能 a.md", "你好\n")
    repo.write("bin.dat", b"\x00\xff\r\n")
    repo.commit()
    tree: FileSource = opened.tree("main", label="head")
    assert tree.label == f"head {repo.head()[:7]}"
    assert tree.read("docs/功能 a.md") == "你好\n".encode()
    assert tree.read("bin.dat") == b"\x00\xff\r\n"
    assert tree.size("bin.dat") == 4
    assert [tree.kind(p) for p in ("docs", "docs/功能 a.md", "nope", "docs/nope")] == [
        Kind.DIR,
        Kind.FILE,
        Kind.MISSING,
        Kind.MISSING,
    ]


def test_blob_id_matches_git(repo: GitRepo, opened: Repo) -> None:
    repo.write("f/a.md", "a")
    repo.symlink("f/link", "a.md")
    repo.commit()
    tree = opened.tree("HEAD")
    assert tree.blob_id("f/a.md") == repo.git("rev-parse", "HEAD:f/a.md").strip()
    assert tree.blob_id("f/link") == repo.git("rev-parse", "HEAD:f/link").strip()
    assert tree.blob_id("f") is None
    assert tree.blob_id("f/missing") is None


def test_working_tree_changes_are_invisible(repo: GitRepo, opened: Repo) -> None:
    repo.write("a.md", "committed")
    repo.commit()
    repo.write("a.md", "edited on disk")
    repo.write("untracked.md", "new")
    repo.git("add", "untracked.md")  # staged is not committed either
    tree = opened.tree("HEAD")
    assert tree.read("a.md") == b"committed"
    assert tree.kind("untracked.md") is Kind.MISSING
    assert list(tree.list_files("")) == ["a.md"]


def test_symlink_is_reported_and_never_read(repo: GitRepo, opened: Repo) -> None:
    repo.write("real.md", "secret")
    repo.symlink("link.md", "real.md")
    repo.symlink("escape.md", "../../../etc/passwd")
    repo.commit()
    tree = opened.tree("HEAD")
    assert tree.kind("link.md") is Kind.SYMLINK
    assert tree.kind("escape.md") is Kind.SYMLINK
    assert tree.size("link.md") == len("real.md")  # the link itself, as lstat would say
    for path in ("link.md", "escape.md"):
        with pytest.raises(OSError) as caught:
            tree.read(path)
        assert caught.value.errno == errno.ELOOP


def test_file_under_symlinked_folder_is_not_reachable(repo: GitRepo, opened: Repo) -> None:
    repo.write("real/spec.md", "inside")
    repo.symlink("linked", "real")
    repo.commit()
    tree = opened.tree("HEAD")
    assert tree.kind("linked/spec.md") is Kind.SYMLINK
    assert list(tree.list_files("linked")) == []
    with pytest.raises(OSError):
        tree.read("linked/spec.md")


def test_gitlink_is_other_and_not_listed(repo: GitRepo, opened: Repo) -> None:
    repo.write("a.md", "x")
    sha = repo.commit()
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/sub")
    repo.git("commit", "-q", "-m", "add a submodule entry")  # not commit(): `add -A` drops it
    tree = opened.tree("HEAD")
    assert tree.kind("vendor/sub") is Kind.OTHER
    assert tree.kind("vendor/sub/file.md") is Kind.MISSING
    assert list(tree.list_files("vendor")) == []
    assert tree.blob_id("vendor/sub") is None
    with pytest.raises(OSError):
        tree.read("vendor/sub")


def test_list_files_sorted_filtered_and_shallow(repo: GitRepo, opened: Repo) -> None:
    repo.write("features/b.md", "b")
    repo.write("features/a.md", "a")
    repo.write("features/notes.txt", "n")
    repo.write("features/nested/c.md", "c")
    repo.symlink("features/z.md", "a.md")
    repo.write("top.md", "t")
    repo.commit()
    tree = opened.tree("HEAD")
    assert list(tree.list_files("features", ".md")) == [
        "features/a.md",
        "features/b.md",
        "features/z.md",
    ]
    assert list(tree.list_files("features/")) == [
        "features/a.md",
        "features/b.md",
        "features/notes.txt",
        "features/z.md",
    ]
    assert list(tree.list_files("")) == ["top.md"]
    assert list(tree.list_files("missing")) == []
    assert list(tree.list_files("top.md")) == []


@pytest.mark.parametrize("path", ["../repo/a.md", "/a.md", "a.md/x", "C:/a.md", "x/../a.md"])
def test_paths_outside_or_through_files_are_missing(repo: GitRepo, opened: Repo, path: str) -> None:
    repo.write("a.md", "x")
    repo.commit()
    tree = opened.tree("HEAD")
    assert tree.kind(path) is Kind.MISSING
    with pytest.raises(FileNotFoundError):
        tree.read(path)


def test_read_of_a_folder_is_refused(repo: GitRepo, opened: Repo) -> None:
    repo.write("d/a.md", "x")
    repo.commit()
    with pytest.raises(IsADirectoryError):
        opened.tree("HEAD").read("d")


def test_lookup_reads_each_folder_tree_once(
    repo: GitRepo, opened: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(300):
        repo.write(f"features/f{n:04}.yml", f"id: f{n}\n")
    repo.commit()
    tree: GitTreeSource = opened.tree("HEAD")
    reads: list[bytes] = []
    objects = tree._objects
    real = objects.read

    def counting(binsha: bytes) -> tuple[str, bytes]:
        reads.append(binsha)
        return real(binsha)

    monkeypatch.setattr(tree, "_objects", type("Counted", (), {"read": staticmethod(counting)}))
    for n in range(300):
        assert tree.kind(f"features/f{n:04}.yml") is Kind.FILE
    assert len(list(tree.list_files("features", ".yml"))) == 300
    assert len(reads) == 2  # the root tree and features/, each parsed once


def test_show_reads_trusted_base_files(repo: GitRepo, opened: Repo) -> None:
    repo.write("opsync.yml", "version: 1\n")
    repo.symlink("allowed_signers", "/etc/ssh/keys")
    base = repo.commit()
    repo.write("opsync.yml", "version: 2\n")
    repo.commit()
    assert opened.show(base, "opsync.yml") == b"version: 1\n"
    assert opened.show(base, "missing.yml") is None
    with pytest.raises(ConfigError) as caught:
        opened.show(base, "allowed_signers")
    assert "symlink" in caught.value.message


def test_blob_at_reads_one_file_without_parsing_its_folder(repo: GitRepo, opened: Repo) -> None:
    repo.write("specs/a.md", "status: design\n")
    repo.write("specs/odd name.md", "spaces take the tree walk\n")
    repo.symlink("specs/link.md", "/etc/passwd")
    base = repo.commit()
    repo.write("specs/a.md", "status: build\n")
    repo.commit()
    assert opened.blob_at(base, "specs/a.md") == b"status: design\n"
    assert opened.blob_at(base, "specs/odd name.md") == b"spaces take the tree walk\n"
    assert opened.blob_at(base, "specs/missing.md") is None
    assert opened.blob_at(base, "specs") is None  # a folder is not a blob
    # A symlink is never followed: at most its target text comes back.
    assert b"root:" not in (opened.blob_at(base, "specs/link.md") or b"")


def test_a_repository_without_commits_says_so(tmp_path: Path) -> None:
    """`unknown ref HEAD — fetch it` would send a newcomer the wrong way."""
    from opsync.errors import ConfigError

    empty = make_repo(tmp_path)
    with open_repo(empty.path) as repo, pytest.raises(ConfigError) as caught:
        repo.resolve("HEAD")
    assert "no commits yet" in caught.value.message
    assert "git commit" in (caught.value.hint or "")
