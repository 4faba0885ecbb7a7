"""Helpers shared by the benchmark scripts: timing, machine facts, tool paths."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


def script(name: str) -> str:
    """The real console script, not a pyenv shim (a shim adds ~50 ms of bash)."""
    path = Path(sysconfig.get_path("scripts")) / name
    if not path.exists():
        raise SystemExit(f"{name} is not installed next to {sys.executable}")
    return str(path)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    bytecode = ", PYTHONDONTWRITEBYTECODE=1" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""
    return (
        f"nproc {os.cpu_count()}, {cpu}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {git}{bytecode}; opsync at {commit}"
    )


@dataclass(frozen=True)
class Run:
    seconds: float
    returncode: int
    max_rss_kb: int  # peak RSS of the biggest single process (/usr/bin/time -v)
    tree_pss_kb: int  # peak sum of PSS over the whole process tree (forked workers too)
    cpu_seconds: float  # user + system, children included
    stdout: str
    stderr: str


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in task.read_text().split()]
    return found


def _tree_pss_kb(pid: int) -> int:
    """Proportional set size of `pid` and its descendants: shared pages counted once."""
    total = 0
    for member in _descendants(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:  # the process ended between the listing and the read
            pass
    return total


def run(cmd: Sequence[str], cwd: Path | None = None, check_codes: Sequence[int] = (0,)) -> Run:
    """Run `cmd` once under /usr/bin/time -v: wall and CPU time, peak memory.

    Memory two ways: the biggest single process (time's "Maximum resident set size"),
    and the peak PSS of the process tree sampled every 50 ms, so forked workers count.
    """
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    peak = [0]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*timer, *cmd], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_pss_kb(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    rss, cpu = 0, 0.0
    if timer:
        head, _, tail = stderr.rpartition("\tCommand being timed:")
        stderr = head
        for line in tail.splitlines():
            if "Maximum resident set size" in line:
                rss = int(line.rsplit(":", 1)[1])
            elif "User time" in line or "System time" in line:
                cpu += float(line.rsplit(":", 1)[1])
    else:  # the biggest child so far: fine for one-off measurements
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        rss = usage.ru_maxrss
    if proc.returncode not in check_codes:
        raise SystemExit(
            f"`{shlex.join(cmd)}` exited {proc.returncode}\n{stdout[-2000:]}\n{stderr[-2000:]}"
        )
    return Run(seconds, proc.returncode, rss, peak[0], cpu, stdout, stderr)


def quick(cmd: Sequence[str], cwd: Path | None = None) -> float:
    """Wall time of one run, without /usr/bin/time in between (for start-up figures)."""
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"
