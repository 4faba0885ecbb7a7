"""The gate's git steps at monorepo scale: blobless + shallow vs a plain full clone.

    python bench/bench_partial_clone.py [--commits 50000] [--files 20000] [--blob-kb 20]
                                        [--features 2000] [--behind 20] [--workdir DIR]

Builds a synthetic repository with `git fast-import` (an opsync workspace of FEATURES
specs beside FILES code files of random, incompressible content; COMMITS commits, each
rewriting one code file, every 500th also editing a feature), a PR branch of one commit
that edits one feature, made BEHIND commits before main's tip, and serves it from
127.0.0.1 with `git daemon` (uploadpack.allowFilter, allowAnySHA1InWant). A byte-counting
TCP proxy in front of the daemon measures what each client receives, lazy fetches
included.

Two clients, one after the other (each run twice, interleaved; the median is reported):

- template: what templates/ci/github/opsync-gate.yml does. actions/checkout's commands
  for `fetch-depth: 1`, `filter: blob:none`, `sparse-checkout: opsync`, then the
  template's own fetch step (extracted from the YAML and run by bash), then
  `opsync check` (blobs arrive on demand).
- full: `git clone` (every commit, every blob, a full checkout), the head fetched, then
  `opsync check`.

Both checks must print the same JSON report; the run fails otherwise. Prints a Markdown
section for bench/RESULTS.md. Target: the template at most 10 % of the full clone's time
and bytes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import machine, script
from gen_workspace import (
    _commit,
    feature_files,
    iso_weeks,
    scaffold_files,
    week_docs,
    week_of,
)

REPO = Path(__file__).resolve().parent.parent
GATE = REPO / "templates" / "ci" / "github" / "opsync-gate.yml"
PR_FEATURE = 42


# --- the synthetic monorepo -------------------------------------------------------------


def build(origin: Path, args: argparse.Namespace) -> tuple[str, str]:
    """A bare repo with main and refs/pull/1/head; returns (base sha, head sha)."""
    git = ["git", "-C", str(origin)]
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    for key, value in (
        ("uploadpack.allowFilter", "true"),
        ("uploadpack.allowAnySHA1InWant", "true"),
        ("gc.auto", "0"),
    ):
        subprocess.run([*git, "config", key, value], check=True)
    weeks = iso_weeks(4)
    rnd = random.Random(7)
    size = args.blob_kb * 1024
    dirs = max(1, args.files // 100)
    proc = subprocess.Popen([*git, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    started = time.perf_counter()
    revision = 0
    for n in range(args.commits):
        files: dict[str, bytes] = {}
        if n == 0:
            files.update(scaffold_files({}))
            files.update(week_docs(weeks, args.features))
            for i in range(1, args.features + 1):
                files.update(feature_files(i, 0, week_of(i, weeks)))
            for f in range(args.files):
                files[f"src/d{f % dirs:04d}/file{f:06d}.bin"] = rnd.randbytes(size)
            message = "Monorepo: code and the opsync workspace"
        else:
            f = rnd.randrange(args.files)
            files[f"src/d{f % dirs:04d}/file{f:06d}.bin"] = rnd.randbytes(size)
            if n % 500 == 0:
                revision += 1
                i = rnd.randint(1, args.features)
                files.update(feature_files(i, revision, week_of(i, weeks)))
            message = f"Change {n}"
        _commit(proc.stdin, n, files, message)
        if n and n % 5000 == 0:
            print(f"  {n} commits, {time.perf_counter() - started:.0f}s", file=sys.stderr)
    # The PR: one commit editing one feature, branched BEHIND commits before the tip.
    fork = args.commits - args.behind
    spec = feature_files(PR_FEATURE, 999, week_of(PR_FEATURE, weeks))
    path = f"opsync/features/f{PR_FEATURE:05d}.md"
    edited = {path: spec[path].replace(b"members want fewer steps", b"members want one step")}
    pr = [
        b"commit refs/pull/1/head\n",
        b"mark :%d\n" % (args.commits + 1),
        b"committer bob <bob@example.com> %d +0000\n" % (1_767_225_600 + fork * 3600 + 60),
        b"data 16\nEdit one feature\n",
        b"from :%d\n" % fork,
        b"M 100644 inline %s\ndata %d\n%s\n\n" % (path.encode(), len(edited[path]), edited[path]),
    ]
    proc.stdin.write(b"".join(pr))
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    base = subprocess.run([*git, "rev-parse", "main"], capture_output=True, text=True, check=True)
    head = subprocess.run(
        [*git, "rev-parse", "refs/pull/1/head"], capture_output=True, text=True, check=True
    )
    return base.stdout.strip(), head.stdout.strip()


# --- serving and counting ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CountingProxy:
    """127.0.0.1:port -> the daemon; counts bytes sent to clients (what they receive)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.received = 0
        self._lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> int:
        with self._lock:
            total, self.received = self.received, 0
        return total

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, count: bool) -> None:
        try:
            while chunk := src.recv(1 << 16):
                dst.sendall(chunk)
                if count:
                    with self._lock:
                        self.received += len(chunk)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.server.close()


