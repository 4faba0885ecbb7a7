"""Dashboard build time against `opsync validate` on the same large workspace.

    python bench/dashboard_bench.py [--features 5000] [--weeks 104] [--launches 500] [--reps 3]
        [--no-write]

Generates a workspace (bench/gen_dashboard.py: 5,000 features, two years of weekly
values and week docs, a Git history with 500 dated launches), then runs `opsync validate`
and `opsync dashboard --out DIR` alternately, `--reps` times each after one warm-up of
each, so load on the machine hits both alike. Target: the dashboard's median within 3x
of validate's. The figures and the commands go to bench/RESULTS.md under "## Dashboard"
(that section only is replaced).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_dashboard import generate

TARGET = 3.0
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADING = "## Dashboard"


def opsync() -> str:
    """The real console script next to this Python, not a shim."""
    path = Path(sysconfig.get_path("scripts")) / "opsync"
    return str(path) if path.exists() else "opsync"


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):  # validate exits 1 on findings; both are runs
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return seconds


def section(args: argparse.Namespace, validate: list[float], dashboard: list[float]) -> str:
    v, d = statistics.median(validate), statistics.median(dashboard)
    ratio = d / v
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = (
        f"python bench/dashboard_bench.py --features {args.features} --weeks {args.weeks} "
        f"--launches {args.launches} --reps {args.reps}"
    )
    return f"""{HEADING}

`{command}`
({when}; nproc {os.cpu_count()}, Python {platform.python_version()}, {platform.system()})

Workspace from `bench/gen_dashboard.py`: {args.features} feature specs, {args.weeks} weeks of
weekly values for 5 base metrics (3 composites, the north star two formula levels up) and
{args.weeks} week docs (one campaign each); a Git repo whose first-parent history launches
{args.launches} features on dated commits, so the dashboard derives every launch date, draws
the events on the charts and computes an impact card per launch (2,000-resample bootstrap).
Being a Git repo, the dashboard also re-verifies every spec's ops sign-off at HEAD, which
the earlier (non-Git) workspace skipped. Both commands fork workers over the specs.
Runs alternate after one warm-up each; medians of {args.reps}.

| command | median | runs |
|---|---:|---|
| `opsync validate` | {v:.2f} s | {", ".join(f"{t:.2f}" for t in validate)} |
| `opsync dashboard --out SITE` | {d:.2f} s | {", ".join(f"{t:.2f}" for t in dashboard)} |

Dashboard / validate: **{ratio:.2f}x** (target ≤ {TARGET:g}x): **{verdict}**.
"""


def record(text: str) -> None:
    """Replace this benchmark's section of RESULTS.md (or append it); others stay as they are."""
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    start = old.find(f"\n{HEADING}\n")
    if start == -1:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(HEADING) + 2)
        rest = old[end:] if end != -1 else "\n"
        new = old[:start].rstrip("\n") + "\n\n" + text + rest
    RESULTS.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--launches", type=int, default=500)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md")
    args = parser.parse_args(argv)
    tool = opsync()
    with tempfile.TemporaryDirectory(prefix="opsync-dashboard-bench-") as tmp:
        root = Path(tmp) / "ws"
        generate(root, args.features, args.weeks, launches=args.launches)
        validate = [tool, "validate", "-q"]
        dashboard = [tool, "dashboard", "-q", "--out", str(Path(tmp) / "site")]
        timed(validate, root)  # warm-up: file cache, .pyc
        timed(dashboard, root)
        v_times, d_times = [], []
        for _ in range(args.reps):
            v_times.append(timed(validate, root))
            d_times.append(timed(dashboard, root))
        shutil.rmtree(Path(tmp) / "site", ignore_errors=True)
    text = section(args, v_times, d_times)
    print(text)
    if not args.no_write:
        record(text)
    ratio = statistics.median(d_times) / statistics.median(v_times)
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
