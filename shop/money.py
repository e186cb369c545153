"""Money and quantity rules shared by every app: Decimal only, rounded half-up at fixed points."""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from math import isfinite

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.db.models.functions import Round
from django.utils.functional import cached_property

PAISA = Decimal("0.01")
RUPEE = Decimal("1")
QUANTITY_STEP = Decimal("0.001")

# Field arguments, so every amount and quantity column is declared the same way.
MONEY_FIELD = {"max_digits": 14, "decimal_places": 2}
QUANTITY_FIELD = {"max_digits": 12, "decimal_places": 3}
RATE_FIELD = {"max_digits": 5, "decimal_places": 2}

_CURRENCY = re.compile(r"^(₹|rs\.?|inr)\s*", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_WESTERN_GROUPS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")  # 1,250,000.50
_INDIAN_GROUPS = re.compile(r"^[+-]?\d{1,2}(,\d{2})*,\d{3}(\.\d*)?$")  # 12,50,000.50
_SHOWN = 40  # characters of a refused value repeated in its message


def shown(value: object) -> str:
    """Return a value as quoted in an error message: at most a few dozen characters of it."""
    text = str(value)
    return f'"{text}"' if len(text) <= _SHOWN else f'"{text[:_SHOWN]}…"'


def parse_decimal(value: object) -> Decimal | None:
    """Read a number as shops write it; return None for an empty cell. The one parser of typed numbers.

    Accepts 1250.5, "1,250.50", Indian grouping "1,25,000", "₹ 99", "Rs. 250/-" and numbers Excel
    stored as text. Refuses anything ambiguous, such as "1,25" (a decimal comma?) or "1,2,3", and
    anything that is not a finite number (NaN, Infinity, 1e400 as text, true), with a ValueError
    whose message a shop owner understands. The size is checked by fit_decimal.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{shown(value)} is not a number.")
    if isinstance(value, Decimal | int):
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError(f"{shown(value)} is not a number.")
        return number
    if isinstance(value, float):
        if not isfinite(value):
            raise ValueError(f"{shown(value)} is not a number.")
        return Decimal(repr(value))  # the shortest text that reads back as this float: 19.99, not 19.98999...
    if not isinstance(value, str):
        raise ValueError(f"{shown(value)} is not a number.")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        return None
    number = _CURRENCY.sub("", text).removesuffix("/-").strip()
    if _PLAIN_NUMBER.match(number):
        return Decimal(number)
    if _WESTERN_GROUPS.match(number) or _INDIAN_GROUPS.match(number):
        return Decimal(number.replace(",", ""))
    if "," in number and re.fullmatch(r"[\d,.+-]+", number):
        raise ValueError(f"{shown(text)} is not a number: commas may only group thousands, "
                         f"like 1,250.50 or 1,25,000.")
    raise ValueError(f"{shown(text)} is not a number.")


def fit_decimal(number: Decimal, *, max_digits: int, decimal_places: int) -> Decimal:
    """Return `number` if a DecimalField(max_digits, decimal_places) holds it; else a ValueError saying why.

    Decimal arithmetic keeps 28 digits, so a number this refuses (1e400, 400 digits) would otherwise
    fail deep inside rounding or the database with a server error instead of a message.
    """
    if not number.is_finite():
        raise ValueError(f"{shown(number)} is not a number.")
    if number.is_zero():
        return Decimal(0)
    whole_digits = max_digits - decimal_places
    if number.adjusted() >= whole_digits:
        raise ValueError(f"{shown(number)} is too large: at most {whole_digits} digits before the decimal point.")
    if number != number.quantize(Decimal(1).scaleb(-decimal_places)):
        raise ValueError(f"{shown(number)} has more than {decimal_places} decimals.")
    return number


def to_paise(amount: Decimal) -> Decimal:
    """Round an amount to the paisa, half up."""
    return Decimal(amount).quantize(PAISA, rounding=ROUND_HALF_UP)


def to_rupee(amount: Decimal) -> Decimal:
    """Round an amount to the whole rupee, half up."""
    return Decimal(amount).quantize(RUPEE, rounding=ROUND_HALF_UP)


def group_indian(digits: str) -> str:
    """Group an unsigned string of digits the Indian way: 1234567 -> 12,34,567."""
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    pairs = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *pairs, tail]) if head else ",".join([*pairs, tail])


def format_inr(amount: Decimal | int | None, *, symbol: bool = True) -> str:
    """Format an amount as ₹1,23,456.50 (negative as -₹1,23,456.50)."""
    if amount is None:
        return ""
    value = to_paise(Decimal(amount))
    sign = "-" if value < 0 else ""
    rupees, paise = f"{abs(value):.2f}".split(".")
    return f"{sign}{'₹' if symbol else ''}{group_indian(rupees)}.{paise}"


def format_quantity(quantity: Decimal | int | None) -> str:
    """Format a quantity without trailing zeros: 2, 0.25, 12.5, -3."""
    if quantity is None:
        return ""
    text = f"{Decimal(quantity):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _exact_paise(value, expression, connection) -> Decimal:
    return to_paise(value) if value is not None else to_paise(Decimal(0))


class MoneySum(ExpressionWrapper):
    """The sum of a money column (or expression), exact on every database: a Decimal to the paisa, 0.00 over no rows.

    SQLite keeps decimals as floats and adds them as floats (a year's CGST summed to 19714.0400000002).
    Here each amount becomes whole paise before the database adds them, which floats add exactly
    (up to 2**53 paise), and the sum comes back rounded to the paisa. PostgreSQL's numeric is exact anyway.
    Use it in `aggregate()` and `annotate()` alike: `customers.annotate(owed=MoneySum("credit_entries__amount"))`.
    """

    def __init__(self, expression, **extra):
        amount = F(expression) if isinstance(expression, str) else expression
        super().__init__(Sum(Round(amount * 100), **extra) / 100,
                         output_field=DecimalField(max_digits=20, decimal_places=2))

    @cached_property
    def convert_value(self):
        return _exact_paise


def money_sum(queryset: QuerySet, field: str) -> Decimal:
    """Return the exact sum of a money field over a queryset, to the paisa (0.00 when it has no rows)."""
    return queryset.aggregate(total=MoneySum(field))["total"]
