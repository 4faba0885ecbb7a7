"""write_new never clobbers anything; write_atomic replaces whole files only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opsync import fsutil
from opsync.fsutil import write_atomic, write_new


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_new_creates_parents_and_content(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.md"
    assert write_new(target, "héllo 运营\n") is True
    assert target.read_bytes() == "héllo 运营\n".encode()
    assert leftovers(target.parent) == []


def test_write_new_respects_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_new(tmp_path / "f", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o644


def test_write_new_keeps_existing_file_byte_identical(tmp_path: Path) -> None:
    target = tmp_path / "opsync.yml"
    target.write_bytes(b"mine: true\r\n")
    assert write_new(target, "theirs: true\n") is False
    assert target.read_bytes() == b"mine: true\r\n"
    assert leftovers(tmp_path) == []


def test_write_new_does_not_write_through_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    link = tmp_path / "repo" / "opsync.yml"
    link.parent.mkdir()
    link.symlink_to(outside)
    assert write_new(link, "pwned") is False
    assert outside.read_text(encoding="utf-8") == "secret"
    assert link.is_symlink()


def test_write_new_refuses_a_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "dangling.md"
    link.symlink_to(tmp_path / "nowhere.md")
    assert write_new(link, "text") is False
    assert not (tmp_path / "nowhere.md").exists()
    assert link.is_symlink()


def test_write_new_loses_the_race_without_clobbering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that appears between the existence check and the link is kept."""
    target = tmp_path / "race.md"
    real_write_temp = fsutil._write_temp

    def write_temp_then_someone_else_writes(folder: Path, name: str, data: bytes) -> Path:
        temp = real_write_temp(folder, name, data)
        target.write_text("written meanwhile", encoding="utf-8")
        return temp

    monkeypatch.setattr(fsutil, "_write_temp", write_temp_then_someone_else_writes)
    assert write_new(target, "ours") is False
    assert target.read_text(encoding="utf-8") == "written meanwhile"
    assert leftovers(tmp_path) == []


def test_write_new_falls_back_to_exclusive_create_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    assert write_new(tmp_path / "new.md", "fresh") is True
    assert (tmp_path / "new.md").read_text(encoding="utf-8") == "fresh"
    assert write_new(tmp_path / "new.md", "again") is False
    assert (tmp_path / "new.md").read_text(encoding="utf-8") == "fresh"
    assert leftovers(tmp_path) == []


def test_write_atomic_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "site" / "index.html"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text(encoding="utf-8") == "two"
    assert leftovers(target.parent) == []


def test_write_atomic_replaces_a_symlink_instead_of_following_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep", encoding="utf-8")
    link = tmp_path / "out.html"
    link.symlink_to(outside)
    write_atomic(link, "generated")
    assert not link.is_symlink()
    assert link.read_text(encoding="utf-8") == "generated"
    assert outside.read_text(encoding="utf-8") == "keep"


def test_symlinked_folder_names_the_first_linked_folder(tmp_path: Path) -> None:
    from opsync.fsutil import symlinked_folder

    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "opsync").symlink_to(tmp_path / "real")
    assert symlinked_folder(tmp_path, "opsync/sub/x.md") == "opsync"
    assert symlinked_folder(tmp_path, "real/sub/x.md") is None
    assert symlinked_folder(tmp_path, "missing/deeper/x.md") is None
    assert symlinked_folder(tmp_path, "top.md") is None
