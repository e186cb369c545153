"""How other apps post into the books. Sales calls these inside its own transaction."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Sum

from ledger.models import CreditEntry, Customer, DayBookEntry
from shop.models import User
from shop.records import source_fields

ZERO = Decimal("0")


def customer_balance(customer: Customer) -> Decimal:
    """Return what the customer owes: the sum of their khata entries."""
    return customer.credit_entries.aggregate(total=Sum("amount"))["total"] or ZERO


def post_credit(*, customer: Customer, kind: str, amount: Decimal, user: User | None, reference: str = "",
                source: models.Model | None = None, note: str = "") -> CreditEntry:
    """Append one khata entry (positive: the customer owes more)."""
    return CreditEntry.objects.create(customer=customer, kind=kind, amount=amount, created_by=user,
                                      reference=reference[:60], note=note[:255], **source_fields(source))


def post_day_book(*, entries: Iterable[tuple[str, str, Decimal]], day: date, user: User | None,
                  reference: str = "", source: models.Model | None = None) -> list[DayBookEntry]:
    """Append day book entries given as (kind, method, signed amount); zero amounts are skipped."""
    links = source_fields(source)
    return DayBookEntry.objects.bulk_create([
        DayBookEntry(date=day, kind=kind, method=method, amount=amount, created_by=user, reference=reference[:60],
                     **links)
        for kind, method, amount in entries if amount
    ])
