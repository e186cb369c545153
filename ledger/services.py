"""Writes to the customer register.

The admin and the counter both go through these functions, so the rule on who may set a customer's
credit limit, state, GSTIN and active flag holds whichever screen (or crafted request) asks.
"""

from datetime import date, datetime, time
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.import_widgets import parse_decimal
from ledger.models import CreditEntry, Customer, DayBookEntry, PaymentMethod
from ledger.posting import lock_customer, post_credit, post_day_book
from ledger.selectors import customer_balance
from sales.upi import clean_utr
from shop.models import ShopProfile, User
from shop.money import format_inr

CREDIT_PERMISSION = "ledger.manage_customer_credit"
# Anyone who may change a customer may fix these.
EDITABLE_FIELDS = ("name", "phone", "email", "address", "notes")
# How much credit a customer gets and how their bills are taxed: an owner's or manager's decision.
PROTECTED_FIELDS = ("credit_limit", "state", "gstin", "is_active")
CUSTOMER_FIELDS = EDITABLE_FIELDS + PROTECTED_FIELDS
REFUSALS = {
    "credit_limit": _("Only an owner or manager can set the credit limit."),
    "state": _("Only an owner or manager can set the state."),
    "gstin": _("Only an owner or manager can set the GSTIN."),
    "is_active": _("Only an owner or manager can deactivate or reactivate a customer."),
}


def customer_may_manage_credit(*, user: User) -> bool:
    """Return whether this user may set credit limits, tax details and the active flag."""
    return user.has_perm(CREDIT_PERMISSION)


def customer_new() -> Customer:
    """Return an unsaved customer with the shop's defaults (the default credit limit)."""
    return Customer(credit_limit=ShopProfile.objects.get_profile().default_credit_limit)


@transaction.atomic
def customer_create(
    *,
    user: User,
    name: str,
    phone: str = "",
    email: str = "",
    address: str = "",
    notes: str = "",
    gstin: str = "",
    state: str = "",
    credit_limit: Decimal | str | None = None,
    is_active: bool = True,
) -> Customer:
    """Register a customer after validating every field (phone unique, GSTIN checksum...).

    Without a credit limit the customer gets the shop's default one. A user without the credit
    permission may leave the protected fields at their defaults only.
    """
    fields: dict[str, Any] = {"name": name, "phone": phone, "email": email, "address": address, "notes": notes,
                              "gstin": gstin, "state": state, "is_active": is_active}
    if credit_limit is not None:
        fields["credit_limit"] = credit_limit
    customer = customer_new()
    customer_apply(customer=customer, user=user, fields=fields)
    return _save(customer, user)


@transaction.atomic
def customer_update(*, customer: Customer, user: User, **fields: Any) -> Customer:
    """Change a customer's fields and return the saved row.

    The stored row (locked), not the instance passed in, is what a change is judged against: a user
    without the credit permission may send protected fields only with their stored values. A change
    that changes nothing saves nothing.
    """
    stored = Customer.objects.select_for_update().get(pk=customer.pk)
    before = _values(stored)
    customer_apply(customer=stored, user=user, fields=fields)
    if _values(stored) == before:
        return stored  # nothing changed: no history row saying so
    return _save(stored, user)


def customer_apply(*, customer: Customer, user: User, fields: dict[str, Any]) -> None:
    """Set `fields` on the unsaved `customer`; raise a ValidationError naming every field refused or invalid.

    Text is trimmed and the GSTIN upper-cased; values are parsed as the model's fields parse them.
    """
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"Customers have no editable field {', '.join(sorted(unknown))}.")
    may_manage = customer_may_manage_credit(user=user)
    errors: dict[str, list[ValidationError]] = {}
    for name, raw in fields.items():
        try:
            value = _parsed(name, raw)
        except ValidationError as invalid:
            value, parse_error = None, invalid
        else:
            parse_error = None
        if name in PROTECTED_FIELDS and not may_manage and (parse_error or value != getattr(customer, name)):
            errors[name] = [ValidationError(REFUSALS[name], code="permission_denied")]
        elif parse_error:
            errors[name] = parse_error.error_list
        else:
            setattr(customer, name, value)
    try:
        customer.full_clean(exclude=list(errors))
    except ValidationError as invalid:
        for name, problems in invalid.error_dict.items():
            errors.setdefault(name, []).extend(problems)
    if errors:
        raise ValidationError(errors)


