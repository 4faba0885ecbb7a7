"""`opsync metrics pull` against the same aggregates run directly in DuckDB's Python API.

    python bench/bench_pull.py [--rows 10000000] [--reps 3] [--workdir DIR]

Generates `--rows` orders over two years (2025-01-01 .. 2026-12-31) as one Parquet file
with DuckDB (deterministic: every column is arithmetic on the row number), and a workspace
whose three base metrics query it at week + month + quarter (9 aggregates). Then,
interleaved `--reps` times after one warm-up each:

  opsync metrics pull                         (parse, compile, 9 queries, merge, write)
  python direct.py                            (import duckdb, the 9 hand-written queries)

Targets: opsync's median wall time <= 1.25x the direct run's; opsync's peak memory
< 500 MB (rows are aggregated in the engine, never pulled into Python).
Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from _util import Run, fmt_s, machine, median, run, script, verdict

RATIO_TARGET = 1.25
MEMORY_TARGET_MB = 500

QUERIES = {
    "purchases-per-member": ("count(*) * 1.0 / count(distinct member_id)", "status = 'paid'"),
    "average-order-value": ("sum(amount) / count(*)", "status = 'paid'"),
    "refund-share": ("sum(case when status = 'refunded' then 1 else 0 end) * 1.0 / count(*)", None),
}
GRAINS = ("week", "month", "quarter")

DIRECT = """
import duckdb
conn = duckdb.connect()
for value, where, grain in JOBS:
    filt = " AND (" + where + ")" if where else ""
    sql = ("SELECT date_trunc('" + grain + "', ordered_at) AS p, " + value + " AS v FROM '"
           + PATH + "' WHERE ordered_at IS NOT NULL" + filt + " GROUP BY 1 ORDER BY 1")
    conn.execute(sql).fetchall()
"""


def generate(root: Path, rows: int) -> Path:
    import duckdb

    path = root / "data" / "orders.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    seconds = 730 * 86400
    duckdb.connect().execute(
        f"""COPY (
          SELECT i AS order_id,
                 (i * 7919) % 200000 AS member_id,
                 TIMESTAMP '2025-01-01' + to_seconds((i * 6364136223) % {seconds}) AS ordered_at,
                 ((i * 31337) % 30000) / 100.0 AS amount,
                 CASE WHEN i % 20 = 0 THEN 'refunded' ELSE 'paid' END AS status
          FROM range({rows}) t(i)
        ) TO '{path}' (FORMAT parquet)"""
    )
    return path


def workspace(root: Path) -> None:
    import yaml

    policy = {
        "version": 1,
        "data": {"sources": {"local": {"url": "duckdb://"}}, "grains": list(GRAINS)},
    }
    (root / "opsync.yml").write_text(yaml.safe_dump(policy), encoding="utf-8")
    metrics = []
    for metric, (value, where) in QUERIES.items():
        query = {"from": "'data/orders.parquet'", "time": "ordered_at", "value": value}
        if where:
            query["where"] = where
        metrics.append({"id": metric, "name": metric, "query": query})
    (root / "opsync").mkdir(exist_ok=True)
    registry = yaml.safe_dump({"version": 1, "metrics": metrics}, width=1000)
    (root / "opsync/metrics.yml").write_text(registry, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    root = args.workdir or Path(tempfile.mkdtemp(prefix="opsync-bench-pull-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        import time

        print(f"generating {args.rows:,} rows as Parquet in {root}", file=sys.stderr)
        started = time.perf_counter()
        parquet = generate(root, args.rows)
        generated = time.perf_counter() - started
        workspace(root)
        jobs = [(v, w, g) for v, w in QUERIES.values() for g in GRAINS]
        direct = root / "direct.py"
        direct.write_text(f"JOBS = {jobs!r}\nPATH = {str(parquet)!r}\n{DIRECT}", encoding="utf-8")
        ours_cmd = [script("opsync"), "metrics", "pull", "--format", "json"]
        theirs_cmd = [sys.executable, str(direct)]
        run(ours_cmd, cwd=root)  # warm-up: also writes the values once
        run(theirs_cmd, cwd=root)
        ours: list[Run] = []
        theirs: list[Run] = []
        for rep in range(args.reps):
            print(f"rep {rep + 1}/{args.reps}", file=sys.stderr)
            ours.append(run(ours_cmd, cwd=root))
            theirs.append(run(theirs_cmd, cwd=root))
        report(args, parquet, generated, ours, theirs)
    finally:
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)


def report(args: argparse.Namespace, parquet: Path, generated: float, ours: list[Run],
           theirs: list[Run]) -> None:  # fmt: skip
    ours_s = median([r.seconds for r in ours])
    theirs_s = median([r.seconds for r in theirs])
    ratio = ours_s / theirs_s
    # The machine is shared: besides the ratio of medians, the median of the interleaved
    # pairs' ratios and the CPU time (user + system), which other load disturbs less.
    pairs = median([o.seconds / t.seconds for o, t in zip(ours, theirs, strict=True)])
    cpu = median([o.cpu_seconds for o in ours]) / median([t.cpu_seconds for t in theirs])
    peak_mb = max(max(r.max_rss_kb, r.tree_pss_kb) for r in ours) / 1024
    theirs_mb = max(max(r.max_rss_kb, r.tree_pss_kb) for r in theirs) / 1024
    size_mb = parquet.stat().st_size / 1e6
    print("## metrics pull\n")
    print(f"`python bench/bench_pull.py --rows {args.rows} --reps {args.reps}`\n")
    print(f"{machine()}\n")
    print(
        f"{args.rows:,} generated orders over 2025-01-01..2026-12-31, one Parquet file "
        f"({size_mb:.0f} MB, generated in {generated:.1f} s); 3 base metrics x week, month, "
        "quarter = 9 aggregates. Runs interleaved after one warm-up each; medians.\n"
    )
    print("| command | median | runs | peak memory |")
    print("|---|---:|---|---:|")
    runs = ", ".join(fmt_s(r.seconds) for r in ours)
    print(f"| `opsync metrics pull` | {fmt_s(ours_s)} | {runs} | {peak_mb:.0f} MB |")
    runs = ", ".join(fmt_s(r.seconds) for r in theirs)
    print(f"| the same 9 queries in DuckDB's Python API | {fmt_s(theirs_s)} | {runs} "
          f"| {theirs_mb:.0f} MB |")  # fmt: skip
    print(f"\nMedian of the pairs' ratios: {pairs:.2f}x; CPU time ratio: {cpu:.2f}x.")
    print(
        f"\nopsync / direct: **{ratio:.2f}x** (target <= {RATIO_TARGET}x): "
        f"{verdict(ratio <= RATIO_TARGET)}; peak memory {peak_mb:.0f} MB "
        f"(target < {MEMORY_TARGET_MB} MB): {verdict(peak_mb < MEMORY_TARGET_MB)}."
    )


if __name__ == "__main__":
    main()
