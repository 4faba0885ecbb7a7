"""Generate a large workspace for the dashboard benchmark.

    python bench/gen_dashboard.py DIR [--features 5000] [--weeks 104] [--launches 500]

Writes opsync.yml, a registry with a two-level composite north star, `--weeks` weeks of
weekly values for every base metric (a few gaps on purpose), one week doc per week, and
`--features` feature specs across every status, with launch materials for those in
validation or launched. With `--launches N` the folder becomes a Git repo whose history
launches N features on dated commits (bench/gen_history.py). Deterministic: the same
arguments give the same files.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

STATUSES = ("research", "design", "build", "validation", "launched", "dropped")
BASE = ("purchases", "order-value", "retention", "signups", "first-orders")

POLICY = """\
version: 1
roles: {product: [alice, bob], ops: [carol, dave], admins: [erin]}
enforcement: advisory
"""

REGISTRY = """\
version: 1
north_star: member-value
key_metrics: [member-value, first-order-conversion]
metrics:
  - {id: purchases, name: Purchases per member, unit: purchases/member,
     owners: {product: alice, ops: carol}}
  - {id: order-value, name: Average order value, unit: CNY/purchase,
     owners: {product: alice, ops: carol}}
  - {id: retention, name: Retention, unit: "1", owners: {product: alice, ops: carol}}
  - {id: signups, name: Sign-ups, unit: user, owners: {product: bob, ops: dave}}
  - {id: first-orders, name: First orders, unit: user, owners: {product: bob, ops: dave}}
  - id: spend-per-member
    name: Spend per member
    unit: CNY/member
    formula: purchases * order-value
    owners: {product: alice, ops: carol}
  - id: member-value
    name: Member value
    unit: CNY/member
    formula: spend-per-member * retention
    owners: {product: alice, ops: carol}
    targets: [{period: 2026-Q4, baseline: 300, target: 350}]
  - id: first-order-conversion
    name: 首单转化率
    unit: percent
    formula: first-orders / signups * 100
    owners: {product: bob, ops: dave}
    targets: [{period: 2026-Q4, baseline: 12.5, target: 15}]
"""

METRICS = ("member-value", "spend-per-member", "purchases", "first-order-conversion", "retention")


def _weeks(count: int, last: date) -> list[str]:
    days = [last - timedelta(weeks=n) for n in range(count)][::-1]
    return [f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in days]


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _feature(index: int, rng: random.Random, week: str) -> tuple[str, str, str | None]:
    fid = f"feature-{index:05d}"
    status = STATUSES[index % len(STATUSES)]
    material = f"launch/{fid}/copy.md" if status in ("validation", "launched") else None
    materials = f"[{{kind: promo-copy, path: {material}}}, {{kind: cs-faq, na: no new flow}}]"
    checks = "\n".join(
        f"- [{'x' if rng.random() < 0.6 else ' '}] check {n} of {fid}" for n in range(4)
    )
    title = f"Feature {index}" if index % 3 else f"功能 {index}：会员权益"
    text = f"""---
id: {fid}
title: "{title}"
status: {status}
type: user-facing
owners: {{product: {rng.choice(("alice", "bob"))}, ops: {rng.choice(("carol", "dave"))}}}
week: {week}
metric: {METRICS[index % len(METRICS)]}
launch_materials: {materials if material else "[]"}
---
# {title}

<!-- opsync:ops-insight -->
## Ops insight

Front-line feedback for {fid}: members want clear savings.

<!-- opsync:functional-validation -->
## Functional validation

{checks}
- [ ] (later) nice-to-have for {fid}

<!-- opsync:launch-plan -->
## Launch plan

1. Push to a 5% segment.
2. Watch the feedback channels for a week.
"""
    return fid, text, material


def generate(
    root: Path, features: int = 5000, weeks: int = 104, last: date | None = None, launches: int = 0
) -> None:
    rng = random.Random(48)
    last = last or date(2026, 11, 23)
    names = _weeks(weeks, last)
    _write(root, "opsync.yml", POLICY)
    _write(root, "opsync/metrics.yml", REGISTRY)
    rows = ["period,metric,value"]
    for n, week in enumerate(names):
        values = {
            "purchases": 2.4 + n * 0.004 + rng.uniform(-0.05, 0.05),
            "order-value": 150 + n * 0.05 + rng.uniform(-2, 2),
            "retention": 0.8 + rng.uniform(-0.03, 0.03),
            "signups": 10_000 + rng.randint(-500, 500),
            "first-orders": 1_250 + n * 2 + rng.randint(-60, 60),
        }
        for metric in BASE:
            if metric == "retention" and n % 17 == 5:
                continue  # a gap: the north star has none that week
            rows.append(f"{week},{metric},{values[metric]:.4g}")
    _write(root, "opsync/data/metrics.csv", "\n".join(rows) + "\n")
    for index in range(features):
        fid, text, material = _feature(index, rng, names[index % len(names)])
        _write(root, f"opsync/features/{fid}.md", text)
        if material:
            _write(root, material, f"Launch copy for {fid}.\n")
    for n, week in enumerate(names):
        fid = f"feature-{(n * 7) % features:05d}"
        _write(
            root,
            f"opsync/weeks/{week}.md",
            f"""---
week: {week}
goal: {{statement: Lift member value in {week}, metric: member-value}}
product_actions:
  - {{feature: {fid}, action: ship the next step, owner: alice, done: {str(n % 3 == 0).lower()}}}
ops_support:
  - {{for: {fid}, action: prepare the push, owner: carol}}
---
## Notes
""",
        )
    if launches:
        from gen_history import generate_history

        generate_history(root, launches, weeks, last)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--features", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--launches", type=int, default=0, help="a Git history with N launches")
    args = parser.parse_args(argv)
    generate(args.dir, args.features, args.weeks, launches=args.launches)
    print(f"wrote {args.features} features and {args.weeks} weeks to {args.dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
