"""Markdown documents with YAML front matter: feature specs and week docs.

Front matter is split off by lines (no Markdown parser needed for that), so YAML line
numbers map back to the file with a fixed offset. The body is parsed with markdown-it-py
only when sections or checklists are asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from opsync.documents import safe_yaml
from opsync.documents.safe_yaml import YamlProblem

MARKER = re.compile(r"<!--\s*opsync:([a-z0-9-]+)\s*-->")
TASK = re.compile(r"^\[([ xX])\]\s+")
# A later-scope item: `(later)`, `[later]`, `later:` — with ASCII or full-width brackets
# and colons (`（later）`, `【后续】`, `后续：`), in English or Chinese (后续, 以后, 延后).
LATER = re.compile(
    r"^\s*(?:[(\[（【［]\s*(?:later|后续|以后|延后)\s*[)\]）】］]|(?:later|后续|以后|延后)\s*[:：])",
    re.IGNORECASE,
)

DEFAULT_SECTION_TITLES: dict[str, tuple[str, ...]] = {
    "ops-insight": ("Ops insight", "运营洞察"),
    "functional-validation": ("Functional validation", "功能验证"),
    "launch-plan": ("Launch plan", "上线计划"),
    "outcome": ("Outcome", "结果复盘"),
}


@dataclass(frozen=True)
class Task:
    text: str
    checked: bool
    line: int  # 1-based line in the file
    later: bool = False  # "(later)" items do not count for co-validation


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    line: int  # 1-based line of the heading in the file
    text: str  # the section's body, without its heading
    tasks: tuple[Task, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not strip_comments(self.text).strip()


def strip_comments(text: str) -> str:
    """`text` without HTML comments (`<!-- ... -->`), as the regex `<!--.*?-->` would
    remove them, in linear time: the regex rescans to the end from every unclosed `<!--`
    (32,000 of them: 25 s)."""
    out: list[str] = []
    pos = 0
    while (start := text.find("<!--", pos)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:  # no comment closes after here: none after any later `<!--` either
            break
        out.append(text[pos:start])
        pos = end + 3
    out.append(text[pos:])
    return "".join(out)


@dataclass
class MarkdownDoc:
    """A Markdown file split into front matter (`meta`) and body."""

    meta_text: str
    body: str
    meta_line: int  # 1-based file line of the first front-matter line
    body_line: int  # 1-based file line of the first body line
    meta: Any = None
    titles: dict[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_SECTION_TITLES)

    def locate(self, path: safe_yaml.KeyPath) -> tuple[int, int]:
        line, col = safe_yaml.locate(self.meta_text, path)
        return (line + self.meta_line - 1, col)

    @cached_property
    def sections(self) -> dict[str, Section]:
        return find_sections(self.body, self.body_line, self.titles)


def split_front_matter(text: str) -> tuple[str, str, int, int]:
    """Return (meta_text, body, meta_line, body_line). Raises YamlProblem."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":  # trailing blanks are allowed, as on the closing line
        raise YamlProblem(
            "front-matter-missing",
            "the file does not start with a `---` front-matter block",
            "start the file with `---`, the YAML fields, then `---`",
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            meta = "\n".join(lines[1:index]) + "\n"
            body = "\n".join(lines[index + 1 :])
            return meta, body, 2, index + 2
    raise YamlProblem(
        "front-matter-unclosed",
        "the front matter has no closing `---`",
        "add a line with `---` after the last YAML field",
    )


def parse(raw: bytes, titles: dict[str, tuple[str, ...]] | None = None) -> MarkdownDoc:
    """Decode, split and load the front matter. Raises YamlProblem with file lines."""
    text = safe_yaml.decode(raw)
    meta_text, body, meta_line, body_line = split_front_matter(text)
    try:
        meta = safe_yaml.load(meta_text)
    except YamlProblem as problem:
        line = problem.line + meta_line - 1 if problem.line else meta_line
        raise YamlProblem(problem.rule, problem.message, problem.hint, line, problem.col) from None
    return MarkdownDoc(
        meta_text, body, meta_line, body_line, meta, titles or DEFAULT_SECTION_TITLES
    )


def _title_index(titles: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {t.strip().casefold(): name for name, ts in titles.items() for t in ts}


@cache
def _block_parser() -> Any:
    """CommonMark block structure only, built once per process.

    Sections and task items need headings, lists and HTML blocks; an inline token's
    `content` (a heading's text, a list item's first line) is set by the block stage, so
    the inline stage — most of the parsing cost — is switched off.
    """
    from markdown_it import MarkdownIt  # heavy: imported only when a body is read

    md = MarkdownIt("commonmark")
    md.core.ruler.disable(["inline", "linkify", "replacements", "smartquotes", "text_join"])
    return md


def find_sections(
    body: str, body_line: int, titles: dict[str, tuple[str, ...]]
) -> dict[str, Section]:
    """Sections by `<!-- opsync:NAME -->` marker before a heading, or by heading title."""
    tokens = _block_parser().parse(body)
    by_title = _title_index(titles)
    lines = body.split("\n")
    starts: list[tuple[str, str, int, int, int]] = []  # name, title, level, head_row, body_row
    pending_marker: str | None = None
    for index, token in enumerate(tokens):
        if token.type == "html_block":
            found = MARKER.search(token.content)
            pending_marker = found.group(1) if found else pending_marker
            continue
        if token.type == "heading_open" and token.map:
            title = tokens[index + 1].content.strip()
            level = int(token.tag[1:])
            name = pending_marker or by_title.get(title.casefold(), "")
            starts.append((name, title, level, token.map[0], token.map[1]))
            pending_marker = None
        elif token.level == 0 and token.type.endswith("_open"):
            pending_marker = None
    sections: dict[str, Section] = {}
    for pos, (name, title, level, head_row, body_row) in enumerate(starts):
        if not name or name in sections:
            continue
        end_row = len(lines)
        for _, _, other_level, other_row, _ in starts[pos + 1 :]:
            if other_level <= level:  # sub-headings belong to the section
                end_row = other_row
                break
        text = "\n".join(lines[body_row:end_row])
        tasks = tuple(_tasks(tokens, body_row, end_row, body_line))
        sections[name] = Section(name, title, head_row + body_line, text, tasks)
    return sections


def _tasks(tokens: list[Any], start: int, end: int, body_line: int) -> list[Task]:
    found: list[Task] = []
    for index, token in enumerate(tokens):
        if token.type != "list_item_open" or not token.map:
            continue
        if not (start <= token.map[0] < end):
            continue
        # list_item_open, paragraph_open, inline
        inline = tokens[index + 2] if index + 2 < len(tokens) else None
        if inline is None or inline.type != "inline":
            continue
        match = TASK.match(inline.content)
        if not match:
            continue
        text = inline.content[match.end() :].strip()
        later = LATER.match(text) is not None
        found.append(Task(text, match.group(1) != " ", token.map[0] + body_line, later))
    return found
