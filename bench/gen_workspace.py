"""Generate a synthetic opsync workspace for benchmarks.

    python bench/gen_workspace.py OUT --features 20000 [--commits 5000] [--signer carol=KEY.pub]

The scaffold (opsync.yml, the metric registry, allowed_signers, schemas, data) is what
`opsync init --example` writes, so the workspace follows the product as it changes.
On top of it: N feature specs `opsync/features/f00001.md` (valid front matter, the three
sections with markers, a checklist) each with `launch/<id>/copy.md`, and week docs for
the last few ISO weeks.

With `--commits M` the folder is a git repo whose history has M commits: the first holds
the scaffold and weeks, the others add the features in order and each also edits one
earlier feature (spec and material), so `git log -- <spec>` has real depth. History is
written with one `git fast-import` stream: thousands of commits in seconds.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

PRODUCT = ("alice", "bob")
OPS = ("carol", "dave")
# Aligned metrics of the example registry (key metrics and the ones that feed them).
METRICS = (
    "member-value-density",
    "first-order-conversion",
    "monthly-purchases-per-member",
    "average-order-value",
)
STATUSES = ("research", "design", "build", "validation", "launched")
WORDS = [
    "member",
    "coupon",
    "checkout",
    "referral",
    "tier",
    "banner",
    "onboarding",
    "search",
    "cart",
    "wishlist",
    "loyalty",
    "payment",
    "shipping",
    "review",
    "bundle",
    "flash-sale",
    "invite",
    "reorder",
    "gift",
    "badge",
]
START = 1_767_225_600  # 2026-01-01T00:00:00Z: commit times start here, one hour apart


@dataclass
class Workspace:
    """What was generated: enough for a benchmark to pick files and ids."""

    root: Path
    features: int
    weeks: list[str]
    commits: int
    revisions: dict[int, int] = field(default_factory=dict)  # feature index -> edits

    def feature_id(self, index: int) -> str:
        return feature_id(index)


def feature_id(index: int) -> str:
    return f"f{index:05d}"


def iso_weeks(count: int, today: date | None = None) -> list[str]:
    """The last `count` ISO weeks up to this one, oldest first (e.g. 2026-W45..W48)."""
    day = today or date.today()
    weeks = []
    for back in range(count - 1, -1, -1):
        year, week, _ = (day - timedelta(weeks=back)).isocalendar()
        weeks.append(f"{year}-W{week:02d}")
    return weeks


def scaffold_files(signers: dict[str, str]) -> dict[str, bytes]:
    """The files `opsync init --example` writes, minus its example feature and week."""
    with tempfile.TemporaryDirectory(prefix="opsync-scaffold-") as tmp:
        subprocess.run(["git", "init", "-q", tmp], check=True)
        subprocess.run(
            ["opsync", "init", "--example"], cwd=tmp, check=True, capture_output=True, text=True
        )
        root = Path(tmp)
        files = {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(root).parts
        }
    for path in list(files):
        if path.startswith(("opsync/features/", "opsync/weeks/", "launch/")):
            del files[path]
    lines = [f'{login} namespaces="opsync" {key.strip()}' for login, key in signers.items()]
    if lines:
        files["opsync/allowed_signers"] += ("\n".join(lines) + "\n").encode()
    return files


def feature_files(index: int, revision: int, week: str) -> dict[str, bytes]:
    """A spec and its launch material; `revision` changes text, never validity."""
    fid = feature_id(index)
    rnd = random.Random(index)
    words = " ".join(rnd.sample(WORDS, 3))
    status = STATUSES[index % len(STATUSES)]
    internal = index % 5 == 0
    done = status in ("validation", "launched")
    box = "x" if done else " "
    material = f"launch/{fid}/copy.md"
    spec = f"""---
