"""The metric formula language: numbers, metric ids, `+ - * /` and parentheses. Nothing else.

Formulas come from pull requests, so they are parsed by hand into a tiny AST and
evaluated by walking it — never `eval`, never Python's `ast`.

Grammar::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := "-" unary | primary
    primary := NUMBER | ID | "(" expr ")"
    NUMBER  := [0-9]+ ("." [0-9]+)?
    ID      := [a-z0-9][a-z0-9-]*      (not all digits)

Metric ids contain hyphens, so a hyphen glued to a name is part of it: `a-b` is the one
metric `a-b`, while `a - b` is subtraction. Put spaces around a binary minus whenever a
name or number stands before it (`a -b` also works). A leading unary minus is fine: `-a * b`.

Limits keep hostile input cheap: at most `MAX_LENGTH` characters, `MAX_NESTING` levels of
parentheses or unary minus, and an AST at most `MAX_DEPTH` deep (chained operations).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from opsync.errors import ConfigError

MAX_LENGTH = 1000
MAX_NESTING = 50
MAX_DEPTH = 100
ALLOWED = "numbers, metric ids (lowercase letters, digits, hyphens), + - * / and parentheses"

_WORD = re.compile(r"[a-z0-9][a-z0-9-]*")
_DECIMAL_TAIL = re.compile(r"\.[0-9]+")
_DIGIT_GROUPS = re.compile(r"[0-9]+(?:-[0-9]+)+")
_SPACE = " \t\r\n"


class FormulaError(ConfigError):
    """A formula outside the language. `column` is 1-based within the formula text."""

    def __init__(self, message: str, column: int, hint: str = "") -> None:
        super().__init__(message, hint or f"use only {ALLOWED}")
        self.column = column


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    name: str
    col: int = field(default=0, compare=False)  # where the name starts, for messages


@dataclass(frozen=True)
class BinOp:
    op: str  # one of + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg:
    operand: Node


Node = Num | Ref | BinOp | Neg


@dataclass(frozen=True)
class Formula:
    text: str
    root: Node

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "id", "op" (+ - * /), "(", ")", "end"
    text: str
    col: int


def _not_allowed(what: str, col: int, hint: str = "") -> FormulaError:
    return FormulaError(f"{what} is not allowed; a formula uses only {ALLOWED}", col, hint)


def _word_token(text: str, start: int) -> tuple[_Token, int]:
    """A number or a metric id starting at `start`; returns it and the index after it."""
    word = _WORD.match(text, start)
    assert word is not None  # the caller saw [a-z0-9]
    end, value = word.end(), word.group()
    if value.isdigit():
        if text.startswith(".", end):
            tail = _DECIMAL_TAIL.match(text, end)
            if tail is None:
                raise FormulaError(
                    "a decimal point needs digits on both sides", end + 1, f"write {value}.0"
                )
            end = tail.end()
        number = text[start:end]
        if end < len(text) and (text[end].isalnum() or text[end] in "._"):
            raise FormulaError(
                f"`{number}` runs into `{text[end]}`", end + 1, "separate values with an operator"
            )
        if not math.isfinite(float(number)):
            raise FormulaError(f"number `{number[:20]}…` is too large", start + 1)
        return _Token("num", number, start + 1), end
    if value.endswith("-"):
        raise FormulaError(
            f"`{value}` ends with a hyphen, so the minus is read as part of the name",
            end,
            f"put spaces around a binary minus: `{value[:-1]} - …`",
        )
    if _DIGIT_GROUPS.fullmatch(value):
        raise FormulaError(
            f"`{value}` reads as one name, not a subtraction",
            start + 1,
            "put spaces around a binary minus: `" + " - ".join(value.split("-")) + "`",
        )
    if text.startswith(".", end):
        raise _not_allowed("`.` (attribute access)", end + 1, f"use the metric id `{value}` alone")
    return _Token("id", value, start + 1), end


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch, col = text[i], i + 1
        if ch in _SPACE:
            i += 1
        elif ch in "+-*/()":
            if text.startswith("**", i):
                raise _not_allowed("`**` (power)", col, "multiply out the power: `a * a`")
            tokens.append(_Token(ch if ch in "()" else "op", ch, col))
            i += 1
        elif "a" <= ch <= "z" or "0" <= ch <= "9":
            token, i = _word_token(text, i)
            tokens.append(token)
        elif ch == "." and text[i + 1 : i + 2].isdigit():
            raise FormulaError("a decimal point needs digits on both sides", col, "write 0.5")
        elif ch in "'\"`":
            raise _not_allowed("a quote", col, "formulas hold no strings; name metrics bare")
        elif "A" <= ch <= "Z":
            raise _not_allowed(f"uppercase `{ch}`", col, "metric ids are lowercase")
        elif ch == ".":
            raise _not_allowed("`.` (attribute access)", col)
        else:
            shown = ch if ch.isprintable() else repr(ch)
            raise _not_allowed(f"`{shown}`", col)
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    """Recursive descent; recursion is bounded by MAX_NESTING, chains are built in loops."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.nesting = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def enter(self, col: int) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise FormulaError(
                f"formula nests more than {MAX_NESTING} levels deep", col, "simplify it"
            )

    def expr(self) -> Node:
        node = self.term()
        while self.peek().text in ("+", "-"):
            op = self.take().text
            node = BinOp(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek().text in ("*", "/"):
            op = self.take().text
            node = BinOp(op, node, self.unary())
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token.text == "-":
            self.take()
            self.enter(token.col)
            operand = self.unary()
            self.nesting -= 1
            return Neg(operand)
        if token.text == "+":
            raise FormulaError("a unary `+` is not allowed", token.col, "drop the `+`")
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "num":
            return Num(float(token.text))
        if token.kind == "id":
            if self.peek().kind == "(":
                raise _not_allowed(
                    f"calling `{token.text}(…)`", self.peek().col, "functions do not exist here"
                )
            return Ref(token.text, token.col)
        if token.kind == "(":
            self.enter(token.col)
            if self.peek().kind == ")":
                raise FormulaError("empty parentheses `()`", token.col, "put a value inside")
            node = self.expr()
            if self.peek().kind != ")":
                raise self.unexpected(f"no `)` closes the `(` at column {token.col}")
            self.take()
            self.nesting -= 1
            return node
        if token.kind == "end":
            if self.pos == 1:
                raise FormulaError("the formula is empty", token.col, "write e.g. `a * b`")
            raise FormulaError("the formula ends after an operator", token.col, "add a value")
        if token.kind == ")":
            raise FormulaError("`)` where a value should be", token.col, "add a value or drop it")
        raise FormulaError(
            f"`{token.text}` where a value should be", token.col, "put a value between operators"
        )

    def unexpected(self, context: str) -> FormulaError:
        token = self.peek()
        if token.kind == "end":
            return FormulaError(f"unbalanced parentheses: {context}", token.col, "add the `)`")
        if token.kind == ")":
            return FormulaError(
                "unbalanced parentheses: `)` has no `(`", token.col, "drop it or add the `(`"
            )
        return FormulaError(
            f"expected an operator before `{token.text}`", token.col, "join values with + - * /"
        )


def _depth(root: Node) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, BinOp):
            stack += [(node.left, depth + 1), (node.right, depth + 1)]
        elif isinstance(node, Neg):
            stack.append((node.operand, depth + 1))
    return deepest


