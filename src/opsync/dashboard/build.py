"""Render the dashboard into a folder: index, metrics, features and one page per feature.

Templates are Jinja2 with autoescaping on; the only markup that is not escaped is a
spec body rendered by markdown-it-py with raw HTML disabled (so `<script>` in a spec is
shown as text). Each page also carries a Content-Security-Policy that allows no script
at all. Links are relative and the stylesheet is a file next to the pages, so the site
opens from `file://` and publishes to GitHub Pages as it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsync.dashboard.features_view import FeatureView
from opsync.dashboard.fmt import num, signed
from opsync.dashboard.model import Dashboard, Progress
from opsync.errors import ConfigError

if TYPE_CHECKING:
    import jinja2

MARKER = ".opsync-dashboard"  # marks a folder this command built and may update
SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,100}")
SHORT = {
    "shared-metric": "metric",
    "ops-involvement": "ops",
    "week-alignment": "week",
    "launch-materials": "materials",
    "co-validation": "co-val",
    "expected-effect": "promise",
    "ops-signoff": "sign-off",
}
LIMITS = {"per_status": 25, "tree_features": 8, "metric_features": 20, "recent": 12}
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int


def page_name(item: FeatureView | str) -> str:
    """The page file of a feature: its id when that is a safe file name, else a digest."""
    name = item if isinstance(item, str) else item.feature.file_id
    if SAFE_NAME.fullmatch(name):
        return f"{name}.html"
    return f"f-{hashlib.sha256(name.encode()).hexdigest()[:16]}.html"


def strip_comments(body: str) -> str:
    """Drop HTML comments (section markers, template hints) outside code fences: with raw
    HTML disabled they would otherwise show up as text."""
    out: list[str] = []
    chunk: list[str] = []
    fence = ""
    for line in body.split("\n"):
        match = _FENCE.match(line)
        if fence:
            out.append(line)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
            continue
        if match:
            out.append(_COMMENT.sub("", "\n".join(chunk)))
            chunk, fence = [], match.group(1)
            out.append(line)
            continue
        chunk.append(line)
    out.append(_COMMENT.sub("", "\n".join(chunk)))
    return "\n".join(out)


@cache
def markdown() -> Callable[[str], str]:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return md.render


@cache
def environment() -> jinja2.Environment:
    import jinja2

    from opsync.dashboard.svg import chart
    from opsync.resources import data_dir

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates") / "dashboard")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=num, signed=signed, chart=chart, page=page_name)
    return env


def put(path: Path, text: str) -> None:
    """Replace `path` whole (temp file + rename), so a reader never sees half a page.
    No fsync: a generated page is cheap to rebuild, and 5,000 fsyncs cost half a minute."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


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
