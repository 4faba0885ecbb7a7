"""Read every spec and build its view (gates, sign-off at HEAD, co-validation tracks),
spread over the CPUs for large workspaces.

Specs are independent, so chunks of them go to forked workers, as `validate` does: each
reads its specs from the working tree, re-verifies their sign-off at HEAD and runs the
gates, and sends back the finished views. Below PARALLEL_FROM specs, on one core or
without fork, everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from opsync.dashboard.features_view import FeatureView, committed_results, feature_views
from opsync.findings import Finding
from opsync.workspace.model import Workspace

PARALLEL_FROM = 400
CHUNK = 500  # each chunk opens the repo once to verify sign-off
MAX_WORKERS = 4

_JOB: tuple[Workspace, Path, date] | None = None  # set before forking


@dataclass(frozen=True)
class Chunk:
    views: list[FeatureView]
    findings: list[Finding]  # problems met while reading these specs
    head: str  # the HEAD the sign-off was verified at, "" when not verified


def _chunk(ws: Workspace, root: Path, today: date, paths: Sequence[str]) -> Chunk:
    loaded = [ws.load_feature(path) for path in paths]
    features = [f.value for f in loaded if f.value is not None]
    committed, head = committed_results(root, today, {f.path: f for f in features}, paths)
    views = feature_views(ws, features, committed, today)
    found = [problem for f in loaded for problem in f.problems]
    for path in paths:
        ws.release(path)  # its problems travel with the chunk, so never counted twice
    return Chunk(views, found, head)


def _forked(paths: Sequence[str]) -> Chunk:
    assert _JOB is not None, "workers are forked after the job is set"
    return _chunk(*_JOB, paths)


def _workers(total: int) -> int:
    if total < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def read_features(
    ws: Workspace,
    root: Path,
    today: date,
    progress: Callable[[str, int, int], None] | None = None,
) -> Chunk:
    """Views of every spec in path order, the reading problems, and the HEAD label."""
    global _JOB
    paths = list(ws.feature_paths())
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    workers = _workers(len(paths))
    results: list[Chunk] = []
    if workers == 1:
        for chunk in chunks:
            results.append(_chunk(ws, root, today, chunk))
            if progress:
                progress("reading features", sum(len(r.views) for r in results), len(paths))
    else:
        _ = ws.registry  # loaded once here, inherited by the workers
        _JOB = (ws, root, today)
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for result in pool.imap(_forked, chunks):
                    results.append(result)
                    if progress:
                        done = sum(len(r.views) for r in results)
                        progress("reading features", done, len(paths))
        finally:
            _JOB = None
    heads = {r.head for r in results if r.head}
    return Chunk(
        [v for r in results for v in r.views],
        [f for r in results for f in r.findings],
        heads.pop() if len(heads) == 1 else "",
    )
