"""Held bills: a cashier parks the bill on the counter, serves the next customer, and resumes it later.

A held bill is only a note of what was on the screen (product ids, quantities, discounts, the customer, the
bill discount, the coupon applied and the payments typed so far). Holding reserves nothing: no stock moves,
no invoice number is taken and no coupon use is spent, and prices (and the coupon) are asked again when the
bill is resumed, since they may have changed meanwhile.
Each cashier sees and resumes only their own held bills. They last until the end of the shop's day.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import Product
from ledger.models import Customer
from sales.discount_models import normalise_code
from sales.models import HeldBill
from shop.models import User
from shop.money import format_quantity

MAX_HELD_BILLS = 20  # per cashier and day: a counter rarely parks more than two or three
LABEL_LENGTH = HeldBill._meta.get_field("label").max_length
ZERO = Decimal("0")


def shop_day_start(now: datetime | None = None) -> datetime:
    """Return the local midnight that began the shop's day of `now` (by default, now)."""
    day = timezone.localdate(now or timezone.now())
    return timezone.make_aware(datetime.combine(day, time.min))


def shop_day_end(day: date) -> datetime:
    """Return the local midnight that ends the shop's day `day` (the start of the next day)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def held_bills_expire(*, before: datetime) -> int:
    """Delete the held bills of every cashier held before `before`; return how many.

    The counter calls it with the start of today, so bills of a past day go when the next one is held;
    the day book's closing (ledger.day_book.day_close) calls it with the end of the day it closes, as
    nothing more can be sold on a closed day.
    """
    deleted, _ = HeldBill.objects.filter(created_at__lt=before).delete()
    return deleted


def held_bills_of(*, cashier: User) -> QuerySet[HeldBill]:
    """Return the cashier's own held bills of today, oldest first (a bill of a past day has expired)."""
    return HeldBill.objects.filter(cashier=cashier, created_at__gte=shop_day_start())


def _text(number: Decimal) -> str:
    return format_quantity(number)


def _checked_cart(*, lines: list[dict], customer_id: int | None, bill_discount: Decimal, payments: list[dict],
                  coupon_code: str = "") -> tuple[dict, list[Product], Customer | None]:
    """Return the cart to store, its products in line order and the customer; refuse what could never be sold."""
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["lines"] = ["Nothing to hold: the bill is empty."]
    products = Product.objects.filter(is_active=True).in_bulk({line["product_id"] for line in lines})
    for index, line in enumerate(lines):
        if line["product_id"] not in products:
            errors[f"lines[{index}].product_id"] = ["This product is not on sale; remove the line."]
        if line["quantity"] <= 0:
            errors[f"lines[{index}].quantity"] = ["The quantity must be more than zero."]
        if line["discount"] < 0:
            errors[f"lines[{index}].discount"] = ["A discount cannot be negative."]
    customer = None
    if customer_id:
        customer = Customer.objects.filter(pk=customer_id, is_active=True).first()
        if customer is None:
            errors["customer_id"] = ["This customer is not on record any more."]
    if bill_discount < 0:
        errors["bill_discount"] = ["A bill discount cannot be negative."]
    for index, payment in enumerate(payments):
        if payment["amount"] <= 0:
            errors[f"payments[{index}].amount"] = ["A payment must be more than zero."]
    if errors:
        raise ValidationError(errors)
    cart = {
        "lines": [{"product_id": line["product_id"], "quantity": _text(line["quantity"]),
                   "discount": _text(line["discount"])} for line in lines],
        "customer_id": customer.pk if customer else None,
        "bill_discount": _text(bill_discount),
        "payments": [{"method": p["method"], "amount": _text(p["amount"]), "reference": p.get("reference", "")}
                     for p in payments],
        # Kept as typed: whether it still applies is asked again when the bill is priced after resuming.
        "coupon_code": normalise_code(coupon_code),
    }
    return cart, [products[line["product_id"]] for line in lines], customer


