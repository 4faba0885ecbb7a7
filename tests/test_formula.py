"""The formula language: what parses, what is refused (and where), and how values flow."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsync.errors import ConfigError
from opsync.metrics.formula import (
    ALLOWED,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NESTING,
    BinOp,
    FormulaError,
    Neg,
    Num,
    Ref,
    evaluate,
    parse,
    references,
)


def test_design_example_parses_to_a_product_of_two_metrics() -> None:
    formula = parse("monthly-purchases-per-member * average-order-value")
    assert formula.root == BinOp(
        "*", Ref("monthly-purchases-per-member"), Ref("average-order-value")
    )
    assert references(formula) == {"monthly-purchases-per-member", "average-order-value"}


def test_precedence_and_left_associativity() -> None:
    assert parse("a + b * c").root == BinOp("+", Ref("a"), BinOp("*", Ref("b"), Ref("c")))
    assert parse("a - b - c").root == BinOp("-", BinOp("-", Ref("a"), Ref("b")), Ref("c"))
    assert parse("(a + b) / 2.5").root == BinOp("/", BinOp("+", Ref("a"), Ref("b")), Num(2.5))


def test_hyphen_glued_to_a_name_is_part_of_it_and_spaced_minus_subtracts() -> None:
    assert parse("a-b").root == Ref("a-b")
    assert parse("a - b").root == BinOp("-", Ref("a"), Ref("b"))
    assert parse("a -b").root == BinOp("-", Ref("a"), Ref("b"))


def test_unary_minus_leading_and_after_an_operator() -> None:
    assert parse("-a * b").root == BinOp("*", Neg(Ref("a")), Ref("b"))
    assert parse("a * -2").root == BinOp("*", Ref("a"), Neg(Num(2.0)))


def test_ids_may_start_with_a_digit_and_whitespace_may_span_lines() -> None:
    formula = parse("2nd-order-rate *\n  7d-retention")
    assert references(formula) == {"2nd-order-rate", "7d-retention"}
    assert parse("1e5").root == Ref("1e5")  # an id, not scientific notation


def test_ref_remembers_its_column_for_messages() -> None:
    formula = parse("a  * long-name")
    assert isinstance(formula.root, BinOp)
    assert formula.root.right == Ref("long-name")
    assert isinstance(formula.root.right, Ref) and formula.root.right.col == 6


HOSTILE = [
    # (formula, column, words the message must contain)
    ("__import__('os')", 1, "`_` is not allowed"),
    ("a ** b", 3, "`**` (power) is not allowed"),
    ("f(a)", 2, "calling `f(…)` is not allowed"),
    ("a.b", 2, "`.` (attribute access) is not allowed"),
    ("'a'", 1, "a quote is not allowed"),
    ('"a" * b', 1, "a quote is not allowed"),
    ("", 1, "the formula is empty"),
    ("   ", 4, "the formula is empty"),
    ("(a + b", 7, "no `)` closes the `(` at column 1"),
    ("a + b)", 6, "`)` has no `(`"),
    ("a +", 4, "ends after an operator"),
    ("a *", 4, "ends after an operator"),
    ("a b", 3, "expected an operator before `b`"),
    ("2(a)", 2, "expected an operator before `(`"),
    ("()", 1, "empty parentheses"),
    ("a * / b", 5, "`/` where a value should be"),
    ("+a", 1, "unary `+` is not allowed"),
    ("Revenue", 1, "uppercase `R` is not allowed"),
    ("a % b", 3, "`%` is not allowed"),
    ("a ^ b", 3, "`^` is not allowed"),
    ("a, b", 2, "`,` is not allowed"),
    ("[a]", 1, "`[` is not allowed"),
    ("lambda: 1", 7, "`:` is not allowed"),
    ("a_b", 2, "`_` is not allowed"),
    ("a-", 2, "ends with a hyphen"),
    ("10-5", 1, "reads as one name"),
    ("1.", 2, "decimal point needs digits on both sides"),
    (".5", 1, "decimal point needs digits on both sides"),
    ("1.5.2", 4, "runs into `.`"),
    ("1.5e3", 4, "runs into `e`"),
    ("a\x00", 2, "'\\x00'"),
    ("收入 * 2", 1, "`收` is not allowed"),
]


@pytest.mark.parametrize(("text", "column", "words"), HOSTILE)
def test_refuses_anything_outside_the_language(text: str, column: int, words: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text)
    error = caught.value
    assert words in error.message, error.message
    assert error.column == column, (text, error.column, error.message)
    assert error.hint, "every refusal says what to do"


def test_not_allowed_messages_name_the_allowed_set() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("__import__('os').system('x')")
    assert ALLOWED in caught.value.message
    assert isinstance(caught.value, ConfigError)  # exit 2 if it ever reaches the CLI


def test_spacing_hint_for_a_glued_minus() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("10-5")
    assert "`10 - 5`" in (caught.value.hint or "")


def test_length_cap() -> None:
    parse(" + ".join(["a"] * 40))
    with pytest.raises(FormulaError, match="the limit is"):
        parse("a" * (MAX_LENGTH + 1))


def test_nesting_cap_stops_deep_parentheses_and_minus_chains() -> None:
    parse("(" * MAX_NESTING + "a" + ")" * MAX_NESTING)
    with pytest.raises(FormulaError, match="nests more than"):
        parse("(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1))
    with pytest.raises(FormulaError, match="nests more than"):
        parse("-" * 400 + "a")
    with pytest.raises(FormulaError, match="nests more than"):
        parse("(" * 499)  # never closed, but the cap answers first


def test_depth_cap_on_long_operator_chains() -> None:
    parse(" + ".join(["a"] * MAX_DEPTH))
    with pytest.raises(FormulaError, match="chains more than"):
        parse("+".join(["1"] * (MAX_DEPTH + 1)))


def test_evaluate_arithmetic() -> None:
    values = {"a": 2.0, "b": 3.0, "c": 4.0}
    assert evaluate(parse("a + b * c"), values) == 14.0
    assert evaluate(parse("(a + b) * c"), values) == 20.0
    assert evaluate(parse("-a - b / 2"), values) == -3.5
    assert evaluate(parse("monthly * aov"), {"monthly": 1.5, "aov": 265.67}) == pytest.approx(
        398.505
    )


def test_evaluate_gives_gaps_not_zeros() -> None:
    formula = parse("a * b")
    assert evaluate(formula, {"a": 2.0}) is None
    assert evaluate(formula, {"a": 2.0, "b": None}) is None
    assert evaluate(formula, {"a": 2.0, "b": math.nan}) is None
    assert evaluate(parse("a / b"), {"a": 1.0, "b": 0.0}) is None
    assert evaluate(parse("a / (b - b)"), {"a": 1.0, "b": 5.0}) is None
    assert evaluate(parse("a * a"), {"a": 1e200}) is None  # overflow is a gap, not inf
    assert evaluate(parse("0 * a"), {"a": 7.0}) == 0.0


def test_number_too_large() -> None:
    with pytest.raises(FormulaError, match="too large"):
        parse("9" * 400)


@settings(max_examples=400)
@given(st.text(max_size=60))
def test_random_text_never_raises_anything_but_formula_error(text: str) -> None:
    try:
        formula = parse(text)
    except FormulaError as error:
        assert 1 <= error.column <= len(text) + 1
        return
    evaluate(formula, dict.fromkeys(references(formula), 1.0))


@settings(max_examples=300)
@given(st.text(alphabet="ab1.-+*/() \n", max_size=80))
def test_random_formula_like_text_never_raises_anything_but_formula_error(text: str) -> None:
    try:
        formula = parse(text)
    except FormulaError:
        return
    value = evaluate(formula, {"a": 2.0, "b": 0.0, "a-b": 1.0})
    assert value is None or math.isfinite(value)