# --- the two clients ---------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    seconds: float
    git_seconds: float
    received: int
    report: str
    code: int


def fetch_step() -> dict[str, object]:
    """The gate template's head-fetch step, as GitHub would run it."""
    job = yaml.safe_load(GATE.read_text(encoding="utf-8"))["jobs"]["signoff"]
    step: dict[str, object] = job["steps"][1]
    assert "--deepen=" in str(step["run"]), "the template's fetch step changed"
    return step


def env_for(base: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        BASE_SHA=base,
        NO_COLOR="1",
    )
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")


def check(ws: Path, base: str, head: str, env: dict[str, str]) -> tuple[str, int]:
    done = subprocess.run(
        [script("opsync"), "check", "--base", base, "--head", head, "--format", "json"],
        cwd=ws,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"opsync check failed ({done.returncode}):\n{done.stderr}")
    return done.stdout, done.returncode


def template_client(url: str, base: str, work: Path, proxy: CountingProxy) -> Result:
    ws = work / "template"
    env = env_for(base)
    proxy.reset()
    started = time.perf_counter()
    # actions/checkout with fetch-depth: 1, filter: blob:none, sparse-checkout: opsync
    run(["git", "init", "-q", str(ws)], work, env)
    run(["git", "remote", "add", "origin", url], ws, env)
    fetch = ["git", "-c", "protocol.version=2", "fetch", "--no-tags", "--prune"]
    fetch += ["--no-recurse-submodules", "--filter=blob:none", "--depth=1", "origin"]
    run([*fetch, f"+{base}:refs/remotes/origin/base"], ws, env)
    run(["git", "sparse-checkout", "set", "--cone", "opsync"], ws, env)
    run(["git", "checkout", "-q", "--detach", base], ws, env)
    step = fetch_step()
    step_env = {**env, **{k: str(v) for k, v in dict(step["env"]).items()}}  # type: ignore[call-overload]
    step_env.update(GITHUB_TOKEN="unused-on-loopback", BASE_SHA=base, PR_NUMBER="1")
    step_env.pop("MERGE_GROUP_HEAD_REF", None)
    step_env["MERGE_GROUP_HEAD_REF"] = ""
    run(["bash", "-e", "-c", str(step["run"])], ws, step_env)
    git_done = time.perf_counter()
    report, code = check(ws, base, "refs/opsync/head", env)
    ended = time.perf_counter()
    return Result(ended - started, git_done - started, proxy.reset(), report, code)


def full_client(url: str, base: str, work: Path, proxy: CountingProxy) -> Result:
    ws = work / "full"
    env = env_for(base)
    proxy.reset()
    started = time.perf_counter()
    run(["git", "clone", "-q", url, str(ws)], work, env)
    run(["git", "checkout", "-q", "--detach", base], ws, env)
    run(
        ["git", "fetch", "-q", "--no-tags", "origin", "+refs/pull/1/head:refs/opsync/head"], ws, env
    )
    git_done = time.perf_counter()
    report, code = check(ws, base, "refs/opsync/head", env)
    ended = time.perf_counter()
    return Result(ended - started, git_done - started, proxy.reset(), report, code)


