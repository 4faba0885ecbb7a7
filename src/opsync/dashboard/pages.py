"""Feature pages, one per feature: the bulk of a large build, so spread over the CPUs.

Where the platform can fork and there are several cores, worker processes each render
and write a share of the pages; they inherit the collected dashboard through the fork,
so only index ranges and page names cross process boundaries. A small site, one core or
a platform without fork gets one process.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from opsync.dashboard.model import Dashboard, Progress

PARALLEL_FROM = 400  # features; below this, starting workers costs more than it saves
CHUNK = 250
MAX_WORKERS = 4

_JOB: tuple[Dashboard, Path, dict[str, Any]] | None = None  # set before forking


def _render(d: Dashboard, out: Path, common: dict[str, Any], start: int, stop: int) -> list[str]:
    from markupsafe import Markup

    from opsync.dashboard.render import environment, markdown, page_name, put, strip_comments

    template = environment().get_template("feature.html.j2")
    render = markdown()
    names = []
    for view in d.features[start:stop]:
        body = Markup(render(strip_comments(view.feature.doc.body)))  # raw HTML off
        name = page_name(view)
        put(out / "features" / name, template.render(root="../", v=view, body=body, **common))
        names.append(name)
    return names


def _render_forked(start: int, stop: int) -> list[str]:
    assert _JOB is not None, "workers are forked after the job is set"
    return _render(*_JOB, start, stop)


SITE_PAGES = ("index", "metrics", "features")


def write_site_pages(d: Dashboard, out: Path, common: dict[str, Any]) -> list[str]:
    """The overview, metrics and features pages (features lists every feature's gates)."""
    from opsync.dashboard.render import environment, put

    env = environment()
    for name in SITE_PAGES:
        html = env.get_template(f"{name}.html.j2").render(root="", **common)
        put(out / f"{name}.html", html)
    return []


def _site_forked() -> list[str]:
    assert _JOB is not None, "workers are forked after the job is set"
    return write_site_pages(*_JOB)


def _workers(total: int) -> int:
    if total < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def write_feature_pages(
    d: Dashboard, out: Path, common: dict[str, Any], progress: Progress | None = None
) -> set[str]:
    """Render and write every feature page and the site pages; returns the feature
    page file names."""
    global _JOB
    total = len(d.features)
    ranges = [(start, min(start + CHUNK, total)) for start in range(0, total, CHUNK)]
    names: set[str] = set()
    workers = _workers(total)
    if workers == 1:
        write_site_pages(d, out, common)
        for start, stop in ranges:
            names.update(_render(d, out, common, start, stop))
            if progress:
                progress("writing pages", stop, total)
        return names
    _JOB = (d, out, common)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            # The site pages go first: features.html alone lists every feature.
            futures = [pool.submit(_site_forked)]
            futures += [pool.submit(_render_forked, start, stop) for start, stop in ranges]
            for future in as_completed(futures):
                names.update(future.result())
                if progress:
                    progress("writing pages", len(names), total)
    finally:
        _JOB = None
    return names
