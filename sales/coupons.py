"""Coupons: checking a code at the counter, generating single-use codes, and emailing one to customers.

A refused code is a ValidationError keyed "coupon_code" whose code says which refusal it is:
coupon_invalid, coupon_expired, coupon_used_up or coupon_not_applicable. Checkout checks the code
with its row locked (select_for_update), so two cashiers redeeming a coupon's last use at once are
served one after the other and the second is refused.
"""

import csv
import io
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ledger.models import Customer
from sales.models import Coupon, CouponRedemption, DiscountRule, Invoice
from shop.models import ShopProfile, User
from shop.money import format_inr, format_quantity
from shop.notifications.layout import email_base_context
from shop.notifications.services import email_queue
from shop.spreadsheets import escape_formula

INVALID, EXPIRED, USED_UP, NOT_APPLICABLE = ("coupon_invalid", "coupon_expired", "coupon_used_up",
                                             "coupon_not_applicable")
CODES = {INVALID, EXPIRED, USED_UP, NOT_APPLICABLE}
# No 0/O or 1/I: a printed code is typed back by a cashier.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_CODE_LENGTH = 8
MAX_GENERATED = 1000


def refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"coupon_code": [ValidationError(message, code=code)]})


def refusal_code(error: ValidationError) -> str | None:
    """Return the coupon refusal's code when the error is one, else None."""
    if not hasattr(error, "error_dict") or set(error.error_dict) != {"coupon_code"}:
        return None
    return next((e.code for e in error.error_dict["coupon_code"] if e.code in CODES), None)


def _day(day) -> str:
    return day.strftime("%d %b %Y")


def redemptions_counted(coupon: Coupon) -> QuerySet:
    """The coupon's uses that count against its limits: a cancelled bill gives its use back."""
    return CouponRedemption.objects.filter(coupon=coupon).exclude(invoice__status=Invoice.Status.CANCELLED)


def coupon_check(*, code: str, customer: Customer | None, at: datetime, lock: bool = False) -> Coupon:
    """Return the coupon with this code (any case) if the customer may use it now; else refuse saying why.

    With lock, the coupon's row stays locked until the caller's transaction ends (call it inside one):
    the uses counted here cannot change before the redemption is written.
    Whether the coupon's rule applies to the cart is the caller's to check (sales.services).
    """
    typed = (code or "").strip()
    coupons = Coupon.objects.select_related("rule").prefetch_related("rule__categories", "rule__brands",
                                                                     "rule__products")
    if lock:
        coupons = coupons.select_for_update(of=("self",))
    coupon = coupons.filter(code__iexact=typed).first() if typed else None
    if coupon is None:
        raise refuse(f"No coupon has the code “{typed}”: check it and type it again.", INVALID)
    rule, day = coupon.rule, timezone.localdate(at)
    if not coupon.is_active or not rule.is_active:
        raise refuse(f"Coupon {coupon.code} is no longer valid: the shop has withdrawn it.", INVALID)
    last_day = min((d for d in (coupon.valid_until, rule.ends_on) if d), default=None)
    if last_day and day > last_day:
        raise refuse(f"Coupon {coupon.code} expired on {_day(last_day)}.", EXPIRED)
    first_day = max((d for d in (coupon.valid_from, rule.starts_on) if d), default=None)
    if first_day and day < first_day:
        raise refuse(f"Coupon {coupon.code} is valid from {_day(first_day)}.", NOT_APPLICABLE)
    counted = redemptions_counted(coupon)
    if coupon.max_uses is not None and counted.count() >= coupon.max_uses:
        uses = "its one use is" if coupon.max_uses == 1 else f"all {coupon.max_uses} uses are"
        raise refuse(f"Coupon {coupon.code} is used up: {uses} taken.", USED_UP)
    if (coupon.uses_per_customer or coupon.first_purchase_only) and customer is None:
        raise refuse(f"Coupon {coupon.code} is for a known customer: find the customer by phone first.",
                     NOT_APPLICABLE)
    if coupon.uses_per_customer is not None:
        used = counted.filter(customer=customer).count()
        if used >= coupon.uses_per_customer:
            times = "once" if used == 1 else f"{used} times"
            raise refuse(f"Coupon {coupon.code} is used up for {customer.name}: they have used it {times}.", USED_UP)
    if coupon.first_purchase_only and Invoice.objects.filter(
            customer=customer, status=Invoice.Status.COMPLETED).exists():
        raise refuse(f"Coupon {coupon.code} is for a first purchase only, and {customer.name} has bought here "
                     "before.", NOT_APPLICABLE)
    reason = rule.not_in_force_reason(at)
    if reason:
        raise refuse(f"Coupon {coupon.code} does not apply now: {reason}.", NOT_APPLICABLE)
    return coupon


# --- terms, in words ------------------------------------------------------------------------------


