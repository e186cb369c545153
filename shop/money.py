"""Money and quantity rules shared by every app: Decimal only, rounded half-up at fixed points."""

from decimal import ROUND_HALF_UP, Decimal

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
