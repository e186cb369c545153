"""The sale, in one transaction: checkout, cancelling a completed invoice, and returns (credit notes).

Lock order inside checkout: the coupon's row (when a coupon is given) first, then the invoice series
row of the financial year, then the Stock rows in product-id order (catalog.services.stock_move), then
the customer's row (a credit sale, or a bill that spends store credit: locked before the limit or the
balance is checked, held until commit), then the day's BookDay row, and last the daily rollup rows
(reports.rollups: tables and rows in a fixed order).
Every checkout takes them in that order, and other stock work takes only Stock rows, so no two
transactions wait on each other in a cycle. Cancelling and returns lock the invoice row first (returns
then the credit note series row), then Stock rows, the customer row, the BookDay row and the rollup rows;
checkout never locks an existing invoice, so the orders never cross. Khata postings
(ledger.services: repayments, adjustments, reversals) lock the customer row, then the BookDay row: the
same order's tail. The whole order is written out in ledger.posting.lock_customer.
"""

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product, StockMovement, Warehouse
from catalog.services import InsufficientStock, StockChange, stock_move, validate_quantity
from ledger.models import CreditEntry, Customer, DayBookEntry, StoreCreditEntry
from ledger.posting import (
    customer_balance,
    lock_customer,
    post_credit,
    post_day_book,
    post_store_credit,
    store_credit_balance,
)
from reports.rollups import rollups_record_cancel, rollups_record_return, rollups_record_sale
from sales.coupons import NOT_APPLICABLE, coupon_check, refusal_code, refuse
from sales.discount_models import normalise_code
from sales.discounts import (
    DiscountPlan,
    best_offers,
    offer_from_rule,
    offer_lines,
    rules_in_force,
    why_offer_gives_nothing,
)
from sales.emails import credit_note_email_queue
from sales.models import (
    Coupon,
    CouponRedemption,
    CreditNote,
    CreditNoteLine,
    CreditNoteSeries,
    Invoice,
    InvoiceLine,
    InvoiceLineDiscount,
    InvoiceSeries,
    Payment,
)
from sales.pricing import BillAmounts, LineInput, price_bill
from sales.upi import clean_utr
from shop.models import ShopProfile, User
from shop.money import (
    MONEY_FIELD,
    QUANTITY_FIELD,
    fit_decimal,
    format_inr,
    format_quantity,
    parse_decimal,
    to_paise,
    to_rupee,
)
from shop.notifications.inbox import Level, notify
from shop.roles import OWNER
from shop.validators import validate_plain_text

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
NUMBER_MAX_LENGTH = 16
MONEY_MAX = Decimal(10) ** (MONEY_FIELD["max_digits"] - MONEY_FIELD["decimal_places"]) - Decimal("0.01")
# Cash handed over is at most ten times the bill, or the bill plus the largest note (a ₹2,000 note for
# a ₹10 packet is normal): beyond that it is a typing slip, and the change would be paid out wrongly.
CASH_TIMES_BILL = 10
LARGEST_NOTE = Decimal("2000")


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: Decimal
    discount: Decimal = ZERO


@dataclass(frozen=True)
class PaymentIn:
    method: str
    amount: Decimal
    reference: str = ""
    field: str = "payments"  # where the amount came from, to name it in an error: "payments[1].amount"


class _AlreadyCompleted(Exception):
    """Raised inside the transaction when a concurrent submission with the same key won the race."""

    def __init__(self, invoice: Invoice):
        self.invoice = invoice


def _error(field: str, message: str, *, code: str) -> ValidationError:
    """Return an error that names the field at fault and keeps its code (the counter reads both)."""
    return ValidationError({field: ValidationError(message, code=code)})


def _decimal(value, what: str, *, field: str, size: dict) -> Decimal:
    """Return a number that fits a column of `size` (MONEY_FIELD...); refuse anything else naming the field."""
    try:
        number = parse_decimal(value)
        if number is None:
            raise ValueError("is missing.")
        return fit_decimal(number, **size)
    except ValueError as problem:
        raise _error(field, f"{what} {problem}", code="number") from None


def parse_cart(lines: list[dict]) -> list[CartLine]:
    if not lines:
        raise ValidationError({"lines": ["The bill is empty: scan or search a product first."]})
    return [CartLine(product=line["product"],
                     quantity=_decimal(line["quantity"], "The quantity", field=f"lines[{index}].quantity",
                                       size=QUANTITY_FIELD),
                     discount=to_paise(_decimal(line.get("discount") or 0, "The discount",
                                                field=f"lines[{index}].discount", size=MONEY_FIELD)))
            for index, line in enumerate(lines)]


def _parse_payments(payments: list[dict]) -> list[PaymentIn]:
    parsed = []
    for index, payment in enumerate(payments):
        method = payment.get("method")
        if method not in Payment.Method.values:
            raise ValidationError({"payments": [f"Unknown payment method {method!r}."]})
        field = f"payments[{index}].amount"
        amount = to_paise(_decimal(payment.get("amount"), "The payment amount", field=field, size=MONEY_FIELD))
        if amount < 0:
            raise _error(field, "A payment cannot be negative.", code="negative")
        if amount:
            parsed.append(PaymentIn(method=method, amount=amount, reference=(payment.get("reference") or "").strip(),
                                    field=field))
    return parsed


