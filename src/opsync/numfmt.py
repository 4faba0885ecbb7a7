"""Numbers as people read them on the dashboard, in week docs and in summaries."""

from __future__ import annotations


def num(value: float | None) -> str:
    """`417.07`, `1,250`, `0.0123`; an em dash for a gap (never a zero)."""
    if value is None:
        return "—"
    if value != 0 and abs(value) < 1:
        return f"{value:.3g}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def signed(value: float | None) -> str:
    """`+1.5`, `-2`, `0`; '' for a gap."""
    if value is None:
        return ""
    return ("+" if value > 0 else "") + num(value)
