"""Helpers shared by the benchmark scripts: timing, machine facts, tool paths."""

from __future__ import annotations

import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import sysconfig
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
    max_rss_kb: int  # peak resident set size of the child (0 when unknown)
    stdout: str
    stderr: str


def run(cmd: Sequence[str], cwd: Path | None = None, check_codes: Sequence[int] = (0,)) -> Run:
    """Run `cmd` once under /usr/bin/time -v and return wall time and peak memory."""
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    proc = subprocess.run([*timer, *cmd], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    stderr, rss = proc.stderr, 0
    if timer:
        head, _, tail = stderr.rpartition("\tCommand being timed:")
        stderr = head
        for line in tail.splitlines():
            if "Maximum resident set size" in line:
                rss = int(line.rsplit(":", 1)[1])
    else:  # the biggest child so far: fine for one-off measurements
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in check_codes:
        raise SystemExit(
            f"`{shlex.join(cmd)}` exited {proc.returncode}\n{proc.stdout[-2000:]}\n{stderr[-2000:]}"
        )
    return Run(seconds, proc.returncode, rss, proc.stdout, stderr)


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