def _fingerprint(*, lines, payments, customer, warehouse, bill_discount, coupon_code="") -> str:
    """Return a digest of what was asked for, to tell a retry from a different bill under the same key."""
    canonical = json.dumps({
        "lines": [[line.product.pk, str(line.quantity.normalize()), str(line.discount)] for line in lines],
        "payments": [[p.method, str(p.amount), p.reference] for p in payments],
        "customer": customer.pk if customer else None,
        "warehouse": warehouse.pk if warehouse else None,
        "bill_discount": str(to_paise(bill_discount)),
        **({"coupon": coupon_code} if coupon_code else {}),  # absent without one: older keys stay valid
    }, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _same_bill_or_refuse(invoice: Invoice, fingerprint: str, cashier: User) -> Invoice:
    """Return the invoice a retry already made; refuse a key that another user's sale used, or another cart.

    A key belongs to the cashier who sent it: answering someone else with the invoice would show them
    its customer's phone and email.
    """
    if invoice.cashier_id != cashier.pk:
        raise _error("idempotency_key", "This bill key was used by another cashier's sale. Start a new bill.",
                     code="idempotency_conflict")
    if invoice.cart_fingerprint != fingerprint:
        raise ValidationError(
            f"This submission was already completed as invoice {invoice.number} with a different cart. "
            "Start a new bill.", code="idempotency_conflict")
    return invoice


def financial_year(day: date, start_month: int) -> str:
    """Return the financial year label of a date: 2025-11-25 with an April start -> '25-26'."""
    first_year = day.year if day.month >= start_month else day.year - 1
    if start_month == 1:
        return f"{first_year % 100:02d}"
    return f"{first_year % 100:02d}-{(first_year + 1) % 100:02d}"


SERIAL_DIGITS = 5


def allocate_number(*, series: type[InvoiceSeries | CreditNoteSeries], prefix: str, year: str,
                    document: str) -> str:
    """Lock the year's row of a series (invoices' or credit notes') and return its next number, like
    SKS/26-27/00001. Must run inside the transaction of the document that takes it: a failed sale or
    return rolls the counter back with it, so numbers stay gapless and unique under concurrency.

    The serial has five digits, fewer when a long prefix would make the number longer than 16
    characters; a number that still does not fit is refused, naming the document ("Invoice").
    """
    row = series.objects.select_for_update().filter(prefix=prefix, financial_year=year).first()
    if row is None:
        series.objects.bulk_create([series(prefix=prefix, financial_year=year)], ignore_conflicts=True)
        row = series.objects.select_for_update().get(prefix=prefix, financial_year=year)
    row.last_number += 1
    row.save(update_fields=["last_number"])
    digits = max(min(SERIAL_DIGITS, NUMBER_MAX_LENGTH - len(prefix) - len(year) - 2), 1)
    number = f"{prefix}/{year}/{row.last_number:0{digits}d}"
    if len(number) > NUMBER_MAX_LENGTH:
        raise ValidationError(f"{document} number {number} is longer than {NUMBER_MAX_LENGTH} characters: "
                              "shorten the invoice prefix in the shop profile.", code="number_too_long")
    return number


def allocate_invoice_number(*, prefix: str, year: str) -> str:
    """Return the next invoice number of the year (allocate_number). Must run inside the sale's transaction."""
    return allocate_number(series=InvoiceSeries, prefix=prefix, year=year, document="Invoice")


def _check_discount(bill: BillAmounts, *, profile: ShopProfile, cashier: User, approved_by: User | None) -> Decimal:
    """Refuse a cashier's own discounts above their limit; the shop's offers (rules, coupons) do not count.

    Return the discount percent when it was above the limit and a manager approved it (0 otherwise)."""
    own = bill.discount - bill.rule_discount
    if not own or not bill.gross:
        return ZERO
    percent = own * 100 / bill.gross
    if percent <= profile.cashier_discount_limit or cashier.has_perm("sales.approve_discount"):
        return ZERO
    if approved_by is not None and approved_by.has_perm("sales.approve_discount"):
        return percent
    limit = format_quantity(profile.cashier_discount_limit)
    raise _error("discount", f"A discount of {percent:.1f}% is above the cashier limit of {limit}%: "
                 "a manager must approve it.", code="discount_needs_approval")


def _notify_approved_discount(invoice: Invoice, *, percent: Decimal, limit: Decimal) -> None:
    """Tell the owner that a manager let a discount above the cashier's limit through (in the sale's transaction)."""
    notify(text=f"Bill {invoice.number}: {percent:.1f}% discount (cashier limit {format_quantity(limit)}%) by "
                f"{invoice.cashier.get_username()}, approved by {invoice.approved_by.get_username()}.",
           level=Level.WARNING, link=reverse("admin:sales_invoice_change", args=[invoice.pk]), roles=[OWNER],
           key=f"discount-approved:{invoice.pk}")


def _check_bill_size(bill: BillAmounts) -> None:
    if max(bill.gross, bill.exact_total, bill.grand_total) > MONEY_MAX:
        raise ValidationError({"lines": [f"This bill comes to more than {format_inr(MONEY_MAX)}; split it."]},
                              code="too_large")


def _check_cash_tendered(bill: BillAmounts, payments: list[PaymentIn]) -> None:
    """Refuse cash beyond what anyone hands over for this bill, naming the payment that goes past it."""
    limit = min(max(bill.grand_total * CASH_TIMES_BILL, bill.grand_total + LARGEST_NOTE), MONEY_MAX)
    tendered = ZERO
    for payment in payments:
        if payment.method != Payment.Method.CASH:
            continue
        tendered += payment.amount
        if tendered > limit:
            raise _error(payment.field, f"Cash of {format_inr(tendered)} for a bill of {format_inr(bill.grand_total)} "
                         f"is more than a customer hands over (at most {format_inr(limit)}): check the amount.",
                         code="cash_too_large")


def _settle(bill: BillAmounts, payments: list[PaymentIn]) -> tuple[Decimal, Decimal, dict[str, Decimal]]:
    """Return (cash tendered, change, amount applied per method); refuse short or excess payments."""
    due = bill.grand_total
    by_method: dict[str, Decimal] = defaultdict(Decimal)
    for payment in payments:
        by_method[payment.method] += payment.amount
    not_cash = sum((amount for method, amount in by_method.items() if method != Payment.Method.CASH), ZERO)
    if not_cash > due:
        raise ValidationError({"payments": [
            f"UPI, card, credit and store credit add up to {format_inr(not_cash)}, more than the "
            f"{format_inr(due)} due. "
            "Only cash can be more than the bill (the rest is change)."]}, code="overpaid")
    tendered = by_method.get(Payment.Method.CASH, ZERO)
    cash_applied = min(tendered, due - not_cash)
    if cash_applied + not_cash < due:
        raise ValidationError({"payments": [
            f"Payment short by {format_inr(due - not_cash - cash_applied)}."]}, code="short")
    applied = {method: amount for method, amount in by_method.items() if method != Payment.Method.CASH}
    if cash_applied:
        applied[Payment.Method.CASH] = cash_applied
    return tendered, tendered - cash_applied, applied


def _check_credit(*, credit: Decimal, customer: Customer | None) -> None:
    if credit and customer is None:
        raise ValidationError({"customer": ["Credit (udhar) needs a customer: pick or add one by phone."]},
                              code="credit_needs_customer")


def _check_credit_limit(*, credit: Decimal, customer: Customer | None, cashier: User,
                        approved_by: User | None) -> None:
    """Refuse credit beyond the customer's limit unless an owner or manager approves it.

    The customer's row is locked (ledger.posting.lock_customer) before the balance is read, and stays
    locked until the sale commits: two credit sales to one customer at once queue here, and the second
    sees the first's entry, so together they cannot cross the limit. Called after the stock locks, where
    post_credit takes the same lock (lock order in ledger.posting.lock_customer).
    """
    if not credit or cashier.has_perm("sales.approve_credit"):
        return
    stored = lock_customer(customer)
    owed = customer_balance(stored)
    if owed + credit <= stored.credit_limit:
        return
    if approved_by is not None and approved_by.has_perm("sales.approve_credit"):
        return
    raise _error("customer", f"{stored.name} already owes {format_inr(owed)}; with {format_inr(credit)} more the "
                 f"credit limit of {format_inr(stored.credit_limit)} is crossed. A manager must approve.",
                 code="credit_limit")


def _spend_store_credit(*, paid: list[PaymentIn], customer: Customer | None, invoice: Invoice,
                        cashier: User) -> None:
    """Take the store credit the bill is paid with off the customer's store-credit ledger; refuse more than
    they hold, naming the payment.

    The customer's row is locked before the balance is read, so two bills spending the same credit at
    once queue here and the second sees what the first left. Checkout reaches this after its series and
    stock locks, where ledger.posting.lock_customer says customer locks come (nothing after it but the day book).
    """
    spent = [payment for payment in paid if payment.method == Payment.Method.STORE_CREDIT]
    if not spent:
        return
    if customer is None:
        raise _error(spent[0].field, "Store credit needs the customer who holds it: find them by phone.",
                     code="store_credit_needs_customer")
    amount = sum((payment.amount for payment in spent), ZERO)
    lock_customer(customer)
    held = store_credit_balance(customer)
    if amount > held:
        raise _error(spent[-1].field, f"{customer.name} holds {format_inr(held)} of store credit, less than the "
                     f"{format_inr(amount)} asked: take the rest another way.", code="store_credit_short")
    post_store_credit(customer=customer, kind=StoreCreditEntry.Kind.REDEEMED, amount=-amount, user=cashier,
                      reference=invoice.number, source=invoice)


def _payment_references(paid: list[PaymentIn]) -> dict[str, str]:
    """Return one reference per method; UPI references must be valid UTRs."""
    references: dict[str, str] = {}
    for payment in paid:
        if payment.reference:
            try:
                reference = clean_utr(payment.reference) if payment.method == Payment.Method.UPI else payment.reference
            except ValidationError as refusal:
                raise ValidationError({"payments": refusal.messages}) from None
            references[payment.method] = reference[:40]
    return references


def place_of_supply_for(customer: Customer | None, profile: ShopProfile) -> tuple[str, bool]:
    """Return (state code, inter-state?) of a sale: the customer's state when known, else the shop's."""
    place = (customer.state if customer and customer.state else "") or profile.state
    return place, place != profile.state


def price_cart(cart: list[CartLine], *, inter_state: bool, profile: ShopProfile, bill_discount: Decimal,
               rule_discounts: list[Decimal] | None = None) -> BillAmounts:
    """Price a cart at the products' current prices and rates (the counter's live totals use this too).

    rule_discounts: what the shop's offers take off each line (a DiscountPlan's line_totals()).
    """
    rule_discounts = rule_discounts or [ZERO] * len(cart)
    try:
        return price_bill(
            [LineInput(unit_price=line.product.selling_price, quantity=line.quantity,
                       tax_rate=line.product.tax_rate.rate, cess_rate=line.product.tax_rate.cess_rate,
                       tax_inclusive=line.product.tax_inclusive, discount=line.discount, rule_discount=offer)
             for line, offer in zip(cart, rule_discounts, strict=True)],
            inter_state=inter_state, round_off=profile.round_off, bill_discount=bill_discount,
            composition=profile.composition_scheme)
    except ValidationError as refusal:
        raise ValidationError({"discount": refusal.messages}) from None


def _check_lines(cart: list[CartLine]) -> None:
    """Refuse lines that cannot be sold: a product no longer sold, or a quantity its unit does not allow."""
    for index, line in enumerate(cart):
        if not line.product.is_active:
            raise ValidationError({f"line-{index}": [f"{line.product.name} is no longer sold."]})
        try:
            validate_quantity(line.product, line.quantity)
        except ValidationError as refusal:
            raise ValidationError({f"line-{index}": refusal.messages}) from None
        if line.quantity < 0:
            raise ValidationError({f"line-{index}": ["Use a return for goods coming back, not a negative quantity."]})


def parse_bill_discount(value) -> Decimal:
    """Return a bill discount in rupees rounded to the paisa; anything else is an error named "bill_discount",
    the field the counter sends it in."""
    amount = to_paise(_decimal(value or 0, "The bill discount", field="bill_discount", size=MONEY_FIELD))
    if amount < 0:
        raise _error("bill_discount", "A bill discount cannot be negative.", code="number")
    return amount


@dataclass(frozen=True)
class SaleQuote:
    cart: list[CartLine]
    place_of_supply: str
    inter_state: bool
    bill: BillAmounts
    offers: DiscountPlan | None = None  # the discount rules applied, and what each took off each line
    coupon: Coupon | None = None  # the coupon that gave its discount
    coupon_error: ValidationError | None = None  # a quote's refused coupon (checkout raises it instead)


def sale_quote(*, lines: list[dict], customer: Customer | None = None, bill_discount=ZERO,
               profile: ShopProfile | None = None, coupon_code: str = "", at: datetime | None = None) -> SaleQuote:
    """Price a cart as checkout would now, without selling it (the counter's live totals).

    lines and bill_discount take the same shapes as checkout's, and are refused with the same errors.
    A coupon that checkout would refuse is left out of the totals and its refusal is in coupon_error.
    """
    return _quote_cart(cart=parse_cart(lines), customer=customer, profile=profile or ShopProfile.objects.get_profile(),
                       bill_discount=parse_bill_discount(bill_discount), coupon_code=coupon_code,
                       at=at or timezone.now(), for_checkout=False)


def _quote_cart(*, cart: list[CartLine], customer: Customer | None, profile: ShopProfile,
                bill_discount: Decimal, coupon_code: str, at: datetime, for_checkout: bool) -> SaleQuote:
    """Check the lines, pick the offers, and price them; checkout and the counter's quote both come through here.

    for_checkout: lock the coupon's row and raise its refusal; otherwise report the refusal in the quote.
    """
    _check_lines(cart)
    place_of_supply, inter_state = place_of_supply_for(customer, profile)
    coupon_error = None
    try:
        plan, coupon = discount_plan(cart=cart, customer=customer, at=at, coupon_code=coupon_code,
                                     lock_coupon=for_checkout)
    except ValidationError as refusal:
        if for_checkout or not refusal_code(refusal):
            raise
        coupon_error = refusal
        plan, coupon = discount_plan(cart=cart, customer=customer, at=at, coupon_code="", lock_coupon=False)
    bill = price_cart(cart, inter_state=inter_state, profile=profile, bill_discount=bill_discount,
                      rule_discounts=plan.line_totals())
    return SaleQuote(cart=cart, place_of_supply=place_of_supply, inter_state=inter_state, bill=bill, offers=plan,
                     coupon=coupon, coupon_error=coupon_error)


def discount_plan(*, cart: list[CartLine], customer: Customer | None, at: datetime, coupon_code: str = "",
                  lock_coupon: bool = False) -> tuple[DiscountPlan, Coupon | None]:
    """Return the offers the cart gets at this moment (sales.discounts.best_offers), and the coupon that gave one.

    A coupon's rule competes with the automatic rules like any other; a coupon that would give nothing on
    this bill (its rule does not cover it, or a rule that does not add up with it gives more) is refused,
    so a use is never spent for nothing.
    """
    rules = rules_in_force(at)
    coupon = coupon_check(code=coupon_code, customer=customer, at=at, lock=lock_coupon) if coupon_code else None
    scopes = {rule.scope for rule in rules} | ({coupon.rule.scope} if coupon else set())
    lines = offer_lines(cart, need_categories="category" in scopes)
    offers = [offer_from_rule(rule) for rule in rules if not coupon or rule.pk != coupon.rule_id]
    if coupon is None:
        return best_offers(lines, offers), None
    coupon_offer = offer_from_rule(coupon.rule, coupon_id=coupon.pk)
    reason = why_offer_gives_nothing(coupon_offer, lines)
    if reason:
        raise refuse(f"Coupon {coupon.code} does not apply to this bill: {reason}.", NOT_APPLICABLE)
    plan = best_offers(lines, [*offers, coupon_offer])
    if not plan.gives(coupon_offer):
        better = ", ".join(f"“{a.offer.name}”" for a in plan.applied)
        raise refuse(f"Coupon {coupon.code} does not apply to this bill: {better} already gives more, and they do "
                     "not add up.", NOT_APPLICABLE)
    return plan, coupon


def _stock_errors_by_line(refusal: InsufficientStock, lines: list[CartLine]) -> ValidationError:
    errors: dict[str, list[str]] = {}
    for shortage in refusal.shortages:
        for index, line in enumerate(lines):
            if line.product.pk == shortage.product.pk:
                errors[f"line-{index}"] = [str(shortage)]
    return ValidationError(errors, code="insufficient_stock")


def checkout(
    *,
    cashier: User,
    lines: list[dict],
    payments: list[dict],
    customer: Customer | None = None,
    warehouse: Warehouse | None = None,
    idempotency_key: str | None = None,
    bill_discount: Decimal = ZERO,
    approved_by: User | None = None,
    notes: str = "",
    coupon_code: str = "",
) -> Invoice:
    """Complete a sale and return its invoice; all of it happens, or none of it.

    lines: [{"product": Product, "quantity": Decimal, "discount": Decimal}] (discount in rupees, optional)
    payments: [{"method": "cash" | "upi" | "card" | "credit" | "bank" | "store", "amount": Decimal, "reference": str}]
    ("store": the customer's store credit, refused beyond what they hold)
    The same idempotency_key again, from the same cashier, returns the first invoice; with a different cart
    or from another user it is refused.
    The discount rules in force apply by themselves (sales.discounts); coupon_code adds a coupon's, or is
    refused keyed "coupon_code" (invalid, expired, used up, not applicable) and nothing is sold.
    Errors are ValidationErrors keyed by what is at fault: "line-<n>", "payments", "customer", "discount",
    or the path of a malformed or implausible value ("lines[0].quantity", "payments[1].amount").
    """
    cart = parse_cart(lines)
    paid = _parse_payments(payments)
    bill_discount = parse_bill_discount(bill_discount)
    coupon_code = normalise_code(coupon_code)
    try:
        validate_plain_text(notes)
    except ValidationError as refusal:
        raise ValidationError({"notes": refusal.messages}) from None
    fingerprint = _fingerprint(lines=cart, payments=paid, customer=customer, warehouse=warehouse,
                               bill_discount=bill_discount, coupon_code=coupon_code)
    if idempotency_key:
        existing = Invoice.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_bill_or_refuse(existing, fingerprint, cashier)
    try:
        return _checkout(cashier=cashier, cart=cart, paid=paid, customer=customer, warehouse=warehouse,
                         idempotency_key=idempotency_key, fingerprint=fingerprint, bill_discount=bill_discount,
                         approved_by=approved_by, notes=notes, coupon_code=coupon_code)
    except _AlreadyCompleted as done:
        return _same_bill_or_refuse(done.invoice, fingerprint, cashier)
    except IntegrityError:
        # A concurrent submission with the same key committed between our check and our insert.
        existing = idempotency_key and Invoice.objects.filter(idempotency_key=idempotency_key).first()
        if not existing:
            raise
        return _same_bill_or_refuse(existing, fingerprint, cashier)


@transaction.atomic
def _checkout(*, cashier, cart, paid, customer, warehouse, idempotency_key, fingerprint, bill_discount,
              approved_by, notes, coupon_code) -> Invoice:
    now = timezone.now()
    profile = ShopProfile.objects.get_profile()
    warehouse = warehouse or Warehouse.objects.get(is_default=True)
    products = Product.objects.select_related("tax_rate", "unit").in_bulk({line.product.pk for line in cart})
    cart = [CartLine(products[line.product.pk], line.quantity, line.discount) for line in cart]
    quote = _quote_cart(cart=cart, customer=customer, profile=profile, bill_discount=bill_discount,
                        coupon_code=coupon_code, at=now, for_checkout=True)
    place_of_supply, inter_state, bill = quote.place_of_supply, quote.inter_state, quote.bill
    _check_bill_size(bill)
    approved_discount = _check_discount(bill, profile=profile, cashier=cashier, approved_by=approved_by)
    _check_cash_tendered(bill, paid)
    tendered, change, applied = _settle(bill, paid)
    credit = applied.get(Payment.Method.CREDIT, ZERO)
    _check_credit(credit=credit, customer=customer)
    references = _payment_references(paid)

    year = financial_year(timezone.localdate(now), profile.financial_year_start_month)
    number = allocate_invoice_number(prefix=profile.invoice_prefix, year=year)
    if idempotency_key:
        winner = Invoice.objects.filter(idempotency_key=idempotency_key).first()
        if winner is not None:
            raise _AlreadyCompleted(winner)

    invoice = Invoice.objects.create(
        number=number, financial_year=year, issued_at=now, cashier=cashier, customer=customer, warehouse=warehouse,
        place_of_supply=place_of_supply, inter_state=inter_state, bill_of_supply=profile.composition_scheme,
        gross_total=bill.gross, discount_total=bill.discount, bill_discount=bill_discount,
        taxable_total=bill.taxable, cgst_total=bill.cgst, sgst_total=bill.sgst, igst_total=bill.igst,
        cess_total=bill.cess, round_off=bill.round_off, grand_total=bill.grand_total,
        amount_paid=bill.grand_total - credit, cash_tendered=tendered, change_given=change, credit_amount=credit,
        idempotency_key=idempotency_key or None, cart_fingerprint=fingerprint,
        approved_by=approved_by if approved_by and approved_by != cashier else None, notes=notes,
    )
    invoice_lines = InvoiceLine.objects.bulk_create([
        InvoiceLine(
            invoice=invoice, position=position, product=line.product, description=line.product.name,
            hsn_code=line.product.hsn_code, quantity=line.quantity, unit=line.product.unit.code,
            unit_price=line.product.selling_price, price_includes_tax=line.product.tax_inclusive,
            discount=amounts.line_discount + amounts.rule_discount + amounts.bill_discount,
            taxable_value=amounts.taxable,
            tax_rate=amounts.tax_rate, cess_rate=amounts.cess_rate, cgst=amounts.cgst, sgst=amounts.sgst,
            igst=amounts.igst, cess=amounts.cess, line_total=amounts.total, unit_cost=line.product.cost_price,
        )
        for position, (line, amounts) in enumerate(zip(cart, bill.lines, strict=True))
    ])
    _record_offers(quote, invoice=invoice, invoice_lines=invoice_lines, customer=customer, now=now)
    if approved_discount:
        _notify_approved_discount(invoice, percent=approved_discount, limit=profile.cashier_discount_limit)
    try:
        stock_move(changes=[StockChange(line.product, warehouse, -line.quantity) for line in cart],
                   kind=StockMovement.Kind.SALE, user=cashier, source=invoice, reference=number,
                   allow_negative=profile.allow_negative_stock)
    except InsufficientStock as refusal:
        raise _stock_errors_by_line(refusal, cart) from None
    _check_credit_limit(credit=credit, customer=customer, cashier=cashier, approved_by=approved_by)
    _spend_store_credit(paid=paid, customer=customer, invoice=invoice, cashier=cashier)

    payments = Payment.objects.bulk_create([
        _payment(invoice=invoice, method=method, amount=amount, reference=references.get(method, ""),
                 cashier=cashier, now=now)
        for method, amount in applied.items()
    ])
    if credit:
        post_credit(customer=customer, kind=CreditEntry.Kind.CREDIT_SALE, amount=credit, user=cashier,
                    reference=number, source=invoice)
    # A UPI payment without its transaction number waits for confirmation before it counts as money in;
    # store credit is no money at all (its own ledger has the entry).
    post_day_book(entries=[(DayBookEntry.Kind.SALE, p.method, p.amount) for p in payments
                           if p.status == Payment.Status.CONFIRMED and p.method in DayBookEntry.Method.values],
                  day=timezone.localdate(now), user=cashier, reference=number, source=invoice)
    rollups_record_sale(invoice=invoice, lines=invoice_lines, payments=payments)  # last in the lock order
    return invoice


def _record_offers(quote: SaleQuote, *, invoice: Invoice, invoice_lines: list[InvoiceLine],
                   customer: Customer | None, now) -> None:
    """Write what each offer took off each line, and the coupon's use (its row is locked by the quote)."""
    plan = quote.offers
    if plan is None or not plan.applied:
        return
    InvoiceLineDiscount.objects.bulk_create([
        InvoiceLineDiscount(line=invoice_line, rule_id=offer.rule_id, coupon_id=offer.coupon_id,
                            description=offer.name[:120], amount=amount)
        for index, invoice_line in enumerate(invoice_lines) for offer, amount in plan.line_offers(index)
    ])
    if quote.coupon is not None:
        given = sum((a.total for a in plan.applied if a.offer.coupon_id == quote.coupon.pk), ZERO)
        CouponRedemption.objects.create(coupon=quote.coupon, invoice=invoice, customer=customer, amount=given,
                                        redeemed_at=now)


def _payment(*, invoice: Invoice, method: str, amount: Decimal, reference: str, cashier: User, now) -> Payment:
    confirmed = method != Payment.Method.UPI or bool(reference)
    if not confirmed:
        return Payment(invoice=invoice, method=method, amount=amount, received_by=cashier, created_at=now,
                       status=Payment.Status.AWAITING)
    return Payment(invoice=invoice, method=method, amount=amount, reference=reference, received_by=cashier,
                   created_at=now, status=Payment.Status.CONFIRMED, confirmed_at=now,
                   confirmed_via=Payment.ConfirmedVia.SALE)


def invoice_check_cancellable(*, invoice: Invoice) -> None:
    """Refuse to cancel an invoice that is not completed, or that has returns (credit notes)."""
    if invoice.status != Invoice.Status.COMPLETED:
        raise ValidationError(f"Invoice {invoice.number} is {invoice.get_status_display().lower()}, "
                              "so it cannot be cancelled.", code="not_completed")
    credit_notes = list(invoice.credit_notes.order_by("pk").values_list("number", flat=True))
    if credit_notes:
        # Cancelling would put back stock and money the returns already put back.
        raise ValidationError(f"Invoice {invoice.number} has returns ({', '.join(credit_notes)}), so it cannot be "
                              "cancelled: take the remaining goods back as a return instead.", code="has_returns")


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, user: User, reason: str) -> Invoice:
    """Cancel a completed invoice: it keeps its number, and its stock, khata and day book effects are reversed
    by new entries. Needs the cancel permission (owners and managers)."""
    if not user.has_perm("sales.cancel_invoice"):
        raise PermissionDenied("Only an owner or a manager can cancel an invoice.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the invoice is cancelled."]})
    try:
        validate_plain_text(reason)
    except ValidationError as refusal:
        raise ValidationError({"reason": refusal.messages}) from None
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    invoice_check_cancellable(invoice=invoice)
    lines = list(invoice.lines.select_related("product__unit").order_by("product_id"))
    reference = f"Cancelled {invoice.number}"
    stock_move(changes=[StockChange(line.product, invoice.warehouse, line.quantity) for line in lines],
               kind=StockMovement.Kind.RETURN, user=user, source=invoice, reference=reference, note=reason)
    payments = list(invoice.payments.all())
    if invoice.credit_amount:
        post_credit(customer=invoice.customer, kind=CreditEntry.Kind.REVERSAL, amount=-invoice.credit_amount,
                    user=user, reference=reference, source=invoice, note=reason)
    confirmed = [p for p in payments if p.status == Payment.Status.CONFIRMED]
    store_credit = sum((p.amount for p in confirmed if p.method == Payment.Method.STORE_CREDIT), ZERO)
    if store_credit:  # the customer gets back the store credit the bill spent, not money
        post_store_credit(customer=invoice.customer, kind=StoreCreditEntry.Kind.ADJUSTMENT, amount=store_credit,
                          user=user, reference=reference, source=invoice, note=reason)
    post_day_book(entries=[(DayBookEntry.Kind.SALE_REVERSAL, p.method, -p.amount) for p in confirmed
                           if p.method in DayBookEntry.Method.values],
                  day=timezone.localdate(), user=user, reference=reference, source=invoice)
    rollups_record_cancel(invoice=invoice, lines=lines, payments=payments)  # last in the lock order
    invoice.status = Invoice.Status.CANCELLED
    invoice.cancelled_at = timezone.now()
    invoice.cancelled_by = user
    invoice.cancel_reason = reason[:255]
    invoice.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    return invoice


