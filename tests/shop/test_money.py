from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.money import (
    MONEY_FIELD,
    QUANTITY_FIELD,
    fit_decimal,
    format_inr,
    group_indian,
    parse_decimal,
    to_paise,
    to_rupee,
)


@pytest.mark.parametrize(("amount", "text"), [
    (Decimal("0"), "₹0.00"),
    (Decimal("5"), "₹5.00"),
    (Decimal("999.5"), "₹999.50"),
    (Decimal("1000"), "₹1,000.00"),
    (Decimal("123456.5"), "₹1,23,456.50"),
    (Decimal("1234567.891"), "₹12,34,567.89"),
    (Decimal("100000000"), "₹10,00,00,000.00"),
    (Decimal("-2500.005"), "-₹2,500.01"),
    (None, ""),
])
def test_format_inr_uses_indian_grouping(amount, text):
    assert format_inr(amount) == text


@pytest.mark.parametrize(("amount", "paise", "rupee"), [
    ("10.005", "10.01", "10"),
    ("10.004", "10.00", "10"),
    ("10.50", "10.50", "11"),
    ("10.49", "10.49", "10"),
    ("-10.5", "-10.50", "-11"),
])
def test_rounding_is_half_up(amount, paise, rupee):
    assert to_paise(Decimal(amount)) == Decimal(paise)
    assert to_rupee(Decimal(amount)) == Decimal(rupee)


@given(st.integers(min_value=0, max_value=10**15))
def test_grouping_keeps_the_digits_and_groups_them_in_twos_after_the_first_three(number):
    grouped = group_indian(str(number))
    assert grouped.replace(",", "") == str(number)
    parts = grouped.split(",")
    assert len(parts[-1]) == min(3, len(str(number)))
    assert all(len(part) == 2 for part in parts[1:-1])
    assert 1 <= len(parts[0]) <= (3 if len(parts) == 1 else 2)


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "-Infinity", "1e400", "1E5", "0x10", "1,2,3", "1_000"])
def test_the_shop_number_parser_refuses_what_is_no_plain_number(text):
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(text)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("-Infinity"), float("nan"), float("inf"), [1], {"a": 1}])
def test_the_shop_number_parser_refuses_values_that_are_no_finite_number(value):
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(value)


@pytest.mark.parametrize(("number", "size", "fits"), [
    ("999999999999.99", MONEY_FIELD, True),
    ("1000000000000", MONEY_FIELD, False),
    ("0.005", MONEY_FIELD, False),
    ("12.50000", MONEY_FIELD, True),
    ("0E+400", MONEY_FIELD, True),
    ("1E+400", MONEY_FIELD, False),
    ("1E-400", MONEY_FIELD, False),
    ("9" * 400, MONEY_FIELD, False),
    ("999999999.999", QUANTITY_FIELD, True),
    ("0.0001", QUANTITY_FIELD, False),
])
def test_fit_decimal_accepts_only_what_the_column_holds(number, size, fits):
    if fits:
        assert fit_decimal(Decimal(number), **size) == Decimal(number)
    else:
        with pytest.raises(ValueError, match="too large|decimals"):
            fit_decimal(Decimal(number), **size)
