"""Rendering shared by every dashboard page: the Jinja2 environment (autoescape on), spec
bodies through markdown-it-py with raw HTML off, page file names, atomic page writes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from opsync.dashboard.features_view import FeatureView
from opsync.documents.markdown_doc import strip_comments as strip_html_comments
from opsync.numfmt import num, signed

if TYPE_CHECKING:
    import jinja2

SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,100}")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


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
            out.append(strip_html_comments("\n".join(chunk)))
            chunk, fence = [], match.group(1)
            out.append(line)
            continue
        chunk.append(line)
    out.append(strip_html_comments("\n".join(chunk)))
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