def rule_terms(rule: DiscountRule) -> list[str]:
    """Return the rule's terms as short sentences for a customer (email, printed codes)."""
    covered = {
        DiscountRule.Scope.BILL: "the whole bill",
        DiscountRule.Scope.CATEGORY: ", ".join(c.name for c in rule.categories.all()) or "chosen categories",
        DiscountRule.Scope.BRAND: ", ".join(b.name for b in rule.brands.all()) or "chosen brands",
        DiscountRule.Scope.PRODUCTS: ", ".join(p.name for p in rule.products.all()) or "chosen products",
    }[rule.scope]
    if rule.kind == DiscountRule.Kind.PERCENT:
        terms = [f"{format_quantity(rule.value)}% off {covered}"]
    elif rule.kind == DiscountRule.Kind.FLAT:
        terms = [f"{format_inr(rule.value)} off {covered}"]
    else:
        terms = [f"Buy {rule.buy_quantity}, get {rule.get_quantity} free (same product) on {covered}"]
    if rule.min_bill_value:
        terms.append(f"On bills of {format_inr(rule.min_bill_value)} or more")
    if rule.weekdays:
        terms.append(f"On {rule.weekdays_text}")
    if rule.starts_at is not None:
        terms.append(f"From {rule.starts_at:%H:%M} to {rule.ends_at:%H:%M}")
    if not rule.stackable:
        terms.append("Not combined with other offers")
    return terms


def coupon_terms(coupon: Coupon) -> list[str]:
    terms = rule_terms(coupon.rule)
    first_day = max((d for d in (coupon.valid_from, coupon.rule.starts_on) if d), default=None)
    last_day = min((d for d in (coupon.valid_until, coupon.rule.ends_on) if d), default=None)
    if first_day:
        terms.append(f"Valid from {_day(first_day)}")
    if last_day:
        terms.append(f"Valid until {_day(last_day)}")
    if coupon.max_uses == 1:
        terms.append("Single use")
    elif coupon.max_uses:
        terms.append(f"Up to {coupon.max_uses} uses in all")
    if coupon.uses_per_customer:
        terms.append("Once per customer" if coupon.uses_per_customer == 1
                     else f"Up to {coupon.uses_per_customer} uses per customer")
    if coupon.first_purchase_only:
        terms.append("For your first purchase")
    return terms


# --- generating single-use codes ------------------------------------------------------------------


def _new_code(prefix: str) -> str:
    return prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(GENERATED_CODE_LENGTH))


@transaction.atomic
def coupons_generate(*, rule: DiscountRule, count: int, prefix: str = "", valid_until=None,
                     user: User | None = None) -> list[Coupon]:
    """Make `count` single-use coupons of the rule with random codes (prefix + 8 characters); return them.

    A code that happens to exist already (in any case) is drawn again.
    """
    prefix = prefix.strip().upper()
    if not 1 <= count <= MAX_GENERATED:
        raise ValidationError({"count": [f"Generate from 1 to {MAX_GENERATED} codes at a time."]})
    probe = Coupon(code=prefix + "A" * GENERATED_CODE_LENGTH, rule=rule, max_uses=1, valid_until=valid_until)
    probe.full_clean(exclude=["rule"], validate_constraints=False)  # the prefix's characters and length
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {_new_code(prefix) for _ in range(count - len(codes))}
        taken = set(Coupon.objects.filter(code__in=wanted).values_list("code", flat=True))
        codes |= wanted - taken
    return Coupon.objects.bulk_create([
        Coupon(code=code, rule=rule, max_uses=1, uses_per_customer=None, valid_until=valid_until, created_by=user)
        for code in sorted(codes)])


CSV_HEADER = ("code", "offer", "terms", "valid until")


def coupons_csv(coupons: Iterable[Coupon]) -> str:
    """Return the coupons as CSV for printing; every text cell is formula-safe (shop.spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for coupon in coupons:
        last_day = min((d for d in (coupon.valid_until, coupon.rule.ends_on) if d), default=None)
        writer.writerow([escape_formula(cell) for cell in (
            coupon.code, coupon.rule.name, "; ".join(coupon_terms(coupon)), last_day.isoformat() if last_day else "")])
    return out.getvalue()


# --- email ----------------------------------------------------------------------------------------


def coupon_email_queue(*, coupon: Coupon, customers: Iterable[Customer], user: User | None) -> list:
    """Queue one email with the code and its terms to each chosen customer with an email address.

    Return the queued outbox rows. Customers without an address are skipped; a coupon with fewer uses
    in all than customers chosen is refused (one customer's code would be used up by another).
    """
    customers = list(customers)
    if not customers:
        raise ValidationError({"customers": ["Choose at least one customer."]})
    if coupon.max_uses is not None and coupon.max_uses < len(customers):
        raise ValidationError({"customers": [
            f"Coupon {coupon.code} has {coupon.max_uses} use(s) in all, fewer than the {len(customers)} customers "
            "chosen: generate single-use codes, or raise its uses."]})
    shop = ShopProfile.objects.get_profile()
    terms = coupon_terms(coupon)
    queued = []
    with transaction.atomic():
        for customer in customers:
            if not customer.email.strip():
                continue
            queued.append(email_queue(
                to=[customer.email], subject=f"A coupon for you from {shop.name}: {coupon.code}",
                template="coupon", context={**email_base_context(shop), "customer_name": customer.name,
                                            "coupon": coupon, "offer": coupon.rule.name, "terms": terms},
                reference=f"Coupon {coupon.code}", source=coupon, reply_to=shop.email, user=user))
    return queued
