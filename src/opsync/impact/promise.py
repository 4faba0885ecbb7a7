"""A feature's promise: `expected: {direction: up|down, change: 5% | number, within: weeks}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Promise:
    direction: str  # up | down
    amount: float  # > 0; percent when `relative`
    relative: bool
    within: int  # weeks after launch

    @property
    def signed(self) -> float:
        """The promised change with its sign: +5 for up 5, -5 for down 5."""
        return self.amount if self.direction == "up" else -self.amount

    def text(self, lang: str = "en") -> str:
        amount = f"{_plain(self.amount)}{'%' if self.relative else ''}"
        if lang == "zh":
            way = "上升" if self.direction == "up" else "下降"
            return f"上线后 {self.within} 周内{way} {amount}"
        return f"{self.direction} {amount} within {self.within} weeks"

    def to_dict(self) -> dict[str, Any]:
        change: str | float = f"{_plain(self.amount)}%" if self.relative else self.amount
        return {"direction": self.direction, "change": change, "within": self.within}


def _plain(value: float) -> str:
    return f"{value:g}"


def parse_promise(raw: Any) -> tuple[Promise | None, str]:
    """(promise, "") or (None, what is wrong). `raw` has usually passed the schema, but
    the gate also reads specs the schema never saw in full (a PR head), so check again."""
    if raw is None:
        return None, "no `expected` effect stated"
    if not isinstance(raw, dict):
        return None, "`expected` must be a mapping {direction, change, within}"
    direction = raw.get("direction")
    if direction not in ("up", "down"):
        return None, f"expected.direction is {direction!r}; write up or down"
    change = raw.get("change")
    relative = isinstance(change, str)
    try:
        amount = float(change.strip().removesuffix("%")) if isinstance(change, str) else None
    except ValueError:
        amount = None
    if isinstance(change, int | float) and not isinstance(change, bool):
        amount = float(change)
    if relative and not str(change).strip().endswith("%"):
        amount = None
    if amount is None or not amount > 0 or amount != amount or amount == float("inf"):
        return None, f"expected.change is {change!r}; write a positive number or a percentage"
    within = raw.get("within")
    if not isinstance(within, int) or isinstance(within, bool) or not 1 <= within <= 104:
        return None, f"expected.within is {within!r}; write the weeks after launch (1 to 104)"
    return Promise(direction, amount, relative, within), ""
