from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.money import format_inr, group_indian, to_paise, to_rupee


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
