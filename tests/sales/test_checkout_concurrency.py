"""Cashiers completing sales at the same moment, on PostgreSQL, each thread on its own connection."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from sales.models import Invoice
from sales.services import checkout
from tests.catalog.test_stock_concurrency import THREADS, run_in_threads
from tests.conftest import transactional_db

pytestmark = [pytest.mark.postgres, transactional_db]
D = Decimal


def serials(numbers) -> list[int]:
    return sorted(int(number.rsplit("/", 1)[1]) for number in numbers)


def test_eight_cashiers_at_once_get_consecutive_numbers(shop, stocked, cashier):
    products = [stocked("1000") for _ in range(3)]

    def sell_five(index):
        return [checkout(cashier=cashier, lines=[{"product": p, "quantity": D("1")} for p in products[index % 3:]],
                         payments=[{"method": "cash", "amount": D("1000")}]).number for _ in range(5)]

    results = run_in_threads(sell_five)
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = [number for batch in results for number in batch]
    assert serials(numbers) == list(range(1, THREADS * 5 + 1))
    assert len(set(numbers)) == len(numbers) == Invoice.objects.count()


def test_sales_that_fail_after_taking_a_number_leave_no_gap(shop, stocked, cashier):
    scarce, plenty = stocked("4"), stocked("1000")  # 8 bills want the 4 scarce units: 4 fail after numbering

    def sell(_index):
        try:
            return checkout(cashier=cashier, lines=[{"product": plenty, "quantity": D("1")},
                                                    {"product": scarce, "quantity": D("1")}],
                            payments=[{"method": "cash", "amount": D("1000")}]).number
        except ValidationError as refusal:
            return "refused" if "Only 0 pcs" in str(refusal) else refusal

    results = run_in_threads(sell)
    numbers = [r for r in results if r != "refused"]
    assert results.count("refused") == 4
    assert serials(numbers) == [1, 2, 3, 4]


def test_a_crash_after_the_number_is_allocated_leaves_no_gap(shop, stocked, cashier):
    product = stocked()
    first = checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                     payments=[{"method": "cash", "amount": D("500")}])
    with mock.patch("sales.services.post_day_book", side_effect=RuntimeError("power cut")), \
            pytest.raises(RuntimeError):
        checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                 payments=[{"method": "cash", "amount": D("500")}])
    after = checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                     payments=[{"method": "cash", "amount": D("500")}])
    assert serials([first.number, after.number]) == [1, 2]


def test_double_submission_with_one_key_makes_one_invoice(shop, stocked, cashier):
    product = stocked("100")

    def submit(_index):
        return checkout(cashier=cashier, lines=[{"product": product, "quantity": D("2")}],
                        payments=[{"method": "cash", "amount": D("500")}], idempotency_key="counter-1-bill-77").pk

    results = run_in_threads(submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert Invoice.objects.count() == 1
    product.stocks.get().refresh_from_db()
    assert product.stocks.get().quantity == 98
