"""`opsync init` writes .gitattributes so a CRLF save of a spec changes no blob id, and
so no approval goes stale over line ends (approvals are scoped to blob ids)."""

from __future__ import annotations

from pathlib import Path

from conftest import CliRunner
from gitrepo import GitRepo, make_repo

SPEC = "opsync/features/member-tiers.md"


def init_example(repo: GitRepo, run_cli: CliRunner, *args: str) -> str:
    result = run_cli("init", "--example", *args, cwd=repo.path)
    assert result.code == 0, result
    return result.err


def test_a_crlf_save_of_a_spec_changes_nothing_git_stores(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    repo = make_repo(tmp_path)
    init_example(repo, run_cli)
    assert "opsync/** text=auto eol=lf" in (repo.path / ".gitattributes").read_text("utf-8")
    repo.commit("init")
    blob = repo.git("rev-parse", f"HEAD:{SPEC}").strip()
    spec = repo.path / SPEC
    spec.write_bytes(spec.read_bytes().replace(b"\n", b"\r\n"))  # an editor on Windows
    repo.git("add", "-A")
    assert repo.git("diff", "--cached", "--name-only").strip() == ""
    assert repo.git("rev-parse", f":{SPEC}").strip() == blob  # same blob: same digest


def test_without_it_the_same_save_is_a_change(tmp_path: Path, run_cli: CliRunner) -> None:
    repo = make_repo(tmp_path)
    init_example(repo, run_cli)
    (repo.path / ".gitattributes").unlink()
    repo.commit("init")
    spec = repo.path / SPEC
    spec.write_bytes(spec.read_bytes().replace(b"\n", b"\r\n"))
    repo.git("add", "-A")
    assert repo.git("diff", "--cached", "--name-only").strip() == SPEC


def test_an_existing_gitattributes_is_kept_and_init_says_what_to_add(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    repo = make_repo(tmp_path)
    (repo.path / ".gitattributes").write_text("*.png binary\n", encoding="utf-8")
    err = init_example(repo, run_cli, "--lang", "zh")
    assert (repo.path / ".gitattributes").read_text("utf-8") == "*.png binary\n"
    assert "skipped (exists)  .gitattributes" in err
    assert "add these lines" in err and "opsync/** text=auto eol=lf" in err


def test_a_fresh_init_does_not_warn_about_it(tmp_path: Path, run_cli: CliRunner) -> None:
    repo = make_repo(tmp_path)
    err = init_example(repo, run_cli, "--lang", "zh")
    assert "add these lines" not in err
    assert "opsync init" in (repo.path / ".gitattributes").read_text("utf-8")
