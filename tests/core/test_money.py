from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zizhu.core.money import Money, MoneyError, sum_money

pytestmark = pytest.mark.smoke

amounts = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=2, allow_nan=False)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=4, allow_nan=False)


def test_rounds_half_up_to_the_fen():
    assert Money.of("0.005").amount == Decimal("0.01")
    assert Money.of("0.004").amount == Decimal("0.00")
    assert Money.of("-0.005").amount == Decimal("-0.01")
    assert Money.of("2.675").amount == Decimal("2.68")  # a float would give 2.67


def test_refuses_floats_nan_and_mixed_currencies():
    with pytest.raises(MoneyError):
        Money.of(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money.of("NaN")
    with pytest.raises(MoneyError):
        Money.of("1.00", "CNY") + Money.of("1.00", "USD")
    with pytest.raises(MoneyError):
        Money.of("1.00") * 1.5  # type: ignore[operator]
    with pytest.raises(MoneyError):
        Money.of("1.00", "RMB1")


def test_api_shape_and_display():
    assert Money.of("1999").as_dict() == {"amount": "1999.00", "currency": "CNY"}
    assert str(Money.of("1234.5")) == "¥1,234.50"
    assert str(Money.of("-3")) == "-¥3.00"


def test_clamp_at_zero_keeps_totals_non_negative():
    assert Money.of("30") - Money.of("50") == Money.of("-20")
    assert (Money.of("30") - Money.of("50")).clamp_at_zero() == Money.zero()


@given(amounts, amounts, amounts)
def test_addition_is_exact_associative_and_commutative(a, b, c):
    x, y, z = Money.of(a), Money.of(b), Money.of(c)
    assert (x + y) + z == x + (y + z)
    assert x + y == y + x
    assert (x + y).amount == a + b


@given(amounts, st.integers(min_value=0, max_value=10_000))
def test_multiplying_by_a_quantity_equals_repeated_addition(a, quantity):
    unit = Money.of(a)
    assert unit * quantity == Money.of(unit.amount * quantity)


@given(amounts.filter(lambda d: d >= 0), st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12))
def test_allocate_preserves_the_total_to_the_fen(a, weights):
    if sum(weights) == 0:
        weights[0] = 1
    total = Money.of(a)
    parts = total.allocate(weights)
    assert sum_money(parts) == total
    assert all(not p.is_negative() for p in parts)
    # each part is within one fen of its exact share
    for part, weight in zip(parts, weights, strict=True):
        exact = total.amount * weight / sum(weights)
        assert abs(part.amount - exact) < Decimal("0.01")


@given(amounts, rates)
def test_percent_is_rounded_half_up(a, rate):
    result = Money.of(a).percent(rate)
    assert result.amount == result.amount.quantize(Decimal("0.01"))
    assert abs(result.amount - a * rate / 100) <= Decimal("0.005")
