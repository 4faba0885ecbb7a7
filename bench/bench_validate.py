"""`opsync validate` against check-jsonschema on the same feature front matters.

    python bench/bench_validate.py [--sizes 5000 20000] [--reps 2] [--workdir DIR]

For each size: a synthetic workspace (bench/gen_workspace.py, no git history: validate
reads the working tree), and every spec's front matter extracted to its own .yaml file.
Then, interleaved `--reps` times:

  opsync validate                       (in the workspace: schemas, Markdown sections,
                                         checklists, references to weeks/metrics/roster)
  check-jsonschema --schemafile schemas/feature.schema.json *.yaml   (schema only)

check-jsonschema gets relative file names from the extract folder; if they would not fit
in one command line (ARG_MAX) they are split into as few invocations as fit and the
times summed. Targets: opsync's wall time <= 0.5x check-jsonschema's (CPU time is shown
too, as opsync forks workers); opsync's peak memory at the largest size < 300 MB, taken
as the larger of the biggest single process and the whole process tree's PSS.
Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from _util import REPO, Run, fmt_s, machine, median, run, script, verdict
from gen_workspace import generate

RATIO_TARGET = 0.5
RSS_TARGET_MB = 300


@dataclass(frozen=True)
class Row:
    size: int
    ours: float
    ours_cpu: float
    theirs: float
    theirs_cpu: float
    calls: int
    rss: float  # MB, largest single process
    pss: float  # MB, whole process tree


def extract_front_matter(ws: Path, out: Path) -> list[str]:
    """Write each spec's front matter to out/<id>.yaml; return the file names."""
    out.mkdir(parents=True, exist_ok=True)
    names = []
    for spec in sorted((ws / "opsync/features").glob("*.md")):
        text = spec.read_text(encoding="utf-8")
        _, front, _ = text.split("---\n", 2)
        name = f"{spec.stem}.yaml"
        (out / name).write_text(front, encoding="utf-8")
        names.append(name)
    return names


def batches(prefix: list[str], names: list[str]) -> list[list[str]]:
    """Split `names` into as few command lines as fit in half of ARG_MAX."""
    budget = os.sysconf("SC_ARG_MAX") // 2 - sum(len(k) + len(v) + 2 for k, v in os.environ.items())
    fixed = sum(len(p) + 1 for p in prefix)
    groups: list[list[str]] = [[]]
    used = fixed
    for name in names:
        if used + len(name) + 1 > budget and groups[-1]:
            groups.append([])
            used = fixed
        groups[-1].append(name)
        used += len(name) + 1
    return groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="keep generated files here")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="opsync-bench-validate-"))
    schema = str(REPO / "schemas/feature.schema.json")
    opsync = [script("opsync"), "validate"]
    cjs = [script("check-jsonschema"), "--schemafile", schema]
    rows = []
    for size in args.sizes:
        ws = work / f"ws-{size}"
        fm = work / f"fm-{size}"
        shutil.rmtree(ws, ignore_errors=True)
        shutil.rmtree(fm, ignore_errors=True)
        generate(ws, size)
        names = extract_front_matter(ws, fm)
        groups = batches(cjs, names)
        ours: list[Run] = []
        theirs: list[tuple[float, float]] = []  # (wall, cpu) summed over the calls
        for _ in range(args.reps):
            ours.append(run(opsync, cwd=ws))
            calls = [run([*cjs, *group], cwd=fm) for group in groups]
            theirs.append((sum(c.seconds for c in calls), sum(c.cpu_seconds for c in calls)))
        if "all checks passed" not in ours[-1].stdout + ours[-1].stderr:
            print(f"warning: opsync validate reported findings at {size}", file=sys.stderr)
        row = Row(
            size,
            median([r.seconds for r in ours]),
            median([r.cpu_seconds for r in ours]),
            median([t[0] for t in theirs]),
            median([t[1] for t in theirs]),
            len(groups),
            max(r.max_rss_kb for r in ours) / 1024,
            max(r.tree_pss_kb for r in ours) / 1024,
        )
        rows.append(row)
        print(row, file=sys.stderr)
    print("## Validate\n")
    sizes = " ".join(map(str, args.sizes))
    print(f"Command: `python bench/bench_validate.py --sizes {sizes} --reps {args.reps}`  ")
    print(f"Machine: {machine()}\n")
    print(
        f"Workspaces from `bench/gen_workspace.py` (no history); median of {args.reps} "
        "interleaved runs. opsync: `opsync validate` in the workspace (policy, registry, "
        "week docs, every spec's front matter against the schema, Markdown sections and "
        "checklists, references to weeks, metrics, roster and material files; forked "
        "workers on large workspaces). check-jsonschema: `check-jsonschema --schemafile "
        "schemas/feature.schema.json f00001.yaml ...` on the same front matters, extracted "
        "to one .yaml file per spec (schema only, one process). CPU = user + system time, "
        "children included. Memory: the largest single process (`/usr/bin/time -v` maximum "
        "RSS) and the peak PSS summed over opsync's process tree (workers included, shared "
        "pages counted once; sampled every 50 ms).\n"
    )
    print(
        "| features | opsync wall | opsync CPU | check-jsonschema wall (calls) "
        "| check-jsonschema CPU | wall ratio | CPU ratio | opsync memory: largest / tree |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        ratio = r.ours / r.theirs
        print(
            f"| {r.size} | {fmt_s(r.ours)} | {fmt_s(r.ours_cpu)} | {fmt_s(r.theirs)} ({r.calls}) "
            f"| {fmt_s(r.theirs_cpu)} | {ratio:.2f}x ({verdict(ratio <= RATIO_TARGET)}) "
            f"| {r.ours_cpu / r.theirs_cpu:.2f}x | {r.rss:.0f} MB / {r.pss:.0f} MB |"
        )
    last = rows[-1]
    memory = max(last.rss, last.pss)
    print(
        f"\nWall-time target: opsync <= {RATIO_TARGET}x check-jsonschema. Peak memory at "
        f"{last.size} features: {memory:.0f} MB (the larger of the two figures; target < "
        f"{RSS_TARGET_MB} MB): {verdict(memory < RSS_TARGET_MB)}"
    )
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
