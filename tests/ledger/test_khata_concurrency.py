"""Concurrent repayments on PostgreSQL: real threads, each on its own database connection."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from ledger.models import CreditEntry, CustomerBalance, DayBookEntry
from ledger.selectors import customer_balance
from ledger.services import credit_entry_reverse, credit_opening_balance, credit_payment_receive
from tests import factories
from tests.catalog.test_stock_concurrency import THREADS, run_in_threads
from tests.conftest import transactional_db

pytestmark = [pytest.mark.postgres, transactional_db]
D = Decimal


def test_eight_cashiers_taking_repayments_from_one_customer_at_once_lose_none(owner):
    assert connection.vendor == "postgresql"
    customer = factories.CustomerFactory()
    credit_opening_balance(customer=customer, amount="100000", user=owner)
    cashiers = [factories.UserFactory(username=f"till{i}", role="Cashier") for i in range(THREADS)]

    def repay(index):
        for round_ in range(5):
            credit_payment_receive(customer=customer, amount=D("10.01") + index + round_, method="cash",
                                   user=cashiers[index])
        return "ok"

    assert run_in_threads(repay) == ["ok"] * THREADS
    paid = sum((D("10.01") + i + r for i in range(THREADS) for r in range(5)), D(0))
    assert CreditEntry.objects.filter(kind="payment").count() == THREADS * 5
    assert customer_balance(customer) == D("100000") - paid
    assert CustomerBalance.objects.get(customer=customer).balance == D("100000") - paid
    assert sum(DayBookEntry.objects.filter(kind="credit_received").values_list("amount", flat=True)) == paid


def test_concurrent_repayments_never_take_more_than_is_owed(owner):
    customer = factories.CustomerFactory()
    credit_opening_balance(customer=customer, amount="100", user=owner)

    def repay(_index):
        try:
            credit_payment_receive(customer=customer, amount="30", method="cash", user=owner)
            return "paid"
        except ValidationError:
            return "refused"

    results = run_in_threads(repay)
    assert results.count("paid") == 3 and results.count("refused") == THREADS - 3
    assert customer_balance(customer) == D("10.00")


def test_concurrent_reversals_of_one_entry_reverse_it_once(owner):
    customer = factories.CustomerFactory()
    credit_opening_balance(customer=customer, amount="100", user=owner)
    payment = credit_payment_receive(customer=customer, amount="60", method="upi", reference="412345678901",
                                     user=owner)

    def reverse(_index):
        try:
            credit_entry_reverse(entry=payment, user=owner, reason="bounced")
            return "reversed"
        except ValidationError:
            return "refused"

    results = run_in_threads(reverse)
    assert results.count("reversed") == 1
    assert customer_balance(customer) == D("100.00")
    assert DayBookEntry.objects.filter(kind="credit_received", amount=D("-60")).count() == 1
