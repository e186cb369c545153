"""Money aggregates are exact on every database: SQLite would otherwise add decimals as floats."""

import sqlite3
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F, Sum

from ledger.models import CreditEntry
from ledger.posting import customer_balance
from shop.money import MoneySum, money_sum
from tests import factories

pytestmark = pytest.mark.django_db
ROWS = 10_000


def paise_amounts(count: int, seed: int = 3) -> list[Decimal]:
    """Return amounts from ₹0.01 to ₹99.99 (the size of a line's tax) in a scrambled but repeatable order."""
    return [Decimal((seed + index * 3737) % 9999 + 1) / 100 for index in range(count)]


def write_entries(customer, amounts: list[Decimal]) -> None:
    CreditEntry.objects.bulk_create([CreditEntry(customer=customer, kind=CreditEntry.Kind.ADJUSTMENT, amount=amount)
                                     for amount in amounts], batch_size=2_000)


def test_money_sum_adds_ten_thousand_paise_amounts_exactly():
    amounts = paise_amounts(ROWS)
    write_entries(factories.CustomerFactory(), amounts)
    exact = sum(amounts, Decimal(0))
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 43):
        # The drift this guards against: SQLite's SUM adds floats (3.43 and later add them more carefully).
        assert CreditEntry.objects.aggregate(total=Sum("amount"))["total"] != exact
    total = money_sum(CreditEntry.objects.all(), "amount")
    assert total == exact and str(total) == f"{exact:.2f}"


def test_customer_balance_is_exact_to_the_paisa():
    customer = factories.CustomerFactory()
    amounts = paise_amounts(3_000, seed=11) + [Decimal("-0.07")] * 500
    write_entries(customer, amounts)
    assert customer_balance(customer) == sum(amounts, Decimal(0))


def test_money_sum_annotates_each_group_exactly():
    first, second = factories.CustomerFactory(), factories.CustomerFactory()
    write_entries(first, paise_amounts(2_000, seed=3))
    write_entries(second, paise_amounts(2_000, seed=5))
    totals = dict(CreditEntry.objects.values_list("customer").annotate(total=MoneySum("amount")).order_by())
    assert totals == {first.pk: sum(paise_amounts(2_000, seed=3), Decimal(0)),
                      second.pk: sum(paise_amounts(2_000, seed=5), Decimal(0))}


def test_money_sum_adds_an_expression_exactly():
    amounts = paise_amounts(ROWS)
    write_entries(factories.CustomerFactory(), amounts)
    total = CreditEntry.objects.aggregate(total=MoneySum(F("amount") * -1))["total"]
    assert total == -sum(amounts, Decimal(0))


def test_money_sum_of_no_rows_is_zero_rupees():
    total = money_sum(CreditEntry.objects.none(), "amount")
    assert total == 0 and str(total) == "0.00"