# Returns and credit notes -------------------------------------------------------------------------------------

# The amounts of an invoice line a credit line takes its part of; each part is rounded on its own.
CREDITED_AMOUNTS = ("discount", "taxable_value", "cgst", "sgst", "igst", "cess")
RETURN_APPROVAL_CODE = "return_needs_approval"


@dataclass(frozen=True)
class ReturnLine:
    line: InvoiceLine
    quantity: Decimal
    restock: bool = True
    write_off_reason: str = ""  # CreditNoteLine.WriteOff when the goods do not go back on the shelf


class _CreditNoteAlreadyMade(Exception):
    """Raised inside the transaction when a concurrent return with the same key won the race."""

    def __init__(self, credit_note: CreditNote):
        self.credit_note = credit_note


def credit_note_prefix(invoice_prefix: str) -> str:
    """Return the credit note series prefix of an invoice prefix: SKS -> SKSC."""
    return f"{invoice_prefix}C"


def allocate_credit_note_number(*, prefix: str, year: str) -> str:
    """Return the next credit note number of the year, like SKSC/26-27/00001 (four digits when a five-letter
    prefix would make it longer than 16 characters). Must run inside the return's transaction."""
    return allocate_number(series=CreditNoteSeries, prefix=prefix, year=year, document="Credit note")


