"""Amounts in words, Indian style, with every expected phrase written out by hand."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales.words import amount_in_words, number_in_words

D = Decimal


@pytest.mark.parametrize(("amount", "words"), [
    ("0", "Rupees Zero Only"),
    ("1", "Rupees One Only"),
    ("7.00", "Rupees Seven Only"),
    ("15", "Rupees Fifteen Only"),
    ("20", "Rupees Twenty Only"),
    ("21", "Rupees Twenty-One Only"),
    ("99", "Rupees Ninety-Nine Only"),
    ("100", "Rupees One Hundred Only"),
    ("101", "Rupees One Hundred One Only"),
    ("500", "Rupees Five Hundred Only"),
    ("598", "Rupees Five Hundred Ninety-Eight Only"),
    ("1000", "Rupees One Thousand Only"),
    ("1133", "Rupees One Thousand One Hundred Thirty-Three Only"),
    ("10000", "Rupees Ten Thousand Only"),
    ("99999", "Rupees Ninety-Nine Thousand Nine Hundred Ninety-Nine Only"),
    ("100000", "Rupees One Lakh Only"),
    ("123456.50", "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Fifty Paise Only"),
    ("1000001", "Rupees Ten Lakh One Only"),
    ("9999999.99",
     "Rupees Ninety-Nine Lakh Ninety-Nine Thousand Nine Hundred Ninety-Nine and Ninety-Nine Paise Only"),
    ("10000000", "Rupees One Crore Only"),
    ("20500000", "Rupees Two Crore Five Lakh Only"),
    ("123456789", "Rupees Twelve Crore Thirty-Four Lakh Fifty-Six Thousand Seven Hundred Eighty-Nine Only"),
    ("1000000000", "Rupees One Hundred Crore Only"),
    ("1000000000000", "Rupees One Lakh Crore Only"),
    ("0.50", "Fifty Paise Only"),
    ("0.01", "One Paise Only"),
    ("12.05", "Rupees Twelve and Five Paise Only"),
    # rounded to the paisa half up first
    ("10.005", "Rupees Ten and One Paise Only"),
    ("10.994", "Rupees Ten and Ninety-Nine Paise Only"),
])
def test_amount_in_words(amount, words):
    assert amount_in_words(D(amount)) == words


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        amount_in_words(D("-1"))


_UNITS = {word: n for n, word in enumerate(
    ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
     "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"])}
_UNITS |= {word: 10 * n for n, word in enumerate(
    ["", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]) if word}
_SCALES = {"Hundred": 100, "Thousand": 1000, "Lakh": 100_000, "Crore": 10_000_000}


def parse_number(words: str) -> int:
    """Read Indian number words back (the test's own small parser, independent of the code under test)."""
    total, group = 0, 0
    for word in words.replace("-", " ").split():
        if word in _UNITS:
            group += _UNITS[word]
        elif word == "Hundred":
            group *= 100
        elif word == "Crore":
            total = (total + group) * _SCALES[word]  # whatever came before counts crores
            group = 0
        else:
            total += group * _SCALES[word]
            group = 0
    return total + group


def parse_amount(text: str) -> Decimal:
    match = re.fullmatch(r"(?:Rupees (?P<rupees>[A-Za-z -]+?))?(?: and )?(?:(?P<paise>[A-Za-z-]+(?: [A-Za-z-]+)?) "
                         r"Paise)? ?Only", text)
    assert match, text
    rupees = parse_number(match["rupees"]) if match["rupees"] else 0
    paise = parse_number(match["paise"]) if match["paise"] else 0
    return D(rupees) + D(paise) / 100


amounts = st.decimals(min_value=0, max_value=D("99999999999.99"), places=2, allow_nan=False, allow_infinity=False)


@given(amounts)
def test_words_read_back_to_the_same_amount(amount):
    assert parse_amount(amount_in_words(amount)) == amount


@given(amounts)
def test_paise_are_named_exactly_when_there_are_some(amount):
    words = amount_in_words(amount)
    assert words.endswith(" Only") and len(words) > len(" Only")
    assert ("Paise" in words) == (amount % 1 != 0)
    assert "  " not in words


@given(st.integers(min_value=21, max_value=99).filter(lambda n: n % 10))
def test_twenty_one_to_ninety_nine_are_hyphenated(n):
    assert re.fullmatch(r"[A-Z][a-z]+-[A-Z][a-z]+", number_in_words(n))