id: {fid}
title: Feature {index}, {words}
status: {status}
type: {"internal" if internal else "user-facing"}
owners: {{product: {PRODUCT[index % 2]}, ops: {OPS[(index // 2) % 2]}}}
week: {week}
metric: {METRICS[index % len(METRICS)]}
launch_materials:
  - {{kind: promo-copy, path: {material}}}
  - {{kind: cs-faq, na: no new support flow}}
scope:
  - {{item: {words} core flow, priority: core}}
  - {{item: {words} history page, priority: later}}
---
# Feature {index}: {words}

<!-- opsync:ops-insight -->
## Ops insight

Front-line feedback on {words}: members want fewer steps and visible savings.
Revision {revision}: the support queue shows {rnd.randint(3, 90)} tickets a week on this flow.

<!-- opsync:functional-validation -->
## Functional validation

- [{box}] {words} flow works on iOS, Android and web
- [{box}] refund path tested
- [{box}] analytics events fire once per action
- [ ] (later) {words} history page

<!-- opsync:launch-plan -->
## Launch plan

1. Week 1: push to members who used {words.split()[0]} in the last 30 days.
2. Week 2: banner for everyone; ops watches the feedback channels.
3. Rollback: switch the flag off.
"""
    copy = f"""# Push copy: feature {index}

**Title:** New: {words}

**Body:** Revision {revision}. Save more with {words.split()[1]} on your next order.

**Audience:** members active in the last 30 days.
"""
    return {f"opsync/features/{fid}.md": spec.encode(), material: copy.encode()}


def week_file(week: str, features: list[int]) -> bytes:
    actions = "".join(
        f"  - {{feature: {feature_id(i)}, action: ship the core flow, owner: {PRODUCT[i % 2]}}}\n"
        for i in features
    )
    support = "".join(
        f"  - {{for: {feature_id(i)}, action: prepare launch copy, owner: {OPS[(i // 2) % 2]}}}\n"
        for i in features
    )
    actions = f"product_actions:\n{actions}" if actions else "product_actions: []\n"
    support = f"ops_support:\n{support}" if support else "ops_support: []\n"
    return f"""---
week: {week}
goal:
  statement: Raise member value density
  metric: member-value-density
{actions}{support}---
# Week {week}: alignment

## Notes

- Synthetic week doc for benchmarks.
""".encode()


def week_of(index: int, weeks: list[str]) -> str:
    return weeks[index % len(weeks)]


def week_docs(weeks: list[str], features: int) -> dict[str, bytes]:
    """Each week plans its first three features (written before the features exist in
    history: only the final tree has to be consistent)."""
    docs = {}
    for week in weeks:
        planned = [i for i in range(1, min(features, 4 * len(weeks)) + 1)]
        planned = [i for i in planned if week_of(i, weeks) == week][:3]
        docs[f"opsync/weeks/{week}.md"] = week_file(week, planned)
    return docs


def generate(
    out: Path,
    features: int,
    commits: int = 0,
    weeks: int = 4,
    signers: dict[str, str] | None = None,
    seed: int = 1,
) -> Workspace:
    """Write the workspace to `out` (which must not exist or be empty)."""
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} exists and is not empty")
    out.mkdir(parents=True, exist_ok=True)
    week_names = iso_weeks(weeks)
    base = scaffold_files(signers or {})
    result = Workspace(out, features, week_names, commits)
    if commits <= 0:
        files = {**base, **week_docs(week_names, features)}
        for i in range(1, features + 1):
            files.update(feature_files(i, 0, week_of(i, week_names)))
        for path, data in files.items():
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return result
    _history(out, base, week_names, features, commits, random.Random(seed), result)
    return result


def _history(
    out: Path,
    base: dict[str, bytes],
    weeks: list[str],
    features: int,
    commits: int,
    rnd: random.Random,
    result: Workspace,
) -> None:
    git = ["git", "-C", str(out)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    for key, value in (
        ("user.name", "Bench"),
        ("user.email", "bench@example.com"),
        ("commit.gpgsign", "false"),
        ("gc.auto", "0"),
    ):
        subprocess.run([*git, "config", key, value], check=True)
    proc = subprocess.Popen([*git, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    stream = proc.stdin
    revisions = result.revisions
    added = 0
    for n in range(commits):
        files: dict[str, bytes] = {}
        if n == 0:
            files.update(base)
            files.update(week_docs(weeks, features))
            message = "Scaffold opsync and the week docs"
        else:
            upto = features * n // max(commits - 1, 1)
            if added > 0:  # edit one earlier feature: its spec and its material
                index = rnd.randint(1, added)
                revisions[index] = revisions.get(index, 0) + 1
                files.update(feature_files(index, revisions[index], week_of(index, weeks)))
            for i in range(added + 1, upto + 1):
                files.update(feature_files(i, 0, week_of(i, weeks)))
            message = f"Features up to {feature_id(upto)}" if upto > added else "Edit a feature"
            added = upto
        _commit(stream, n, files, message)
    stream.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run([*git, "read-tree", "-u", "--reset", "HEAD"], check=True)


def _commit(stream: object, n: int, files: dict[str, bytes], message: str) -> None:
    who = (PRODUCT + OPS)[n % 4]
    when = START + n * 3600
    msg = message.encode()
    parts = [
        b"commit refs/heads/main\n",
        b"mark :%d\n" % (n + 1),
        b"committer %s <%s@example.com> %d +0000\n" % (who.encode(), who.encode(), when),
        b"data %d\n%s\n" % (len(msg), msg),
    ]
    if n > 0:
        parts.append(b"from :%d\n" % n)
    for path, data in files.items():
        parts.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
    parts.append(b"\n")
    stream.write(b"".join(parts))  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create (must not exist or be empty)")
    parser.add_argument("--features", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=0, help="0: plain folder, no git repo")
    parser.add_argument("--weeks", type=int, default=4, help="week docs up to this ISO week")
    parser.add_argument(
        "--signer",
        action="append",
        default=[],
        metavar="LOGIN=PUBKEY_FILE",
        help="add LOGIN's public key to allowed_signers (repeatable)",
    )
    parser.add_argument("--force", action="store_true", help="delete OUT first")
    args = parser.parse_args(argv)
    signers = {}
    for item in args.signer:
        login, _, key = item.partition("=")
        signers[login] = Path(key).read_text(encoding="utf-8")
    if args.force and args.out.exists():
        shutil.rmtree(args.out)
    started = time.perf_counter()
    ws = generate(args.out, args.features, args.commits, args.weeks, signers)
    took = time.perf_counter() - started
    print(
        f"wrote {ws.features} features, {len(ws.weeks)} weeks, {ws.commits} commits "
        f"to {ws.root} in {took:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
