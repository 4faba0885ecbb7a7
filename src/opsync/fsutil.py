"""Writing files without surprises: complete or absent, and never over a user's file.

Scaffolding must not clobber what exists — not even a file that appears while we write,
nor a symlink (dangling or not) that would redirect the write elsewhere. So new files
are written to a temporary name in the same folder, fsync'ed, then hard-linked into
place: `link()` fails when the name exists and never follows a link at the target.
Generated outputs (the dashboard) may replace, and use `os.replace` for the same
all-or-nothing effect.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path


def _fill(fd: int, path: Path, data: bytes) -> None:
    """Write and fsync a file just created with O_EXCL; on failure, remove it again."""
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def _write_temp(folder: Path, name: str, data: bytes) -> Path:
    """A fully written and fsync'ed file next to its destination (same filesystem)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(temp, flags, 0o666)  # the umask applies, as for any new file
        except FileExistsError:
            continue
        _fill(fd, temp, data)
        return temp
    raise FileExistsError(errno.EEXIST, "could not find a free temporary name", str(folder))


def _fsync_dir(folder: Path) -> None:
    """Make the new directory entry durable; not every platform can open a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _exists(path: Path) -> bool:
    """True for anything at `path`, a dangling symlink included."""
    return os.path.lexists(path)


def _write_exclusive(path: Path, data: bytes) -> bool:
    """Fallback where hard links are unsupported: O_EXCL still never clobbers."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        return False
    _fill(fd, path, data)
    return True


def write_new(path: Path, text: str) -> bool:
    """Create `path` with `text` (UTF-8). False, touching nothing, when anything is there.

    Parent folders are created as needed. The file appears complete or not at all.
    """
    path = Path(path)
    if _exists(path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    temp = _write_temp(path.parent, path.name, data)
    try:
        os.link(temp, path)  # never follows or replaces a link at `path`
    except FileExistsError:
        return False
    except OSError as exc:
        # Filesystems without hard links (some network or FAT mounts): no atomicity,
        # but O_EXCL keeps the one promise that matters, never overwriting.
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        return _write_exclusive(path, data)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    _fsync_dir(path.parent)
    return True


def write_atomic(path: Path, text: str) -> None:
    """Create or replace `path` with `text` (UTF-8), all or nothing.

    A symlink at `path` is replaced by the file, never written through.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _write_temp(path.parent, path.name, text.encode("utf-8"))
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_dir(path.parent)


def inside(root: Path, rel: str) -> Path:
    """`root/rel`, refused (OSError) unless it stays inside `root` with no component a
    symlink: no `..`, not absolute, and every part that exists is a real folder (the last a
    real file or missing). Every repo path opsync writes, or reads from disk, goes through
    here, so a checked-out `opsync/approvals/<id> -> /etc` leads nowhere.
    """
    parts = rel.split("/")
    if not rel or rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise OSError(errno.EINVAL, "not a plain path inside the repository", rel)
    current = root
    for index, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            break  # the rest does not exist yet: writers create it as real folders
        where = "/".join(parts[: index + 1])
        if stat.S_ISLNK(mode):
            raise OSError(errno.ELOOP, "refusing a path through a symlink", where)
        if index < len(parts) - 1 and not stat.S_ISDIR(mode):
            raise OSError(errno.ENOTDIR, "not a folder", where)
    return root / rel


def symlinked_folder(root: Path, rel: str) -> str | None:
    """The first folder on repo path `rel` (below `root`) that is a symlink, if any.

    Scaffolding refuses to write through one: `opsync -> /elsewhere` would put files
    outside the repository.
    """
    current = root
    parts = rel.split("/")[:-1]
    for index, part in enumerate(parts):
        current = current / part
        if current.is_symlink():
            return "/".join(parts[: index + 1])
        if not current.exists():
            return None
    return None