def _label(products: list[Product], customer: Customer | None) -> str:
    """Return what the held list shows: the customer's name, else the first item, and how many more items."""
    label = customer.name if customer else products[0].name
    if len(products) > 1:
        label += f" +{len(products) - 1} more" if not customer else f" ({len(products)} items)"
    return label if len(label) <= LABEL_LENGTH else label[:LABEL_LENGTH - 1] + "…"


def held_bill_hold(*, cashier: User, lines: list[dict], customer_id: int | None = None,
                   bill_discount: Decimal = ZERO, payments: list[dict] | None = None,
                   coupon_code: str = "") -> HeldBill:
    """Park a bill for this cashier and return it; nothing is reserved (a coupon's use neither).

    lines are {product_id, quantity, discount} and payments {method, amount, reference}, as the counter sends
    them; coupon_code is the coupon applied on screen. A line or field that could never be sold is refused
    with its path, and nothing is stored.
    """
    cart, products, customer = _checked_cart(lines=lines, customer_id=customer_id, bill_discount=bill_discount,
                                             payments=payments or [], coupon_code=coupon_code)
    with transaction.atomic():
        held_bills_expire(before=shop_day_start())
        if held_bills_of(cashier=cashier).count() >= MAX_HELD_BILLS:
            raise ValidationError({"hold": [f"You already hold {MAX_HELD_BILLS} bills: resume or discard one "
                                            "first."]})
        held = HeldBill(cashier=cashier, label=_label(products, customer), cart=cart)
        held.full_clean()
        held.save()
    return held


@dataclass(frozen=True)
class ResumedLine:
    product: Product
    quantity: Decimal
    discount: Decimal


@dataclass(frozen=True)
class ResumedBill:
    lines: list[ResumedLine]
    customer: Customer | None
    bill_discount: Decimal
    payments: list[dict]
    dropped: list[str] = field(default_factory=list)  # what could not come back, in words
    coupon_code: str = ""


def held_bill_resume(*, cashier: User, held_bill_id: int) -> ResumedBill | None:
    """Take back one of the cashier's own held bills (it is deleted) and return its cart, with today's products.

    None when the cashier holds no such bill today (another cashier's, expired, or resumed already: two
    tabs resuming at once get it once, as only one delete finds the row). A product taken off sale or a
    customer removed meanwhile is left out and named in `dropped`.
    """
    with transaction.atomic():
        held = held_bills_of(cashier=cashier).filter(pk=held_bill_id).first()
        if held is None or HeldBill.objects.filter(pk=held.pk).delete()[0] == 0:
            return None
    cart = held.cart
    products = Product.objects.select_related("unit", "tax_rate").in_bulk(
        {line["product_id"] for line in cart["lines"]})
    lines, dropped = [], []
    for line in cart["lines"]:
        product = products.get(line["product_id"])
        if product is None or not product.is_active:
            name = product.name if product else "A product of this bill"
            dropped.append(f"{name} is no longer on sale and was left out.")
            continue
        lines.append(ResumedLine(product=product, quantity=Decimal(line["quantity"]),
                                 discount=Decimal(line["discount"])))
    customer = None
    if cart.get("customer_id"):
        customer = Customer.objects.filter(pk=cart["customer_id"], is_active=True).first()
        if customer is None:
            dropped.append("The bill's customer is no longer on record.")
    payments = [{**p, "amount": Decimal(p["amount"])} for p in cart.get("payments", [])]
    return ResumedBill(lines=lines, customer=customer, bill_discount=Decimal(cart.get("bill_discount", "0")),
                       payments=payments, dropped=dropped, coupon_code=cart.get("coupon_code", ""))


def held_bill_discard(*, cashier: User, held_bill_id: int) -> bool:
    """Delete one of the cashier's own held bills of today; return whether there was one."""
    deleted, _ = held_bills_of(cashier=cashier).filter(pk=held_bill_id).delete()
    return deleted > 0
