"""How other apps post into the books. Sales calls these inside its own transaction."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from ledger.models import BookDay, CreditEntry, Customer, CustomerBalance, DayBookEntry, DayClosing, StoreCreditEntry
from ledger.selectors import customer_balance  # noqa: F401  (re-exported: sales imports it from here)
from shop.models import User
from shop.money import MoneySum, money_sum
from shop.records import source_fields

ZERO = Decimal("0")


def lock_customer(customer: Customer) -> Customer:
    """Lock the customer's row until the transaction ends and return it as stored: everything that posts
    to one khata, or checks a credit limit against it, queues here.

    The global lock order (every transaction takes a prefix of it, so no two wait on each other in a cycle):
      1. an existing invoice row (invoice_cancel, return_create; checkout never locks one),
      2. a coupon row (checkout), then the invoice or credit note series row of the year,
      3. Stock rows in product-id order (catalog.services.stock_move),
      4. the customer row (here: checkout's credit-limit check, post_credit, the ledger.services postings,
         which start here),
      5. the day's BookDay row (book_day_lock), always last.
    The lock is FOR NO KEY UPDATE: rows inserted pointing at the customer (an invoice, a khata entry) take
    FOR KEY SHARE on it for their foreign key check, which this lock does not block; so those inserts add
    no step to the order (a plain FOR UPDATE would, and would deadlock a cancellation against a checkout).
    """
    locked = Customer.objects.select_for_update(no_key=True).filter(pk=customer.pk).first()
    if locked is None:
        raise Customer.DoesNotExist(f"No customer with id {customer.pk}.")
    return locked


def store_credit_balance(customer: Customer) -> Decimal:
    """Return the store credit the customer holds: the sum of their store credit entries."""
    return money_sum(customer.store_credit_entries.all(), "amount")


@transaction.atomic  # its own transaction when called outside one, so the lock means something
def post_credit(*, customer: Customer, kind: str, amount: Decimal, user: User | None, reference: str = "",
                source: models.Model | None = None, note: str = "", method: str = "",
                reverses: CreditEntry | None = None, created_at: datetime | None = None) -> CreditEntry:
    """Append one khata entry (positive: the customer owes more) and bring the customer's maintained
    balance (CustomerBalance) up to date, under the customer's row lock.

    A reversal posted for a source document without `reverses` (an invoice's cancellation) is linked to
    that document's entry of the opposite amount, so the entry counts as reversed (once only: the link is
    unique in the database).
    """
    lock_customer(customer)
    if kind == CreditEntry.Kind.REVERSAL and reverses is None and source is not None:
        reverses = (CreditEntry.objects.filter(customer=customer, amount=-amount, reverses__isnull=True,
                                               reversed_by__isnull=True, **source_fields(source))
                    .exclude(kind=CreditEntry.Kind.REVERSAL).order_by("pk").first())
    entry = CreditEntry.objects.create(customer=customer, kind=kind, amount=amount, created_by=user,
                                       reference=reference[:60], note=note[:255], method=method, reverses=reverses,
                                       created_at=created_at or timezone.now(), **source_fields(source))
    customer_balance_refresh(customer_id=customer.pk)
    return entry


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


# --- The maintained balances the customer list reads -------------------------------------------------------


def balance_values(entries: models.QuerySet) -> dict:
    """Return the CustomerBalance columns computed from one customer's entries."""
    balance = entries.aggregate(total=MoneySum("amount"))["total"]
    last_payment_at = (entries.filter(kind=CreditEntry.Kind.PAYMENT, reversed_by__isnull=True)
                       .aggregate(at=Max("created_at"))["at"])
    return {"balance": balance, "last_payment_at": last_payment_at,
            "oldest_due_on": oldest_open_debt(entries, balance)}


def oldest_open_debt(entries: models.QuerySet, balance: Decimal) -> date | None:
    """Return the day of one customer's oldest debt not paid off, first in first out (None when nothing is owed).

    What is owed is the newest live debts (neither a reversal nor reversed), so walking back from the newest
    until they cover the balance finds it, as ledger.selectors allocates; usually after a few rows.
    """
    if balance <= 0:
        return None
    # Reversals are skipped here rather than in SQL: "reverses_id IS NULL" would lead SQLite to the index on
    # reverses_id (true for nearly every row) instead of the one on (customer, time).
    debts = (entries.filter(amount__gt=0, reversed_by__isnull=True).order_by("-created_at", "-pk")
             .values_list("created_at", "amount", "reverses_id"))
    covered, day = ZERO, None
    for created_at, amount, reverses_id in debts.iterator(chunk_size=200):
        if reverses_id is not None:
            continue
        covered += amount
        day = timezone.localdate(created_at)
        if covered >= balance:
            break
    return day


def customer_balance_refresh(*, customer_id: int, entry_model=CreditEntry,
                             balance_model=CustomerBalance) -> None:
    """Recompute one customer's maintained balance from their entries (the caller holds the customer's lock)."""
    values = balance_values(entry_model.objects.filter(customer_id=customer_id))
    balance_model.objects.update_or_create(customer_id=customer_id, defaults=values)


def customer_balances_rebuild(*, entry_model=CreditEntry, balance_model=CustomerBalance) -> int:
    """Recompute every customer's maintained balance from the entries, in one transaction; return how many
    customers have entries.

    For the migration that adds the table (historical models passed in) and for repairs; postings keep the
    balances current on their own. Balances and last payments come from two grouped queries; only customers
    who owe something need their oldest open debt looked up.
    """
    entries = entry_model.objects.order_by()
    balances = dict(entries.values("customer_id").annotate(total=MoneySum("amount"))
                    .values_list("customer_id", "total"))
    last_payments = dict(entries.filter(kind=CreditEntry.Kind.PAYMENT, reversed_by__isnull=True)
                         .values("customer_id").annotate(at=Max("created_at")).values_list("customer_id", "at"))
    rows = []
    for customer_id, balance in balances.items():
        rows.append(balance_model(customer_id=customer_id, balance=balance,
                                  oldest_due_on=oldest_open_debt(entries.filter(customer_id=customer_id), balance),
                                  last_payment_at=last_payments.get(customer_id)))
    with transaction.atomic():
        balance_model.objects.all().delete()
        balance_model.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