def _parse_return_lines(invoice: Invoice, lines: list[dict]) -> list[ReturnLine]:
    """Return the lines asked for; errors are keyed "line-<invoice line id>", or "lines" for the whole list."""
    if not lines:
        raise ValidationError({"lines": ["Pick at least one line and the quantity coming back."]}, code="empty")
    parsed, seen = [], set()
    for row in lines:
        line = row["line"]
        key = f"line-{line.pk}"
        if line.invoice_id != invoice.pk:
            raise ValidationError({key: [f"{line.description} is not on invoice {invoice.number}."]})
        if line.pk in seen:
            raise ValidationError({key: [f"{line.description} is listed twice: give its quantity once."]})
        seen.add(line.pk)
        try:
            quantity = _decimal(row.get("quantity"), "The quantity", field=key, size=QUANTITY_FIELD)
        except ValidationError as refusal:
            raise ValidationError({key: refusal.messages}) from None
        if not quantity.is_finite() or quantity <= 0:
            raise ValidationError({key: [f"The quantity of {line.description} coming back must be more than zero."]})
        restock = bool(row.get("restock", True))
        reason = "" if restock else (row.get("reason") or CreditNoteLine.WriteOff.DAMAGE)
        if reason and reason not in CreditNoteLine.WriteOff.values:
            raise ValidationError({key: [f"Unknown write-off reason {reason!r}: damaged or expired."]})
        parsed.append(ReturnLine(line=line, quantity=quantity, restock=restock, write_off_reason=reason))
    return parsed