def parse(text: str) -> Formula:
    """Parse a formula or raise FormulaError(message, column, hint)."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"the formula is {len(text)} characters long; the limit is {MAX_LENGTH}",
            MAX_LENGTH + 1,
            "split it into intermediate composite metrics",
        )
    parser = _Parser(_tokenize(text))
    root = parser.expr()
    if parser.peek().kind != "end":
        raise parser.unexpected("after a complete value")
    if _depth(root) > MAX_DEPTH:
        raise FormulaError(
            f"the formula chains more than {MAX_DEPTH} operations",
            1,
            "split it into intermediate composite metrics",
        )
    return Formula(text, root)


def references(formula: Formula) -> frozenset[str]:
    """Every metric id the formula names."""
    names: set[str] = set()
    stack: list[Node] = [formula.root]
    while stack:
        node = stack.pop()
        if isinstance(node, Ref):
            names.add(node.name)
        elif isinstance(node, BinOp):
            stack += [node.left, node.right]
        elif isinstance(node, Neg):
            stack.append(node.operand)
    return frozenset(names)


def evaluate(formula: Formula, values: Mapping[str, float | None]) -> float | None:
    """The formula's value, or None (a gap) when an input is missing, None or not finite,
    on division by zero, or when the result overflows. Gaps are never turned into zeros."""
    return _eval(formula.root, values)


def _eval(node: Node, values: Mapping[str, float | None]) -> float | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        value = values.get(node.name)
        return value if value is not None and math.isfinite(value) else None
    if isinstance(node, Neg):
        operand = _eval(node.operand, values)
        return None if operand is None else -operand
    left, right = _eval(node.left, values), _eval(node.right, values)
    if left is None or right is None:
        return None
    if node.op == "+":
        result = left + right
    elif node.op == "-":
        result = left - right
    elif node.op == "*":
        result = left * right
    elif right == 0:
        return None
    else:
        result = left / right
    return result if math.isfinite(result) else None
