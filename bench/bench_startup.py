"""Start-up cost: `opsync --version` against `python -c "import click"`.

    python bench/bench_startup.py [--reps 60]

Both run side by side, interleaved (so load on the machine hits both alike), many times;
medians are compared. Target: opsync within 1.5x of importing click, i.e. the root group
imports click and almost nothing else. A bare `python -c pass` is shown as the floor.
The real console script is run, never a pyenv shim. Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys

from _util import fmt_s, machine, median, quick, script, verdict

TARGET = 1.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=60)
    args = parser.parse_args(argv)
    commands = {
        "opsync --version": [script("opsync"), "--version"],
        'python -c "import click"': [sys.executable, "-c", "import click"],
        'python -c "pass" (floor)': [sys.executable, "-c", "pass"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(3):  # warm the page cache
        for cmd in commands.values():
            quick(cmd)
    for _ in range(args.reps):
        for name, cmd in commands.items():
            times[name].append(quick(cmd))
    opsync, click = (median(times[n]) for n in list(commands)[:2])
    ratio = opsync / click
    print("## Start-up\n")
    print(f"Command: `python bench/bench_startup.py --reps {args.reps}`  ")
    print(f"Machine: {machine()}\n")
    print(f"{args.reps} interleaved runs each, after 3 warm-up rounds.\n")
    print("| command | median | p10 | p90 |")
    print("|---|---|---|---|")
    for name, cmd in commands.items():
        values = sorted(times[name])
        deciles = statistics.quantiles(values, n=10)
        print(
            f"| `{shlex.join(cmd)}` ({name}) | {fmt_s(median(values))} "
            f"| {fmt_s(deciles[0])} | {fmt_s(deciles[-1])} |"
        )
    print(
        f"\nopsync / import click = {ratio:.2f}x (target <= {TARGET}x): {verdict(ratio <= TARGET)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
