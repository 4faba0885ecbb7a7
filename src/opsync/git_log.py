"""Git history as data: the parsed `git log --raw` entries the launch history reads, and
`cat-file --batch` output."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LogChange:
    """One file changed by a commit: `blob` is the new content's id (zeros when deleted)."""

    status: str  # A, M, D, R, T, C
    path: str
    blob: str
    old_path: str | None = None


@dataclass(frozen=True)
class LogEntry:
    sha: str
    when: datetime
    changes: tuple[LogChange, ...]


def parse_batch(out: bytes) -> dict[str, bytes]:
    """`git cat-file --batch` output: `<id> <type> <size>\\n<content>\\n` per object."""
    found: dict[str, bytes] = {}
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        fields = out[pos:end].split()
        pos = end + 1
        if len(fields) != 3:  # `<id> missing`
            continue
        size = int(fields[2])
        if fields[1] == b"blob":
            found[fields[0].decode()] = out[pos : pos + size]
        pos += size + 1
    return found


def parse_raw_log(out: str) -> list[LogEntry]:
    """Parse `git log --raw -z --format=%x01%H %cI`: a header, then per change
    `:mode mode old new STATUS\0PATH\0` (two paths for renames and copies)."""
    entries: list[LogEntry] = []
    for chunk in out.split("\x01"):
        if not chunk.strip():
            continue
        header, _, rest = chunk.partition("\0")
        sha, _, stamp = header.strip().partition(" ")
        fields = rest.lstrip("\n").split("\0")
        changes: list[LogChange] = []
        index = 0
        while index < len(fields):
            meta = fields[index].strip()
            if not meta.startswith(":"):
                index += 1
                continue
            parts = meta[1:].split()
            if len(parts) < 5 or index + 1 >= len(fields):
                break
            status = parts[4][:1]
            if status in ("R", "C") and index + 2 < len(fields):
                changes.append(LogChange(status, fields[index + 2], parts[3], fields[index + 1]))
                index += 3
            else:
                changes.append(LogChange(status, fields[index + 1], parts[3]))
                index += 2
        entries.append(LogEntry(sha, datetime.fromisoformat(stamp), tuple(changes)))
    return entries
