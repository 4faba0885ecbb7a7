"""Render the dashboard into a folder: index, metrics, features and one page per feature.

Templates are Jinja2 with autoescaping on; the only markup that is not escaped is a
spec body rendered by markdown-it-py with raw HTML disabled (so `<script>` in a spec is
shown as text). Each page also carries a Content-Security-Policy that allows no script
at all. Links are relative and the stylesheet is a file next to the pages, so the site
opens from `file://` and publishes to GitHub Pages as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opsync.dashboard.model import Dashboard, Progress
from opsync.dashboard.render import environment, put
from opsync.errors import ConfigError
from opsync.results import Gate

MARKER = ".opsync-dashboard"  # marks a folder this command built and may update
SHORT = {
    Gate.SHARED_METRIC: "metric",
    Gate.OPS_INVOLVEMENT: "ops",
    Gate.WEEK_ALIGNMENT: "week",
    Gate.LAUNCH_MATERIALS: "materials",
    Gate.CO_VALIDATION: "co-val",
    Gate.EXPECTED_EFFECT: "promise",
    Gate.OPS_SIGNOFF: "sign-off",
}
LIMITS = {"per_status": 25, "tree_features": 8, "metric_features": 20, "recent": 12}


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int


def _prepare(out: Path) -> None:
    """An empty or missing folder, or one this command built; never someone's files."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} is a file", "pass a folder for the site, e.g. --out site")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise ConfigError(
            f"{out} is not empty and was not built by `opsync dashboard`",
            "pass a new or empty folder, e.g. --out site",
        )
    try:
        (out / "features").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create {out}: {exc.strerror or exc}", "check the path") from None


def build(d: Dashboard, out: Path, progress: Progress | None = None) -> BuildResult:
    from opsync import __version__
    from opsync.dashboard.pages import write_feature_pages
    from opsync.resources import data_dir

    _prepare(out)
    environment()  # compiled once here, inherited by the page workers
    from opsync.dashboard.labels import labels

    common: dict[str, Any] = {
        "d": d, "short": SHORT, "version": __version__, "lang": d.lang, "t": labels(d.lang),
    }  # fmt: skip
    common.update(LIMITS)
    put(out / MARKER, "opsync dashboard output: rebuilt by `opsync dashboard`\n")
    put(out / ".nojekyll", "")  # GitHub Pages: serve the files as they are
    css = (data_dir("templates") / "dashboard" / "style.css").read_text(encoding="utf-8")
    put(out / "style.css", css)
    written = write_feature_pages(d, out, common, progress)
    for stale in (out / "features").glob("*.html"):
        if stale.name not in written:
            stale.unlink()
    return BuildResult(out, 3 + len(written))
