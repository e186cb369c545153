"""Money and quantity rules shared by every app: Decimal only, rounded half-up at fixed points."""

from decimal import ROUND_HALF_UP, Decimal

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