def _return_fingerprint(*, invoice: Invoice, lines: list[ReturnLine], refund_method: str,
                        refund_reference: str) -> str:
    """Return a digest of what was asked for, to tell a retry from a different return under the same key."""
    canonical = json.dumps({
        "invoice": invoice.pk,
        "lines": sorted([line.line.pk, str(line.quantity.normalize()), line.restock, line.write_off_reason]
                        for line in lines),
        "refund": [refund_method, refund_reference],
    }, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _same_return_or_refuse(credit_note: CreditNote, fingerprint: str) -> CreditNote:
    if credit_note.request_fingerprint != fingerprint:
        raise ValidationError(
            f"This return was already made as credit note {credit_note.number} with other lines. "
            "Start the return again.", code="idempotency_conflict")
    return credit_note


def returnable_quantities(invoice: Invoice) -> dict[int, Decimal]:
    """Return, per invoice line id, the quantity that can still be taken back (sold less returned)."""
    returned = _credited_by_line(invoice)
    return {line.pk: line.quantity - returned.get(line.pk, {}).get("quantity", ZERO) for line in invoice.lines.all()}


def _credited_by_line(invoice: Invoice) -> dict[int, dict[str, Decimal]]:
    """Return the quantity and amounts already credited, per invoice line id (added in Python: exact)."""
    credited: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in CreditNoteLine.objects.filter(credit_note__invoice=invoice).values(
            "invoice_line_id", "quantity", *CREDITED_AMOUNTS):
        sums = credited[row["invoice_line_id"]]
        for name in ("quantity", *CREDITED_AMOUNTS):
            sums[name] += row[name]
    return credited


def _credit_line(*, position: int, ask: ReturnLine, line: InvoiceLine, credited: dict[str, Decimal],
                 credit_note: CreditNote) -> CreditNoteLine:
    """Return this return's part of an invoice line.

    Each amount is the line's amount in proportion to the quantity returned SO FAR, rounded to the
    paisa, less what earlier returns already credited; so the returns of a line never add up to more
    than the line, and exactly to the line once all of it is back. CGST and SGST stay equal. As at the
    sale, an inclusive line's amount is its share of what the customer paid and the taxable value is
    what remains after the taxes (kept between what was credited before and the line's own).
    """
    returned_after = credited.get("quantity", ZERO) + ask.quantity
    whole = returned_after == line.quantity

    def so_far(amount: Decimal) -> Decimal:
        return amount if whole else to_paise(amount * returned_after / line.quantity)

    totals = {name: so_far(getattr(line, name)) for name in CREDITED_AMOUNTS if name != "taxable_value"}
    taxable_before = credited.get("taxable_value", ZERO)
    if whole or not line.price_includes_tax:
        taxable = so_far(line.taxable_value)
    else:
        taxes = totals["cgst"] + totals["sgst"] + totals["igst"] + totals["cess"]
        taxable = min(max(so_far(line.line_total) - taxes, taxable_before), line.taxable_value)
    totals["taxable_value"] = taxable
    amounts = {name: value - credited.get(name, ZERO) for name, value in totals.items()}
    total = amounts["taxable_value"] + amounts["cgst"] + amounts["sgst"] + amounts["igst"] + amounts["cess"]
    return CreditNoteLine(
        credit_note=credit_note, invoice_line=line, position=position, product=line.product,
        description=line.description, hsn_code=line.hsn_code, quantity=ask.quantity, unit=line.unit,
        unit_price=line.unit_price, tax_rate=line.tax_rate, cess_rate=line.cess_rate, line_total=total,
        restocked=ask.restock, write_off_reason=ask.write_off_reason, **amounts)


def _check_returnable(*, invoice: Invoice, asks: list[ReturnLine], lines: dict[int, InvoiceLine],
                      credited: dict[int, dict[str, Decimal]], profile: ShopProfile) -> None:
    """Refuse a cancelled bill, a bill past the return window, goods that are never taken back, and more than
    was sold less what came back already."""
    if invoice.status != Invoice.Status.COMPLETED:
        raise _error("invoice", f"Invoice {invoice.number} is {invoice.get_status_display().lower()}: "
                     "nothing on it can be returned.", code="not_completed")
    sold_on = timezone.localdate(invoice.issued_at)
    age = (timezone.localdate() - sold_on).days
    if age > profile.return_window_days:
        raise _error("invoice", f"Invoice {invoice.number} is of {sold_on:%d-%m-%Y}, {age} days ago: goods are "
                     f"taken back within {profile.return_window_days} days of the sale.", code="return_window")
    closed = set(profile.non_returnable_categories.values_list("pk", flat=True))
    for ask in asks:
        line = lines[ask.line.pk]
        key = f"line-{line.pk}"
        category = line.product.category
        if category is not None and {category.pk, category.parent_id} & closed:
            raise _error(key, f"{line.description} is in {category}, which the shop does not take back.",
                         code="not_returnable")
        try:
            validate_quantity(line.product, ask.quantity)
        except ValidationError as refusal:
            raise ValidationError({key: refusal.messages}) from None
        returned = credited.get(line.pk, {}).get("quantity", ZERO)
        left = line.quantity - returned
        if ask.quantity > left:
            already = f", {format_quantity(returned)} came back already" if returned else ""
            raise _error(key, f"Only {format_quantity(left)} {line.unit} of {line.description} can come back: "
                         f"{format_quantity(line.quantity)} {line.unit} were sold{already}.", code="over_return")


def _check_return_approval(*, amount: Decimal, profile: ShopProfile, user: User, approved_by: User | None) -> None:
    if amount <= profile.cashier_return_limit or user.has_perm("sales.approve_return"):
        return
    if approved_by is not None and approved_by.has_perm("sales.approve_return"):
        return
    who = f"{approved_by.get_username()} may not approve returns. " if approved_by is not None else ""
    raise _error("approval", f"{who}A return of {format_inr(amount)} is above the cashier limit of "
                 f"{format_inr(profile.cashier_return_limit)}: a manager must approve it.", code=RETURN_APPROVAL_CODE)


def _cumulative_value(*, invoice: Invoice, lines_total: Decimal, everything_back: bool) -> Decimal:
    """Return what all the returns of the invoice so far are worth, round-off included.

    Everything back: the invoice's total exactly. Otherwise the credited lines, rounded to the rupee when
    the bill was (its total is whole rupees), and never more than the bill. This rises with every return,
    so each credit note is this value less the earlier ones', and they add up to the bill at the end.
    """
    if everything_back:
        return invoice.grand_total
    rounded = invoice.grand_total == to_rupee(invoice.grand_total)
    return min(to_rupee(lines_total) if rounded else lines_total, invoice.grand_total)


def return_create(
    *,
    invoice: Invoice,
    lines: list[dict],
    refund_method: str,
    user: User,
    reason: str = "",
    idempotency_key: str | None = None,
    approved_by: User | None = None,
    refund_reference: str = "",
) -> CreditNote:
    """Take goods of an invoice back and return the GST credit note; all of it happens, or none of it.

    lines: [{"line": InvoiceLine, "quantity": Decimal, "restock": bool, "reason": "damage" | "expiry"}]
    (restock defaults to true; goods not restocked are written off as damaged unless the reason says expired).
    refund_method: a CreditNote.RefundMethod; UPI needs refund_reference, the refund's 12-digit UTR.
    Whatever the method, a bill sold on credit first lowers the khata: cash is never paid out for money
    that was never paid. The same idempotency_key again returns the first credit note.
    Errors are ValidationErrors keyed "line-<invoice line id>", "lines", "invoice", "refund_method",
    "refund_reference" or "approval" (code "return_needs_approval": a manager may approve).
    Lock order: the invoice row, the credit note series row, then Stock rows in product-id order.
    """
    if not user.has_perm("sales.add_creditnote"):
        raise PermissionDenied("You may not take goods back.")
    if refund_method not in CreditNote.RefundMethod.values:
        raise _error("refund_method", f"Unknown refund method {refund_method!r}.", code="invalid")
    asks = _parse_return_lines(invoice, lines)
    refund_reference = (refund_reference or "").strip()
    fingerprint = _return_fingerprint(invoice=invoice, lines=asks, refund_method=refund_method,
                                      refund_reference=refund_reference)
    if idempotency_key:
        existing = CreditNote.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_return_or_refuse(existing, fingerprint)
    try:
        return _return_create(invoice=invoice, asks=asks, refund_method=refund_method, user=user,
                              reason=(reason or "").strip()[:255], idempotency_key=idempotency_key or None,
                              fingerprint=fingerprint, approved_by=approved_by, refund_reference=refund_reference)
    except _CreditNoteAlreadyMade as done:
        return _same_return_or_refuse(done.credit_note, fingerprint)
    except IntegrityError:
        existing = idempotency_key and CreditNote.objects.filter(idempotency_key=idempotency_key).first()
        if not existing:
            raise
        return _same_return_or_refuse(existing, fingerprint)


@transaction.atomic
def _return_create(*, invoice, asks, refund_method, user, reason, idempotency_key, fingerprint, approved_by,
                   refund_reference) -> CreditNote:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if idempotency_key:
        winner = CreditNote.objects.filter(idempotency_key=idempotency_key).first()
        if winner is not None:
            raise _CreditNoteAlreadyMade(winner)
    profile = ShopProfile.objects.get_profile()
    lines = {line.pk: line for line in invoice.lines.select_related("product__unit", "product__category")}
    credited = _credited_by_line(invoice)
    _check_returnable(invoice=invoice, asks=asks, lines=lines, credited=credited, profile=profile)

    credit_note = CreditNote(invoice=invoice, customer=invoice.customer, created_by=user, reason=reason,
                             refund_method=refund_method, idempotency_key=idempotency_key,
                             request_fingerprint=fingerprint)
    credit_lines = [_credit_line(position=position, ask=ask, line=lines[ask.line.pk],
                                 credited=credited.get(ask.line.pk, {}), credit_note=credit_note)
                    for position, ask in enumerate(asks, 1)]
    exact = sum((line.line_total for line in credit_lines), ZERO)
    earlier = list(invoice.credit_notes.values_list("grand_total", flat=True))
    earlier_lines_total = sum((sums.get(name, ZERO) for sums in credited.values()
                               for name in ("taxable_value", "cgst", "sgst", "igst", "cess")), ZERO)
    back = {ask.line.pk: ask.quantity for ask in asks}
    everything_back = all(credited.get(pk, {}).get("quantity", ZERO) + back.get(pk, ZERO) == line.quantity
                          for pk, line in lines.items())
    value_before = sum(earlier, ZERO)
    value_after = _cumulative_value(invoice=invoice, lines_total=earlier_lines_total + exact,
                                    everything_back=everything_back)
    grand_total = value_after - value_before

    _check_return_approval(amount=grand_total, profile=profile, user=user, approved_by=approved_by)
    # Credit (udhar) on the bill is reversed first, then the store credit it was paid with comes back as store
    # credit; only the rest is money the customer gets back.
    credit_part = min(value_after, invoice.credit_amount) - min(value_before, invoice.credit_amount)
    store_part = _store_credit_back(invoice=invoice, value_before=value_before, value_after=value_after)
    money_part = grand_total - credit_part - store_part
    money_back_so_far = value_after - min(value_after, invoice.credit_amount)
    received = invoice.amount_received
    if money_back_so_far > received:
        raise _error("refund_method", f"Only {format_inr(received)} of invoice {invoice.number} has been received; "
                     "confirm its UPI payment (Awaiting UPI) before refunding more.", code="not_paid")
    customer = invoice.customer
    if refund_method in (CreditNote.RefundMethod.KHATA, CreditNote.RefundMethod.STORE_CREDIT) and customer is None:
        raise _error("refund_method", f"Invoice {invoice.number} has no customer: refund in cash or UPI.",
                     code="needs_customer")
    if refund_method == CreditNote.RefundMethod.UPI and money_part:
        try:
            refund_reference = clean_utr(refund_reference)
        except ValidationError as refusal:
            raise ValidationError({"refund_reference": refusal.messages}) from None
    elif refund_method != CreditNote.RefundMethod.UPI:
        refund_reference = ""
    to_khata = grand_total - store_part if refund_method == CreditNote.RefundMethod.KHATA else credit_part
    # Refunded as store credit anyway: all of it is the refund; otherwise the store credit part is apart.
    store_back = ZERO if refund_method == CreditNote.RefundMethod.STORE_CREDIT else store_part

    now = timezone.now()
    year = financial_year(timezone.localdate(now), profile.financial_year_start_month)
    credit_note.number = allocate_credit_note_number(prefix=credit_note_prefix(profile.invoice_prefix), year=year)
    credit_note.financial_year = year
    credit_note.issued_at = now
    credit_note.approved_by = approved_by if approved_by and approved_by != user and approved_by.has_perm(
        "sales.approve_return") else None
    credit_note.refund_reference = refund_reference[:40]
    credit_note.khata_amount = to_khata
    credit_note.store_credit_back = store_back
    credit_note.refund_amount = grand_total - to_khata - store_back

    def total(name: str) -> Decimal:
        return sum((getattr(line, name) for line in credit_lines), ZERO)

    credit_note.discount_total = total("discount")
    credit_note.taxable_total = total("taxable_value")
    credit_note.cgst_total, credit_note.sgst_total = total("cgst"), total("sgst")
    credit_note.igst_total, credit_note.cess_total = total("igst"), total("cess")
    credit_note.gross_total = sum(((line.line_total if line.invoice_line.price_includes_tax else line.taxable_value)
                                   + line.discount for line in credit_lines), ZERO)
    credit_note.round_off = grand_total - exact
    credit_note.grand_total = grand_total
    credit_note.save(force_insert=True)
    CreditNoteLine.objects.bulk_create(credit_lines)

    _return_stock(credit_note=credit_note, invoice=invoice, credit_lines=credit_lines, user=user)
    _return_money(credit_note=credit_note, customer=customer, user=user)
    rollups_record_return(credit_note=credit_note, invoice=invoice, credit_lines=credit_lines)  # last in lock order
    if customer is not None and customer.email.strip():
        _email_credit_note(credit_note)
    return credit_note


def _store_credit_back(*, invoice: Invoice, value_before: Decimal, value_after: Decimal) -> Decimal:
    """Return the part of this return that goes back to store credit: of what the returns so far are worth
    beyond the bill's credit (udhar), the store credit the bill was paid with comes back first."""
    paid = sum((p.amount for p in invoice.payments.all() if p.method == Payment.Method.STORE_CREDIT), ZERO)
    if not paid:
        return ZERO

    def back(value: Decimal) -> Decimal:
        return min(max(value - invoice.credit_amount, ZERO), paid)

    return back(value_after) - back(value_before)


def _return_stock(*, credit_note: CreditNote, invoice: Invoice, credit_lines: list[CreditNoteLine], user: User) -> None:
    """Put every line back in the warehouse it was sold from; write off the ones not fit to sell again."""
    number, note = credit_note.number, credit_note.reason
    stock_move(changes=[StockChange(line.product, invoice.warehouse, line.quantity) for line in credit_lines],
               kind=StockMovement.Kind.RETURN, user=user, source=credit_note, reference=number, note=note,
               allow_negative=True)
    reasons = {CreditNoteLine.WriteOff.DAMAGE: StockMovement.Reason.DAMAGE,
               CreditNoteLine.WriteOff.EXPIRY: StockMovement.Reason.EXPIRY}
    for write_off, reason in reasons.items():
        gone = [StockChange(line.product, invoice.warehouse, -line.quantity) for line in credit_lines
                if not line.restocked and line.write_off_reason == write_off]
        if gone:  # the goods came back (above) and leave again: the shelf count is what it was
            stock_move(changes=gone, kind=StockMovement.Kind.ADJUSTMENT, reason=reason, user=user, source=credit_note,
                       reference=number, note=note, allow_negative=True)


def _return_money(*, credit_note: CreditNote, customer: Customer | None, user: User) -> None:
    """Post the credit note's money: off the khata, into store credit, or out of the till (day book).
    Store credit is never in the day book: it was no money when spent, and is none when given back."""
    number = credit_note.number
    if credit_note.khata_amount:
        post_credit(customer=customer, kind=CreditEntry.Kind.RETURN, amount=-credit_note.khata_amount, user=user,
                    reference=number, source=credit_note, note=credit_note.reason)
    if credit_note.store_credit_back:
        post_store_credit(customer=customer, kind=StoreCreditEntry.Kind.RETURN, amount=credit_note.store_credit_back,
                          user=user, reference=number, source=credit_note, note=credit_note.reason)
    refund, method = credit_note.refund_amount, credit_note.refund_method
    if not refund:
        return
    if method == CreditNote.RefundMethod.STORE_CREDIT:
        post_store_credit(customer=customer, kind=StoreCreditEntry.Kind.RETURN, amount=refund, user=user,
                          reference=number, source=credit_note, note=credit_note.reason)
    elif method in (CreditNote.RefundMethod.CASH, CreditNote.RefundMethod.UPI):
        post_day_book(entries=[(DayBookEntry.Kind.REFUND, method, -refund)],
                      day=timezone.localdate(credit_note.issued_at), user=user, reference=number, source=credit_note)


def _email_credit_note(credit_note: CreditNote) -> None:
    try:
        credit_note_email_queue(credit_note=credit_note, to=credit_note.customer.email, user=credit_note.created_by)
    except ValidationError as refusal:
        # A bad address on file must never undo the return; the owner sees it in the log.
        logger.warning("No credit note email for %s: customer %s has an unusable address (%s)", credit_note.number,
                       credit_note.customer_id, "; ".join(refusal.messages))
