"""`opsync check` on a one-feature PR: a big repo against a small one, and a hand-rolled
CI script on the same PRs.

    python bench/bench_check.py [--big 20000 5000] [--small 50 50] [--reps 5] [--workdir DIR]

Each repo (bench/gen_workspace.py, FEATURES and COMMITS) gets carol's fresh ed25519 key
in allowed_signers on main. Branch `pr` then edits one feature's spec and its launch
material, and carol approves it with `opsync approve --key` (a real SSH signature),
committed as a second commit. Timed, interleaved `--reps` times:

  opsync check --base main --head pr
  bash bench/handrolled_check.sh main pr   (git diff --name-only, grep, ssh-keygen -Y verify)

Both must pass (exit 0) on both repos. Target: opsync on the big repo <= 1.3x its time on
the small one (check is O(what the PR touches)). Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _util import BENCH, Run, fmt_s, machine, median, run, script, verdict
from gen_workspace import STATUSES, generate

TARGET = 1.3


def make_key(work: Path) -> Path:
    key = work / "carol_ed25519"
    if not key.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "carol", "-f", str(key)],
            check=True,
        )
    return key


def pick_feature(features: int) -> int:
    """A user-facing feature in `design` near the middle (gates: metric, ops, week, signoff)."""
    index = max(features // 2, 1)
    while STATUSES[index % len(STATUSES)] != "design":
        index += 1
    return index


def make_pr(repo: Path, index: int, key: Path) -> str:
    """Branch `pr`: edit the spec and the material, then carol's signed approval."""
    fid = f"f{index:05d}"
    spec = repo / f"opsync/features/{fid}.md"
    material = repo / f"launch/{fid}/copy.md"

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("checkout", "-q", "-b", "pr", "main")
    spec.write_text(
        spec.read_text().replace("Revision", "In the PR: checkout drop-off is 12%. Revision", 1)
    )
    with material.open("a") as out:
        out.write("\n**Variant B:** Your savings, one tap away.\n")
    git("commit", "-q", "-m", f"{fid}: sharper insight and copy", "--", str(spec), str(material))
    approved = run([script("opsync"), "approve", fid, "--key", str(key), "--as", "carol"], repo)
    record = approved.stdout.strip().splitlines()[-1]
    git("add", record)
    git("commit", "-q", "-m", f"Approve {fid}", "--", record)
    git("checkout", "-q", "main")
    return fid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", type=int, nargs=2, default=[20000, 5000])
    parser.add_argument("--small", type=int, nargs=2, default=[50, 50])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--workdir", type=Path, help="keep generated repos here")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="opsync-bench-check-"))
    work.mkdir(parents=True, exist_ok=True)
    key = make_key(work)
    signers = {"carol": key.with_suffix(".pub").read_text()}
    repos = {}
    for label, (features, commits) in (("big", args.big), ("small", args.small)):
        repo = work / f"{label}-{features}f-{commits}c"
        shutil.rmtree(repo, ignore_errors=True)
        generate(repo, features, commits, signers=signers)
        fid = make_pr(repo, pick_feature(features), key)
        repos[label] = (repo, features, commits, fid)
        print(f"{label}: {features} features, {commits} commits, PR touches {fid}", file=sys.stderr)
    opsync = [script("opsync"), "check", "--base", "main", "--head", "pr"]
    handrolled = ["bash", str(BENCH / "handrolled_check.sh"), "main", "pr"]
    ours: dict[str, list[Run]] = {label: [] for label in repos}
    theirs: dict[str, list[float]] = {label: [] for label in repos}
    for repo, *_ in repos.values():  # warm up, and both must pass
        run(opsync, repo)
        run(handrolled, repo)
    for _ in range(args.reps):
        for label, (repo, *_) in repos.items():
            ours[label].append(run(opsync, repo))
            theirs[label].append(run(handrolled, repo).seconds)
    o = {label: median([r.seconds for r in runs]) for label, runs in ours.items()}
    t = {label: median(values) for label, values in theirs.items()}
    print("## Check\n")
    big, small = args.big, args.small
    print(
        f"Command: `python bench/bench_check.py --big {big[0]} {big[1]} "
        f"--small {small[0]} {small[1]} --reps {args.reps}`  "
    )
    print(f"Machine: {machine()}\n")
    print(
        "A PR (branch `pr` off `main`) edits one `design` feature's spec and its launch "
        "material, plus carol's SSH-signed approval record from `opsync approve` (her key "
        "is in the base allowed_signers). opsync: `opsync check --base main --head pr` "
        "(exit 0). Peer: `bash bench/handrolled_check.sh main pr`, a hand-rolled CI script "
        "(`git diff --name-only base...head`, grep the touched specs, roster from the base "
        "opsync.yml, digest of spec+materials, `ssh-keygen -Y verify` of the record; no "
        f"schema, Markdown or reference checks). Median of {args.reps} interleaved runs.\n"
    )
    print("| repo | features | commits | opsync check | peak RSS | hand-rolled script |")
    print("|---|---|---|---|---|---|")
    for label, (_, features, commits, _) in repos.items():
        rss = max(r.max_rss_kb for r in ours[label]) / 1024
        print(
            f"| {label} | {features} | {commits} | {fmt_s(o[label])} | {rss:.0f} MB "
            f"| {fmt_s(t[label])} |"
        )
    ratio = o["big"] / o["small"]
    print(
        f"\nopsync big / small = {ratio:.2f}x (target <= {TARGET}x): {verdict(ratio <= TARGET)}. "
        f"Hand-rolled big / small = {t['big'] / t['small']:.2f}x. "
        f"opsync / hand-rolled on the big repo = {o['big'] / t['big']:.2f}x."
    )
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
