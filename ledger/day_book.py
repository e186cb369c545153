"""Writes to the day book by hand: expenses, cash in / out, and closing (or reopening) a day.

Each service runs in one transaction and posts through ledger.posting, which locks the day's row
(BookDay) last, so the closed-day rule and the lock order are the same as for sales and repayments.
Errors a user can cause are ValidationErrors keyed by the field at fault; a role that may not act
gets PermissionDenied.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ledger.models import DayBookEntry, DayClosing, DayReopening, PaymentMethod
from ledger.posting import book_day_lock, post_day_book
from ledger.selectors import day_cash_position
from sales.held_bills import held_bills_expire, shop_day_end
from shop.models import User
from shop.money import format_inr, to_paise
from shop.notifications.inbox import MANAGERS, Level, notify

Category = DayBookEntry.Category
EXPENSE_CATEGORIES = (Category.RENT, Category.SALARY, Category.ELECTRICITY, Category.TRANSPORT,
                      Category.PURCHASE_PAYMENT, Category.OTHER_EXPENSE)
# Why cash goes into or out of the drawer besides sales and expenses, and which way each reason may go.
CASH_MOVEMENT_REASONS = {
    DayBookEntry.Kind.CASH_IN: (Category.FLOAT_ADDED, Category.OTHER_CASH),
    DayBookEntry.Kind.CASH_OUT: (Category.BANK_DEPOSIT, Category.OWNERS_DRAWING, Category.OTHER_CASH),
}
# Notes a drawer is counted in (rupees), then "coins" as an amount.
NOTE_VALUES = (500, 200, 100, 50, 20, 10)
COINS = "coins"
DENOMINATION_KEYS = (*(str(value) for value in NOTE_VALUES), COINS)
MAX_AMOUNT = Decimal("999999999999.99")  # what a money column holds
MAX_NOTES = 1_000_000

EXPENSE_PERMISSION = "ledger.record_expense"
CLOSE_PERMISSION = "ledger.close_day"
REOPEN_PERMISSION = "ledger.reopen_day"


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _amount(value, *, field: str, allow_zero: bool = False) -> Decimal:
    """Return a positive amount in rupees to the paisa, or raise naming the field."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, TypeError, ValueError):
        raise _error(field, f"Enter an amount in rupees, like 250 or 99.50 (not {str(value)[:20]!r}).",
                     "number") from None
    if not amount.is_finite():
        raise _error(field, "Enter an amount in rupees, like 250 or 99.50.", "number")
    if amount != to_paise(amount):
        raise _error(field, "An amount has at most two decimals (paise).", "paise")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise _error(field, "Enter an amount above zero." if not allow_zero else "An amount cannot be negative.",
                     "not_positive")
    if amount > MAX_AMOUNT:
        raise _error(field, "That amount is too large.", "too_large")
    return to_paise(amount)


def _day(day: date | None, *, field: str = "day") -> date:
    """Return the day (today when None); a day that has not begun yet is refused."""
    today = timezone.localdate()
    day = day or today
    if not isinstance(day, date):
        raise _error(field, "Enter a date.", "date")
    if day > today:
        raise _error(field, "That day has not begun yet.", "future")
    return day


def _text(value: str, *, limit: int) -> str:
    return (value or "").strip()[:limit]


