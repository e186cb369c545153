"""Amounts in words, the Indian way (lakh and crore), as a tax invoice prints them."""

from decimal import Decimal

from shop.money import to_paise

_ONES = ["", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
         "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"]
_TENS = ["", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]
CRORE = 10_000_000
LAKH = 100_000


def _below_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return f"{_TENS[tens]}-{_ONES[ones]}" if ones else _TENS[tens]


def _below_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [f"{_ONES[hundreds]} Hundred"] if hundreds else []
    return [*words, _below_hundred(rest)] if rest else words


def number_in_words(n: int) -> str:
    """Return a whole number in Indian words: 12500000 -> 'One Crore Twenty-Five Lakh'."""
    if n < 0:
        raise ValueError("number_in_words takes a number of zero or more")
    if n == 0:
        return "Zero"
    crores, rest = divmod(n, CRORE)
    lakhs, rest = divmod(rest, LAKH)
    thousands, rest = divmod(rest, 1000)
    # Above 99 crore the count of crores is itself said in lakh and thousand: "One Lakh Crore".
    words = [f"{number_in_words(crores)} Crore"] if crores else []
    words += [f"{_below_hundred(lakhs)} Lakh"] if lakhs else []
    words += [f"{_below_hundred(thousands)} Thousand"] if thousands else []
    return " ".join(words + _below_thousand(rest))


def amount_in_words(amount: Decimal) -> str:
    """Return an amount as an invoice says it: 'Rupees One Lakh Twenty-Three Thousand ... and Fifty Paise Only'.

    The amount is rounded to the paisa first (half up). Only paise: 'Fifty Paise Only'.
    """
    value = to_paise(Decimal(amount))
    if value < 0:
        raise ValueError("amount_in_words takes an amount of zero or more")
    rupees = int(value)
    paise = int((value - rupees) * 100)
    if paise and not rupees:
        return f"{_below_hundred(paise)} Paise Only"
    words = f"Rupees {number_in_words(rupees)}"
    return f"{words} and {_below_hundred(paise)} Paise Only" if paise else f"{words} Only"
