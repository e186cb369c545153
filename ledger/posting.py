"""How other apps post into the books. Sales calls these inside its own transaction."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import models

from ledger.models import CreditEntry, Customer, DayBookEntry, StoreCreditEntry
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


def post_day_book(*, entries: Iterable[tuple[str, str, Decimal]], day: date, user: User | None,
                  reference: str = "", source: models.Model | None = None) -> list[DayBookEntry]:
    """Append day book entries given as (kind, method, signed amount); zero amounts are skipped."""
    links = source_fields(source)
    return DayBookEntry.objects.bulk_create([
        DayBookEntry(date=day, kind=kind, method=method, amount=amount, created_by=user, reference=reference[:60],
                     **links)
        for kind, method, amount in entries if amount
    ])


def post_store_credit(*, customer: Customer, kind: str, amount: Decimal, user: User | None, reference: str = "",
                      source: models.Model | None = None, note: str = "") -> StoreCreditEntry:
    """Append one store credit entry (positive: the shop owes the customer more)."""
    return StoreCreditEntry.objects.create(customer=customer, kind=kind, amount=amount, created_by=user,
                                           reference=reference[:60], note=note[:255], **source_fields(source))