def _require(user: User, permission: str, refusal: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(refusal)


# --- Expenses and cash in / out -----------------------------------------------------------------


@transaction.atomic
def expense_record(*, category: str, amount: Decimal | str, method: str, user: User, note: str = "",
                   reference: str = "", day: date | None = None) -> DayBookEntry:
    """Record money the shop paid out (rent, salary, electricity, ...) as a day book entry; owner or manager.

    The method is how it was paid: cash leaves the drawer, UPI or card the bank. The day defaults to
    today; an earlier day must still be open.
    """
    _require(user, EXPENSE_PERMISSION, "Only an owner or a manager can record expenses.")
    errors = {}
    if category not in EXPENSE_CATEGORIES:
        errors["category"] = ["Choose what the expense was for."]
    if method not in PaymentMethod.values or method == PaymentMethod.CREDIT:
        errors["method"] = ["Choose how the expense was paid: cash, UPI or card."]
    try:
        amount = _amount(amount, field="amount")
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    try:
        day = _day(day)
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    if errors:
        raise ValidationError(errors)
    [entry] = post_day_book(entries=[(DayBookEntry.Kind.EXPENSE, method, -amount)], day=day, user=user,
                            reference=_text(reference, limit=60), note=_text(note, limit=255), category=category)
    return entry


@transaction.atomic
def cash_movement_record(*, kind: str, reason: str, amount: Decimal | str, user: User, note: str = "",
                         day: date | None = None) -> DayBookEntry:
    """Record cash put into the drawer (float added) or taken out of it (bank deposit, owner's drawing);
    owner or manager. kind is DayBookEntry.Kind.CASH_IN or CASH_OUT."""
    _require(user, EXPENSE_PERMISSION, "Only an owner or a manager can record cash in or out.")
    errors = {}
    if kind not in CASH_MOVEMENT_REASONS:
        errors["kind"] = ["Choose cash in or cash out."]
    elif reason not in CASH_MOVEMENT_REASONS[kind]:
        labels = ", ".join(str(Category(value).label).lower() for value in CASH_MOVEMENT_REASONS[kind])
        errors["reason"] = [f"Cash {'in' if kind == DayBookEntry.Kind.CASH_IN else 'out'} is one of: {labels}."]
    try:
        amount = _amount(amount, field="amount")
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    try:
        day = _day(day)
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    if errors:
        raise ValidationError(errors)
    signed = amount if kind == DayBookEntry.Kind.CASH_IN else -amount
    [entry] = post_day_book(entries=[(kind, PaymentMethod.CASH, signed)], day=day, user=user,
                            note=_text(note, limit=255), category=reason)
    return entry


# --- Closing the day ----------------------------------------------------------------------------


def denominations_clean(denominations: dict) -> dict[str, int | str]:
    """Return the drawer's count as stored: {"500": notes, ..., "10": notes, "coins": "12.50"}, zeros left out.

    Keys are the note values (as numbers or text) and "coins"; counts are whole, coins an amount.
    """
    if not isinstance(denominations, dict):
        raise _error("denominations", "The count of notes and coins is not readable.", "shape")
    counted: dict[str, int | str] = {}
    for key, value in denominations.items():
        name = str(key).strip()
        if name not in DENOMINATION_KEYS:
            raise _error("denominations", f"{name[:10]!r} is not a note Galla counts: use "
                         f"{', '.join(DENOMINATION_KEYS)}.", "unknown_note")
        if value in (None, ""):
            continue
        if name == COINS:
            coins = _amount(value, field="denominations", allow_zero=True)
            if coins:
                counted[COINS] = str(coins)
            continue
        try:
            notes = int(str(value).strip())
        except ValueError:
            raise _error("denominations", f"Count ₹{name} notes as a whole number.", "whole") from None
        if not 0 <= notes <= MAX_NOTES:
            raise _error("denominations", f"The count of ₹{name} notes must be between 0 and {MAX_NOTES:,}.",
                         "range")
        if notes:
            counted[name] = notes
    return {key: counted[key] for key in DENOMINATION_KEYS if key in counted}


def denominations_total(denominations: dict[str, int | str]) -> Decimal:
    """Return the rupees a cleaned count adds up to."""
    notes = sum((Decimal(int(name)) * count for name, count in denominations.items() if name != COINS), Decimal(0))
    return to_paise(notes + Decimal(denominations.get(COINS, "0")))


@transaction.atomic
def day_close(*, day: date, counted_cash: Decimal | str, user: User, denominations: dict | None = None,
              note: str = "") -> DayClosing:
    """Close a day with the cash counted in the drawer; owner or manager.

    Records the opening cash, the day's cash in and out, the expected cash, the counted cash and the
    difference (counted - expected). When the count is given by denomination, its total must be
    the counted cash. From then on nothing more is posted on that day until an owner reopens it;
    the next day opens with the counted cash. Locks the day's row before reading its entries. The held
    bills of that day and earlier expire (sales.held_bills).
    """
    _require(user, CLOSE_PERMISSION, "Only an owner or a manager can close the day.")
    day = _day(day)
    counted = _amount(counted_cash, field="counted_cash", allow_zero=True)
    counted_notes = denominations_clean(denominations) if denominations else {}
    if denominations and denominations_total(counted_notes) != counted:
        raise _error("counted_cash", f"The notes and coins add up to {format_inr(denominations_total(counted_notes))}, "
                     f"not {format_inr(counted)}.", "count_mismatch")
    book_day = book_day_lock(day=day, allow_closed=True)
    if book_day.is_closed:
        raise _error("day", f"{day:%d-%m-%Y} is already closed.", "already_closed")
    position = day_cash_position(day=day)
    closing = DayClosing(day=day, opening_cash=position.opening, cash_in=position.cash_in, cash_out=position.cash_out,
                         expected_cash=position.expected, counted_cash=counted, difference=counted - position.expected,
                         denominations=counted_notes, note=_text(note, limit=255), closed_by=user)
    closing.full_clean()
    closing.save()
    book_day.closing = closing
    book_day.save(update_fields=["closing"])
    # Bills parked at the counter that day (or before) could only be sold on a closed day: they expire.
    held_bills_expire(before=shop_day_end(day))
    if closing.difference:
        _notify_cash_difference(closing)
    return closing


# A drawer off by this much or more is flagged "needs action"; less is a warning (change, rounding).
CASH_DIFFERENCE_ALARM = Decimal("100")


def _notify_cash_difference(closing: DayClosing) -> None:
    """Tell the owner and managers that the counted cash differs from the books (in the closing's transaction)."""
    word = "more" if closing.difference > 0 else "less"
    notify(text=f"Cash at closing on {closing.day:%d-%m-%Y} is {format_inr(abs(closing.difference))} {word} than "
                f"expected ({format_inr(closing.counted_cash)} counted, {format_inr(closing.expected_cash)} expected; "
                f"closed by {closing.closed_by.get_username()}).",
           level=Level.DANGER if abs(closing.difference) >= CASH_DIFFERENCE_ALARM else Level.WARNING,
           link=reverse("admin:ledger_dayclosing_change", args=[closing.pk]), roles=MANAGERS,
           key=f"cash-difference:{closing.pk}")


@transaction.atomic
def day_reopen(*, day: date, user: User, reason: str) -> DayReopening:
    """Reopen a closed day so entries can be posted on it again; the owner only, with a reason.

    The closing stays on record, marked reopened; closing the day again records a new count.
    """
    _require(user, REOPEN_PERMISSION, "Only an owner can reopen a closed day.")
    reason = _text(reason, limit=255)
    if not reason:
        raise _error("reason", "Say why the day is reopened.", "required")
    book_day = book_day_lock(day=day, allow_closed=True)
    if not book_day.is_closed:
        raise _error("day", f"{day:%d-%m-%Y} is not closed.", "not_closed")
    reopening = DayReopening.objects.create(closing_id=book_day.closing_id, reason=reason, reopened_by=user)
    book_day.closing = None
    book_day.save(update_fields=["closing"])
    return reopening