def human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} GiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--blob-kb", type=int, default=20)
    parser.add_argument("--features", type=int, default=2_000)
    parser.add_argument("--behind", type=int, default=20, help="main commits after the fork")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="keep everything here")
    parser.add_argument(
        "--reuse", action="store_true", help="serve the repo already built in --workdir"
    )
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="opsync-partial-"))
    work.mkdir(parents=True, exist_ok=True)
    origin = work / "served" / "mono.git"
    started = time.perf_counter()
    reused = args.reuse and origin.is_dir()
    if reused:
        main_ref = ["git", "-C", str(origin), "rev-parse", "main"]
        base = subprocess.run(main_ref, capture_output=True, text=True, check=True).stdout.strip()
        print(f"reusing {origin}", file=sys.stderr)
    else:
        print(f"building {args.commits} commits in {origin} ...", file=sys.stderr)
        base, _ = build(origin, args)
    built = time.perf_counter() - started
    packs = sum(p.stat().st_size for p in (origin / "objects" / "pack").glob("*.pack"))
    print(f"built in {built:.0f}s, packs {human(packs)}", file=sys.stderr)
    port = free_port()
    serve = ["git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1"]
    serve += [f"--port={port}", f"--base-path={origin.parent}", str(origin.parent)]
    daemon = subprocess.Popen(serve, stderr=subprocess.DEVNULL)
    proxy = CountingProxy(port)
    url = f"git://127.0.0.1:{proxy.port}/mono.git"
    try:
        time.sleep(0.5)
        template: list[Result] = []
        full: list[Result] = []
        for rep in range(args.reps):
            for name, client, sink in (
                ("template", template_client, template),
                ("full", full_client, full),
            ):
                shutil.rmtree(work / name, ignore_errors=True)
                result = client(url, base, work, proxy)
                sink.append(result)
                print(
                    f"  rep {rep + 1} {name}: {result.seconds:.1f}s "
                    f"(git {result.git_seconds:.1f}s), {human(result.received)}",
                    file=sys.stderr,
                )
        reports = {r.report for r in template + full}
        if len(reports) != 1 or {r.code for r in template + full} != {template[0].code}:
            raise SystemExit("the template's check and the full clone's check disagree")
    finally:
        proxy.close()
        daemon.terminate()
        daemon.wait()
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    def med(rs: list[Result], attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in rs)

    t_time, f_time = med(template, "seconds"), med(full, "seconds")
    t_bytes, f_bytes = med(template, "received"), med(full, "received")
    cmd = " ".join(["python bench/bench_partial_clone.py", *(argv or sys.argv[1:])])
    t_git, f_git = med(template, "git_seconds"), med(full, "git_seconds")
    how_built = (
        "reused from an earlier build" if reused else f"built by `git fast-import` in {built:.0f}s"
    )
    template_row = (
        "template: `fetch-depth: 1`, `filter: blob:none`, sparse `opsync`, deepen to the "
        f"merge base, check | {t_time:.1f} s | {t_git:.1f} s | {human(t_bytes)}"
    )
    full_row = f"full clone, head fetch, check | {f_time:.1f} s | {f_git:.1f} s | {human(f_bytes)}"
    ratio = f"**{100 * t_time / f_time:.1f} %** | | **{100 * t_bytes / f_bytes:.2f} %**"
    print(f"""
## Partial clone: the gate's git steps + `opsync check` vs a full clone

`{cmd}` — {machine()}

Synthetic monorepo: {args.commits:,} commits, {args.files:,} code files of {args.blob_kb} KiB
random bytes (each commit rewrites one), {args.features:,} feature specs; packs
{human(packs)}; {how_built}. Served by `git daemon` on
127.0.0.1 (`uploadpack.allowFilter`); bytes counted by a proxy in front of it (what the
client received, lazy blob fetches included). PR: one commit editing one feature,
branched {args.behind} commits before main's tip. Median of {args.reps} interleaved runs;
both checks printed the same JSON report (exit {template[0].code}).

| client | time | of which git | received |
|---|---|---|---|
| {template_row} |
| {full_row} |
| **ratio** (target ≤ 10 %) | {ratio} |
""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
