"""Text from the repo or an API made safe to print on a terminal or in a CI log.

Every output that can carry untrusted text (reports, error messages, git's own errors)
goes through here, so none of it can forge a workflow command or hide what it says.
"""

from __future__ import annotations


def one_line(text: str) -> str:
    """Repo text made safe for a terminal or a CI log: one line, no control characters.

    A raw newline could start a GitHub workflow command (`::warning ...`) in an Actions
    log; an escape sequence could rewrite the terminal; a bidi override could make the
    text read other than it is. All are shown escaped, not obeyed; a line that would begin
    with `::` (a workflow command, leading blanks aside) gets its first colon escaped.
    """
    return neutral_line(flat(text))


def flat(text: str) -> str:
    """One line, control characters escaped (a leading `::` is left to neutral_line)."""
    flat = " ".join(text.splitlines())
    return "".join(_escape(ch) if _is_control(ch) else ch for ch in flat)


def neutral_line(line: str) -> str:
    """`line`, unable to start a workflow command: the runner trims blanks, then looks
    for `::` at the start."""
    stripped = line.lstrip()
    if stripped.startswith("::"):
        return line[: len(line) - len(stripped)] + "\\x3a" + stripped[1:]
    return line


# Bidirectional overrides, embeddings, isolates and marks (Trojan Source, CVE-2021-42574).
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return (
        (code < 0x20 and ch != "\t")
        or 0x7F <= code <= 0x9F
        or ch in BIDI
        or (
            0x2028 <= code <= 0x2029  # line/paragraph separators: a new line to some readers
        )
    )
