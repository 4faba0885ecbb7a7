"""The digest as text in one platform's flavour of Markdown, cut to its size limit.

Repo text (titles, actions, messages) is escaped so a feature title cannot add links,
mentions or formatting to a message the whole team reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


@dataclass(frozen=True)
class Style:
    """How one platform writes bold, links and list items."""

    name: str

    def esc(self, text: str) -> str:
        flat = " ".join(str(text).split())
        if self.name == "slack":  # Slack's mrkdwn: only &, < and > need escaping
            return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return _MARKDOWN_SPECIAL.sub(r"\\\1", flat).replace("@", "@\u2060")

    def bold(self, text: str) -> str:
        return f"*{text}*" if self.name == "slack" else f"**{text}**"

    def link(self, text: str, url: str) -> str:
        if self.name == "slack":
            return f"<{url}|{text}>"
        return f"[{text}]({url})"

    def item(self, text: str, depth: int = 0) -> str:
        bullet = "•" if self.name == "slack" else "-"
        return "  " * depth + f"{bullet} {text}"


MARKDOWN = Style("markdown")
SLACK = Style("slack")


def fit(text: str, limit: int, note: str) -> str:
    """`text` in at most `limit` UTF-8 bytes: whole lines kept, then `note` on its own line.

    Bytes, not characters: the platforms count bytes, and Chinese is three per character.
    """
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len(note.encode("utf-8")) - 1
    kept: list[str] = []
    used = 0
    for line in text.split("\n"):
        size = len(line.encode("utf-8")) + 1
        if used + size > budget:
            if not kept:  # one huge line: cut it on a character boundary
                raw = line.encode("utf-8")[: max(0, budget - 1)]
                kept.append(raw.decode("utf-8", "ignore"))
            break
        kept.append(line)
        used += size
    return "\n".join(kept) + "\n" + note