def _values(customer: Customer) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in CUSTOMER_FIELDS}


def _parsed(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if name == "gstin":
            value = value.upper()
    return Customer._meta.get_field(name).to_python(value)


def _save(customer: Customer, user: User) -> Customer:
    customer._history_user = user  # the history names who changed it, with or without a request
    customer.save()
    return customer


ZERO = Decimal("0")

# =====================================================================================================================
# Udhar khata: repayments, opening balances, adjustments and reversals.
#
# Each runs in one transaction that first locks the customer's row (ledger.posting.lock_customer), so two
# postings for one customer queue instead of both passing a check on a stale balance, and writes the khata
# entry, the customer's maintained balance and, when money moved, the day book entry together.
# Overpaying is refused: Galla keeps no advances, so a repayment is at most what the customer owes.
# =====================================================================================================================

RECEIVE_PAYMENT_PERMISSION = "ledger.receive_credit_payment"
ADJUST_CREDIT_PERMISSION = "ledger.adjust_credit"
REVERSE_ENTRY_PERMISSION = "ledger.reverse_credit_entry"
REPAYMENT_METHODS = (PaymentMethod.CASH, PaymentMethod.UPI, PaymentMethod.CARD, PaymentMethod.BANK)
# Credit sales are undone by cancelling their invoice, returns by the return; reversals are never reversed.
REVERSIBLE_KINDS = (CreditEntry.Kind.PAYMENT, CreditEntry.Kind.ADJUSTMENT, CreditEntry.Kind.OPENING)
LARGEST_AMOUNT = Decimal("999999999999.99")  # what a money column (14 digits, 2 decimals) holds


def khata_amount(value: Any, *, label: str = "The amount", signed: bool = False) -> Decimal:
    """Return a money amount typed by a person, or raise ValidationError saying what is wrong with it.

    Reads numbers as shops write them (250, "1,250.50", "1,25,000", "₹ 99", as the catalogue import does);
    refuses more than two decimals (paise), zero, and a negative amount unless `signed`.
    """
    try:
        amount = parse_decimal(value) if not isinstance(value, float) else None  # a float is never exact money
    except (ValueError, InvalidOperation):
        amount = None
    if amount is None:
        raise ValidationError(_("%(label)s must be a number of rupees, like 250 or 99.50.") % {"label": label},
                              code="invalid")
    if not amount.is_finite():
        raise ValidationError(_("%(label)s must be a number of rupees.") % {"label": label}, code="invalid")
    if abs(amount) > LARGEST_AMOUNT:
        raise ValidationError(_("%(label)s is too large.") % {"label": label}, code="too_large")
    if amount != amount.quantize(Decimal("0.01"), rounding=ROUND_DOWN):
        raise ValidationError(_("%(label)s can have at most two decimals (paise).") % {"label": label},
                              code="paise")
    if amount == 0:
        raise ValidationError(_("%(label)s cannot be zero.") % {"label": label}, code="zero")
    if amount < 0 and not signed:
        raise ValidationError(_("%(label)s must be more than zero.") % {"label": label}, code="negative")
    return amount.quantize(Decimal("0.01"))


def _require(user: User, permission: str, refusal: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(refusal)


def _entry_time(day: date | None, *, user: User, start_of_day: bool = False) -> tuple[date, datetime]:
    """Return (day, time) for an entry: now, or for an earlier day (owners and managers only) its first or
    last moment. A day in the future is refused."""
    today = timezone.localdate()
    if day is None or day == today:
        return today, timezone.now()
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValidationError({"day": [_("Give the day as a date.")]}, code="invalid")
    if day > today:
        raise ValidationError({"day": [_("%(day)s is in the future.") % {"day": day.strftime("%d-%m-%Y")}]},
                              code="future")
    if not user.has_perm(ADJUST_CREDIT_PERMISSION):
        raise ValidationError({"day": [_("Only an owner or manager records an entry for an earlier day.")]},
                              code="permission_denied")
    moment = datetime.combine(day, time.min if start_of_day else time(23, 59, 59))
    return day, timezone.make_aware(moment)


def _text(value: Any, *, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


@transaction.atomic
def credit_payment_receive(*, customer: Customer, amount: Decimal | str, method: str, user: User,
                           reference: str = "", note: str = "", day: date | None = None) -> CreditEntry:
    """Record a repayment of udhar by cash, UPI (with its 12-digit UTR), card or bank transfer, and return
    its khata entry. Posts the khata entry (negative) and the day book's "credit payment received" for the
    method together. A part payment is fine; more than the customer owes is refused.

    Raises PermissionDenied without `ledger.receive_credit_payment`, and ValidationError keyed by the field
    at fault ("amount", "method", "reference", "day"); nothing is written then.
    """
    _require(user, RECEIVE_PAYMENT_PERMISSION, _("You may not receive credit repayments."))
    errors: dict[str, list] = {}
    try:
        amount = khata_amount(amount)
    except ValidationError as refusal:
        errors["amount"] = refusal.error_list
    if method not in REPAYMENT_METHODS:
        errors["method"] = [ValidationError(_("Choose how the customer paid: cash, UPI, card or bank transfer."),
                                            code="invalid")]
    reference = _text(reference, limit=60)
    if method == PaymentMethod.UPI:
        try:
            reference = clean_utr(reference)
        except ValidationError:
            errors["reference"] = [ValidationError(
                _("A UPI payment needs its 12-digit transaction number (UTR) from the customer's UPI app."),
                code="utr")]
    try:
        day, moment = _entry_time(day, user=user)
    except ValidationError as refusal:
        errors.update(refusal.error_dict)
    if errors:
        raise ValidationError(errors)

    lock_customer(customer)
    owed = customer_balance(customer)
    if owed <= 0:
        raise ValidationError({"amount": [_("%(name)s owes nothing, so there is nothing to pay.")
                                          % {"name": customer.name}]}, code="nothing_owed")
    if amount > owed:
        raise ValidationError({"amount": [_("%(name)s owes %(owed)s; take at most that (Galla keeps no advances).")
                                          % {"name": customer.name, "owed": format_inr(owed)}]}, code="overpaid")
    entry = post_credit(customer=customer, kind=CreditEntry.Kind.PAYMENT, amount=-amount, user=user,
                        reference=reference, note=_text(note, limit=255), method=method, created_at=moment)
    post_day_book(entries=[(DayBookEntry.Kind.CREDIT_RECEIVED, method, amount)], day=day, user=user,
                  reference=khata_reference(entry, customer), source=entry)
    return entry


def khata_reference(entry: CreditEntry, customer: Customer) -> str:
    """Return the day book's reference for a khata entry: its number and the customer's name."""
    return f"Khata #{entry.pk} {customer.name}"[:60]


@transaction.atomic
def credit_opening_balance(*, customer: Customer, amount: Decimal | str, user: User, day: date | None = None,
                           note: str = "") -> CreditEntry:
    """Record what a customer already owed when the shop started keeping the khata in Galla (owners and
    managers). Dated at the start of `day` (default today), so ageing counts from then. No money moves, so
    nothing goes to the day book. A customer has one opening balance: correct it by an adjustment, or
    reverse it and record it again.
    """
    _require(user, ADJUST_CREDIT_PERMISSION, _("Only an owner or manager records opening balances."))
    errors: dict[str, list] = {}
    try:
        amount = khata_amount(amount, label=_("The opening balance"))
    except ValidationError as refusal:
        errors["amount"] = refusal.error_list
    try:
        _day, moment = _entry_time(day, user=user, start_of_day=True)
    except ValidationError as refusal:
        errors.update(refusal.error_dict)
    if errors:
        raise ValidationError(errors)
    lock_customer(customer)
    if customer.credit_entries.filter(kind=CreditEntry.Kind.OPENING, reversed_by__isnull=True).exists():
        raise ValidationError({"amount": [_("%(name)s already has an opening balance; correct it with an "
                                            "adjustment, or reverse it first.") % {"name": customer.name}]},
                              code="opening_exists")
    return post_credit(customer=customer, kind=CreditEntry.Kind.OPENING, amount=amount, user=user,
                       note=_text(note, limit=255), created_at=moment)


@transaction.atomic
def credit_adjust(*, customer: Customer, amount: Decimal | str, user: User, reason: str,
                  day: date | None = None) -> CreditEntry:
    """Change what a customer owes without money moving (owners and managers), with a reason: positive
    adds to the debt, negative takes off it (a discount, a write-off). Taking off more than is owed is
    refused. Nothing goes to the day book.
    """
    _require(user, ADJUST_CREDIT_PERMISSION, _("Only an owner or manager adjusts a khata."))
    errors: dict[str, list] = {}
    try:
        amount = khata_amount(amount, signed=True)
    except ValidationError as refusal:
        errors["amount"] = refusal.error_list
    reason = _text(reason, limit=255)
    if not reason:
        errors["reason"] = [ValidationError(_("Say why the khata is adjusted."), code="required")]
    try:
        _day, moment = _entry_time(day, user=user)
    except ValidationError as refusal:
        errors.update(refusal.error_dict)
    if errors:
        raise ValidationError(errors)
    lock_customer(customer)
    owed = customer_balance(customer)
    if amount < 0 and owed + amount < 0:
        raise ValidationError({"amount": [_("%(name)s owes %(owed)s; an adjustment can take off at most that.")
                                          % {"name": customer.name, "owed": format_inr(max(owed, ZERO))}]},
                              code="below_zero")
    return post_credit(customer=customer, kind=CreditEntry.Kind.ADJUSTMENT, amount=amount, user=user,
                       note=reason, created_at=moment)


@transaction.atomic
def credit_entry_reverse(*, entry: CreditEntry, user: User, reason: str) -> CreditEntry:
    """Undo a repayment, adjustment or opening balance entered by mistake (owners and managers): a new entry
    of the opposite amount, today, pointing at the one it reverses. An entry is reversed at most once (the
    database refuses a second). Reversing a repayment also takes its money back out of today's day book.
    Credit sales are undone by cancelling their invoice.
    """
    _require(user, REVERSE_ENTRY_PERMISSION, _("Only an owner or manager reverses khata entries."))
    reason = _text(reason, limit=255)
    if not reason:
        raise ValidationError({"reason": [_("Say why the entry is reversed.")]}, code="required")
    customer = entry.customer
    lock_customer(customer)
    entry = CreditEntry.objects.get(pk=entry.pk)  # as stored, now that nobody else can post for this customer
    if entry.kind not in REVERSIBLE_KINDS:
        hint = (_("cancel its invoice instead") if entry.kind == CreditEntry.Kind.CREDIT_SALE
                else _("only repayments, adjustments and opening balances are reversed here"))
        raise ValidationError(_("A %(kind)s entry cannot be reversed: %(hint)s.")
                              % {"kind": entry.get_kind_display().lower(), "hint": hint}, code="not_reversible")
    if CreditEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("Entry #%(pk)s is already reversed.") % {"pk": entry.pk}, code="already_reversed")
    try:
        with transaction.atomic():
            reversal = post_credit(customer=customer, kind=CreditEntry.Kind.REVERSAL, amount=-entry.amount,
                                   user=user, reference=_("Reversal of #%(pk)s") % {"pk": entry.pk}, note=reason,
                                   method=entry.method, reverses=entry)
    except IntegrityError:
        raise ValidationError(_("Entry #%(pk)s is already reversed.") % {"pk": entry.pk},
                              code="already_reversed") from None
    if entry.kind == CreditEntry.Kind.PAYMENT:
        post_day_book(entries=[(DayBookEntry.Kind.CREDIT_RECEIVED, entry.method, entry.amount)],
                      day=timezone.localdate(), user=user, reference=khata_reference(reversal, customer),
                      source=reversal)
    return reversal
