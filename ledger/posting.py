"""How other apps post into the books. Sales calls these inside its own transaction."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from ledger.models import BookDay, CreditEntry, Customer, DayBookEntry, DayClosing, StoreCreditEntry
from shop.models import User
from shop.money import money_sum
from shop.records import source_fields

ZERO = Decimal("0")


def customer_balance(customer: Customer) -> Decimal:
    """Return what the customer owes: the sum of their khata entries."""
    return money_sum(customer.credit_entries.all(), "amount")


def store_credit_balance(customer: Customer) -> Decimal:
    """Return the store credit the customer holds: the sum of their store credit entries."""
    return money_sum(customer.store_credit_entries.all(), "amount")


def post_credit(*, customer: Customer, kind: str, amount: Decimal, user: User | None, reference: str = "",
                source: models.Model | None = None, note: str = "") -> CreditEntry:
    """Append one khata entry (positive: the customer owes more)."""
    return CreditEntry.objects.create(customer=customer, kind=kind, amount=amount, created_by=user,
                                      reference=reference[:60], note=note[:255], **source_fields(source))


@transaction.atomic
def post_day_book(*, entries: Iterable[tuple[str, str, Decimal]], day: date, user: User | None,
                  reference: str = "", source: models.Model | None = None, note: str = "",
                  category: str = "") -> list[DayBookEntry]:
    """Append day book entries given as (kind, method, signed amount); zero amounts are skipped.

    Every money event passes here, even one with nothing to post yet (a sale awaiting its UPI
    confirmation): the day's row is locked and a closed day refuses the event with DayClosed.
    """
    book_day_lock(day=day)
    links = source_fields(source)
    return DayBookEntry.objects.bulk_create([
        DayBookEntry(date=day, kind=kind, method=method, amount=amount, created_by=user, reference=reference[:60],
                     note=note[:255], category=category, **links)
        for kind, method, amount in entries if amount
    ])


def post_store_credit(*, customer: Customer, kind: str, amount: Decimal, user: User | None, reference: str = "",
                      source: models.Model | None = None, note: str = "") -> StoreCreditEntry:
    """Append one store credit entry (positive: the shop owes the customer more)."""
    return StoreCreditEntry.objects.create(customer=customer, kind=kind, amount=amount, created_by=user,
                                           reference=reference[:60], note=note[:255], **source_fields(source))


# --- Day book: the per-day lock and the closed-day rule ----------------------------------------


class DayClosed(ValidationError):
    """The day's cash was counted and the day closed; only an owner's reopening lets entries in again."""


def book_day_lock(*, day: date, allow_closed: bool = False) -> BookDay:
    """Lock the day's row, creating it the first time, and return it; refuse a closed day unless allow_closed.

    Lock order: every posting takes this lock last in its transaction (after the invoice series, stock,
    payment or customer rows), and a closing takes only this one before reading the day's entries. So a
    closing waits for postings in flight to commit and counts them, and a posting that waited for a
    closing sees the day closed (PostgreSQL re-reads a row it waited for); nothing lands after the count.
    """
    book_day = BookDay.objects.select_for_update().filter(day=day).first()
    if book_day is None:
        BookDay.objects.bulk_create([BookDay(day=day)], ignore_conflicts=True)
        book_day = BookDay.objects.select_for_update().get(day=day)
    if book_day.is_closed and not allow_closed:
        closing = DayClosing.objects.select_related("closed_by").get(pk=book_day.closing_id)
        who = closing.closed_by.get_full_name() or closing.closed_by.get_username()
        raise DayClosed(
            f"The day book of {day:%d-%m-%Y} is closed: {who} counted the cash at "
            f"{timezone.localtime(closing.closed_at):%H:%M on %d-%m-%Y}. Nothing more can be recorded on that day "
            "unless an owner reopens it.", code="day_closed")
    return book_day
