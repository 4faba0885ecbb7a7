"""Give a generated workspace a Git history with dated launches (for the dashboard bench).

    generate_history(root, launches=500, weeks=104)

The first commit holds every file with the launched specs still in `validation`; then one
commit per launch flips one spec to `launched`, dated across the weeks of data, the way a
team's main branch would carry them. Launched specs beyond `launches` stay in
`validation` in the working tree, so exactly `launches` features are launched. Built with
`git fast-import` (thousands of commits in a second). Deterministic.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

EXPECTED = "expected: {direction: up, change: 3%, within: 8}\n"


def _git(root: Path, *args: str, stdin: bytes | None = None) -> None:
    env = {
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "PATH": "/usr/bin:/bin",
        "HOME": str(root),
    }
    subprocess.run(["git", *args], cwd=root, input=stdin, env=env, check=True, capture_output=True)


def _blob(data: bytes) -> bytes:
    return b"data %d\n" % len(data) + data + b"\n"


def _commit(when: datetime, message: str) -> bytes:
    """A commit on main; without `from`, fast-import continues from the branch's tip."""
    stamp = f"{int(when.timestamp())} +0000".encode()
    text = message.encode()
    head = b"commit refs/heads/main\n"
    head += b"author Bench <bench@example.com> " + stamp + b"\n"
    head += b"committer Bench <bench@example.com> " + stamp + b"\n"
    return head + _blob(text)


def generate_history(root: Path, launches: int, weeks: int, last: date) -> int:
    """Rewrite launched specs, commit the history; returns the number of launches."""
    specs = sorted((root / "opsync/features").glob("*.md"))
    launched = [p for p in specs if "\nstatus: launched\n" in p.read_text(encoding="utf-8")]
    chosen, extra = launched[:launches], launched[launches:]
    for path in launched:  # the promise the expected-effect gate asks for from build on
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\nmetric:", "\n" + EXPECTED.rstrip() + "\nmetric:", 1))
    for path in extra:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\nstatus: launched\n", "\nstatus: validation\n"))
    files = sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
    start = datetime.combine(last - timedelta(weeks=weeks - 1), datetime.min.time(), UTC)
    stream = [_commit(start, "Workspace before the launches")]
    for path in files:
        data = path.read_bytes()
        if path in chosen:
            data = data.replace(b"\nstatus: launched\n", b"\nstatus: validation\n")
        rel = path.relative_to(root).as_posix().encode()
        stream.append(b"M 100644 inline " + rel + b"\n" + _blob(data))
    step = (weeks - 2) * 7 * 24 * 3600 / max(1, len(chosen))
    for index, path in enumerate(chosen):
        when = start + timedelta(days=7, seconds=int(index * step))
        rel = path.relative_to(root).as_posix()
        stream.append(_commit(when, f"Launch {path.stem}"))
        stream.append(f"M 100644 inline {rel}\n".encode() + _blob(path.read_bytes()))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "fast-import", "--quiet", stdin=b"".join(stream))
    _git(root, "reset", "-q")  # the index matches the last commit; the files already do
    return len(chosen)
