"""Where a workspace's files come from: the working tree, or a Git commit.

`validate` and `status` read the working tree; `check` reads the PR head and base as
Git objects, so head content is never taken from disk and symlinks are seen as such.
Both implement `FileSource`; everything that reads opsync files goes through it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Protocol


class Kind(StrEnum):
    FILE = "file"
    SYMLINK = "symlink"
    DIR = "dir"
    OTHER = "other"  # submodule, fifo, device...
    MISSING = "missing"


class FileSource(Protocol):
    """Read-only view of a tree. Paths are repo-relative POSIX strings."""

    label: str  # e.g. "working tree" or "head 1a2b3c4"

    def kind(self, path: str) -> Kind: ...

    def size(self, path: str) -> int: ...

    def read(self, path: str) -> bytes:
        """Bytes of a regular file. Never follows a symlink (callers check `kind`)."""
        ...

    def list_files(self, folder: str, suffix: str = "") -> Iterator[str]:
        """Regular files and symlinks directly inside `folder`, sorted, as repo paths."""
        ...

    def blob_id(self, path: str) -> str | None:
        """Git's blob id of a regular file (as `git hash-object` computes it), else None."""
        ...


def normalize(path: str) -> str | None:
    """A repo-relative path, or None when it is absolute or climbs out with `..`."""
    if not path or path.startswith(("/", "\\")) or "\\" in path or ":" in path.split("/")[0]:
        return None
    if any(ord(c) < 32 or c == "\x7f" for c in path) or len(path) > 4096:
        return None  # control characters (NUL) or absurd lengths: never a repo file
    parts = PurePosixPath(path).parts
    if ".." in parts:
        return None
    clean = "/".join(p for p in parts if p not in ("", "."))
    return clean or None


class WorktreeSource:
    """Files on disk below `root`; symlinks are reported, never followed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = "working tree"

    def _abs(self, path: str) -> Path:
        return self.root / path

    def kind(self, path: str) -> Kind:
        # Refuse paths whose parent folders are symlinks too: lstat each step.
        current = self.root
        parts = path.split("/")
        for index, part in enumerate(parts):
            current = current / part
            try:
                mode = os.lstat(current).st_mode
            except (OSError, ValueError):  # missing, not a folder, NUL, name too long
                return Kind.MISSING
            if stat.S_ISLNK(mode):
                return Kind.SYMLINK
            if index < len(parts) - 1 and not stat.S_ISDIR(mode):
                return Kind.MISSING
        if stat.S_ISREG(mode):
            return Kind.FILE
        if stat.S_ISDIR(mode):
            return Kind.DIR
        return Kind.OTHER

    def _safe(self, path: str) -> Path:
        """The path on disk, refused when a folder on the way is a symlink (O_NOFOLLOW
        guards only the last component)."""
        if self.kind(path) is Kind.SYMLINK:
            raise OSError(errno.ELOOP, "refusing to follow a symlink", path)
        return self._abs(path)

    def size(self, path: str) -> int:
        return os.lstat(self._safe(path)).st_size

    def read(self, path: str) -> bytes:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self._safe(path), flags)
        with os.fdopen(fd, "rb") as handle:
            return handle.read()

    def list_files(self, folder: str, suffix: str = "") -> Iterator[str]:
        if self.kind(folder) is not Kind.DIR:
            return iter(())
        names = []
        with os.scandir(self._abs(folder)) as entries:
            for entry in entries:
                if entry.name.endswith(suffix) and not entry.is_dir(follow_symlinks=False):
                    names.append(f"{folder}/{entry.name}")
        return iter(sorted(names))

    def blob_id(self, path: str) -> str | None:
        if self.kind(path) is not Kind.FILE:
            return None
        data = self.read(path)
        return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
