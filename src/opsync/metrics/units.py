"""Optional unit algebra: does a formula's derived unit match the unit declared for it?

A unit is a product of named units with integer exponents: `CNY/member/month` is
CNY¹·member⁻¹·month⁻¹, so `purchases/member/month * CNY/purchase` = `CNY/member/month`.
Syntax: names joined by `*` or `/` (each `/` divides by the next name only), an optional
`^n` exponent, `1` for a pure number. `%` is dimensionless too: this checks dimensions,
not scale. Lowercase plurals are folded to singular (`purchases` = `purchase`,
`categories` = `category`) so units read naturally; uppercase codes such as CNY are kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from opsync.errors import ConfigError
from opsync.metrics.formula import Formula, Neg, Node, Num, Ref

_TERM = re.compile(r"\s*(?:([*/·])\s*)?([A-Za-z][A-Za-z0-9_]*|%|1)(?:\^(-?[0-9]+))?\s*")


class UnitError(ConfigError):
    """A unit string outside the syntax above."""


@dataclass(frozen=True)
class Unit:
    """Named units and their non-zero exponents, sorted by name; () is dimensionless."""

    exponents: tuple[tuple[str, int], ...] = ()

    @staticmethod
    def of(powers: Mapping[str, int]) -> Unit:
        return Unit(tuple(sorted((name, p) for name, p in powers.items() if p != 0)))

    def __mul__(self, other: Unit) -> Unit:
        powers = dict(self.exponents)
        for name, power in other.exponents:
            powers[name] = powers.get(name, 0) + power
        return Unit.of(powers)

    def __truediv__(self, other: Unit) -> Unit:
        return self * Unit(tuple((name, -power) for name, power in other.exponents))

    def __str__(self) -> str:
        def show(name: str, power: int) -> str:
            return name if power == 1 else f"{name}^{power}"

        top = [show(n, p) for n, p in self.exponents if p > 0]
        bottom = [show(n, -p) for n, p in self.exponents if p < 0]
        return "/".join(["*".join(top) or "1", *bottom])


DIMENSIONLESS = Unit()


def _singular(name: str) -> str:
    if not name.islower() or len(name) <= 3:
        return name
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def parse_unit(text: str) -> Unit:
    """`CNY/member/month` -> Unit; raises UnitError naming the accepted syntax."""
    powers: dict[str, int] = {}
    pos = 0
    while pos < len(text) or not text.strip():
        match = _TERM.match(text, pos)
        if match is None or (pos > 0) != bool(match[1]):  # an operator between names only
            shown = text[pos:].strip() or "(nothing)"
            raise UnitError(
                f"unit '{text}': cannot read '{shown}'",
                "write names joined by * or /, e.g. CNY/member/month, or 1 for a pure number",
            )
        operator, name, exponent = match[1], match[2], int(match[3] or 1)
        if name not in ("%", "1"):
            name = _singular(name)
            sign = -1 if operator == "/" else 1
            powers[name] = powers.get(name, 0) + sign * exponent
        pos = match.end()
    return Unit.of(powers)


def same_unit(a: Unit | str, b: Unit | str) -> bool:
    """Equal dimensions; strings are parsed first (UnitError when one is not a unit)."""
    left = parse_unit(a) if isinstance(a, str) else a
    right = parse_unit(b) if isinstance(b, str) else b
    return left == right


class _Literal:
    """A bare number: takes the unit of what it is added to (`revenue + 100`)."""


_LITERAL = _Literal()


def derived_unit(formula: Formula, units: Mapping[str, str]) -> Unit | None:
    """The unit the formula computes, from the declared units of its inputs. None when an
    input has no declared unit or `+`/`-` mixes different units. Raises UnitError when a
    declared unit cannot be read."""
    result = _derive(formula.root, units)
    return DIMENSIONLESS if isinstance(result, _Literal) else result


def _derive(node: Node, units: Mapping[str, str]) -> Unit | _Literal | None:
    if isinstance(node, Num):
        return _LITERAL
    if isinstance(node, Ref):
        declared = units.get(node.name)
        return None if declared is None else parse_unit(declared)
    if isinstance(node, Neg):
        return _derive(node.operand, units)
    left, right = _derive(node.left, units), _derive(node.right, units)
    if left is None or right is None:
        return None
    if isinstance(left, _Literal) and isinstance(right, _Literal):
        return _LITERAL
    if node.op in "+-":
        if isinstance(left, _Literal) or isinstance(right, _Literal):
            return right if isinstance(left, _Literal) else left
        return left if left == right else None
    left = DIMENSIONLESS if isinstance(left, _Literal) else left
    right = DIMENSIONLESS if isinstance(right, _Literal) else right
    return left * right if node.op == "*" else left / right
