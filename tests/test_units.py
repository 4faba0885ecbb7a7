"""Unit algebra: parse, multiply, divide, and derive a formula's unit from its inputs."""

from __future__ import annotations

import pytest

from opsync.errors import ConfigError
from opsync.metrics.formula import parse
from opsync.metrics.units import DIMENSIONLESS, Unit, UnitError, derived_unit, parse_unit, same_unit

DESIGN_UNITS = {
    "monthly-purchases-per-member": "purchases/member/month",
    "average-order-value": "CNY/purchase",
    "member-value-density": "CNY/member/month",
}


def test_parse_design_units_as_exponent_maps() -> None:
    assert parse_unit("CNY/member/month") == Unit((("CNY", 1), ("member", -1), ("month", -1)))
    assert parse_unit("purchases/member/month") == Unit(
        (("member", -1), ("month", -1), ("purchase", 1))
    )
    assert parse_unit("CNY/purchase") == Unit((("CNY", 1), ("purchase", -1)))


def test_dimensionless_units() -> None:
    assert parse_unit("1") == parse_unit("%") == DIMENSIONLESS
    assert parse_unit("members/members") == DIMENSIONLESS
    assert str(DIMENSIONLESS) == "1"


def test_exponents_products_and_spacing() -> None:
    assert parse_unit("m^2 * kg / s^2") == Unit((("kg", 1), ("m", 2), ("s", -2)))
    assert parse_unit(" CNY / member ") == parse_unit("CNY/member")
    assert parse_unit("1/month") == Unit((("month", -1),))


def test_each_slash_divides_by_the_next_name_only() -> None:
    assert parse_unit("a/b/c") == parse_unit("a/b") / parse_unit("c")
    assert parse_unit("a/b*c") == Unit((("a", 1), ("b", -1), ("c", 1)))


def test_plurals_fold_but_uppercase_codes_do_not() -> None:
    assert same_unit("orders/member", "order/members")
    assert same_unit("categories", "category")
    assert parse_unit("USDS") == Unit((("USDS", 1),))
    assert not same_unit("class", "clas")


def test_multiply_and_divide() -> None:
    rate = parse_unit("purchases/member/month")
    value = parse_unit("CNY/purchase")
    assert rate * value == parse_unit("CNY/member/month")
    assert (rate * value) / value == rate
    assert str(rate * value) == "CNY/member/month"
    assert str(parse_unit("m^2/s")) == "m^2/s"


@pytest.mark.parametrize("bad", ["", "   ", "CNY/", "/month", "CNY member", "a**b", "CNY-x", "€"])
def test_unreadable_units_raise_with_a_hint(bad: str) -> None:
    with pytest.raises(UnitError) as caught:
        parse_unit(bad)
    assert "CNY/member/month" in (caught.value.hint or "")
    assert isinstance(caught.value, ConfigError)


def test_design_north_star_unit_is_derived_from_its_formula() -> None:
    formula = parse("monthly-purchases-per-member * average-order-value")
    derived = derived_unit(formula, DESIGN_UNITS)
    assert derived is not None
    assert same_unit(derived, "CNY/member/month")
    assert same_unit(derived, parse_unit(DESIGN_UNITS["member-value-density"]))


def test_wrong_declared_unit_is_detected() -> None:
    derived = derived_unit(parse("average-order-value * 2"), DESIGN_UNITS)
    assert derived is not None and not same_unit(derived, "CNY/member/month")


def test_adding_different_units_or_a_missing_unit_gives_none() -> None:
    units = {"revenue": "CNY", "cost": "USD", "refunds": "CNY"}
    assert derived_unit(parse("revenue - cost"), units) is None
    assert derived_unit(parse("revenue * unknown"), units) is None
    assert derived_unit(parse("revenue - refunds"), units) == parse_unit("CNY")


def test_numbers_are_dimensionless_factors_and_adopt_units_in_sums() -> None:
    units = {"revenue": "CNY", "members": "member", "rate": "%"}
    assert derived_unit(parse("revenue / members * 100"), units) == parse_unit("CNY/member")
    assert derived_unit(parse("revenue + 100"), units) == parse_unit("CNY")
    assert derived_unit(parse("1 - rate"), units) == DIMENSIONLESS
    assert derived_unit(parse("-(2 * 3)"), units) == DIMENSIONLESS


def test_unreadable_declared_input_unit_raises() -> None:
    with pytest.raises(UnitError):
        derived_unit(parse("a * 2"), {"a": "CNY//x"})
