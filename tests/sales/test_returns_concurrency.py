"""Returns made at the same moment, on PostgreSQL, each thread on its own connection."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Stock
from sales.models import CreditNote
from sales.services import checkout, return_create
from tests.catalog.test_stock_concurrency import THREADS, run_in_threads
from tests.conftest import transactional_db
from tests.sales.selling import exact_cash
from tests.sales.test_checkout_concurrency import serials

pytestmark = [pytest.mark.postgres, transactional_db]
D = Decimal


def sale(cashier, product, quantity: str):
    lines = [{"product": product, "quantity": D(quantity)}]
    return checkout(cashier=cashier, lines=lines, payments=[exact_cash(lines)])


def give_back(invoice, user, quantity: str, **options):
    return return_create(invoice=invoice, lines=[{"line": invoice.lines.get(), "quantity": D(quantity)}],
                         refund_method="cash", user=user, **options)


def refused_or_number(work):
    try:
        return work().number
    except ValidationError as refusal:
        return "over_return" if "can come back" in str(refusal) else refusal


def test_two_returns_of_the_same_bill_at_once_cannot_take_back_more_than_was_sold(shop, stocked, owner):
    soap = stocked("100")
    invoice = sale(owner, soap, "5")
    results = run_in_threads(lambda _index: refused_or_number(lambda: give_back(invoice, owner, "3")), count=2)
    assert sorted(results, key=str) == sorted([f"SKSC/{invoice.financial_year}/00001", "over_return"], key=str)
    assert sum(line.quantity for line in invoice.lines.get().credit_lines.all()) == 3
    assert Stock.objects.get(product=soap).quantity == 98


def test_eight_returns_of_one_each_from_five_sold_take_back_exactly_five(shop, stocked, owner):
    soap = stocked("100")
    invoice = sale(owner, soap, "5")
    results = run_in_threads(lambda _index: refused_or_number(lambda: give_back(invoice, owner, "1")))
    assert results.count("over_return") == THREADS - 5
    assert serials([r for r in results if r != "over_return"]) == [1, 2, 3, 4, 5]
    assert sum(note.grand_total for note in CreditNote.objects.all()) == invoice.grand_total
    assert Stock.objects.get(product=soap).quantity == 100


def test_credit_note_numbers_of_many_cashiers_at_once_are_gapless(shop, stocked, owner):
    products = [stocked("100") for _ in range(3)]
    invoices = [sale(owner, products[index % 3], "5") for index in range(THREADS)]

    def return_twice(index):
        return [give_back(invoices[index], owner, "1").number for _ in range(2)]

    results = run_in_threads(return_twice)
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = [number for batch in results for number in batch]
    assert serials(numbers) == list(range(1, THREADS * 2 + 1))
    assert len(set(numbers)) == CreditNote.objects.count() == THREADS * 2


def test_a_return_that_fails_after_taking_its_number_leaves_no_gap(shop, stocked, owner):
    invoice = sale(owner, stocked("100"), "5")
    first = give_back(invoice, owner, "1")
    with mock.patch("sales.services.post_day_book", side_effect=RuntimeError("power cut")), \
            pytest.raises(RuntimeError):
        give_back(invoice, owner, "1")
    after = give_back(invoice, owner, "1")
    assert serials([first.number, after.number]) == [1, 2]


def test_the_same_return_submitted_twice_at_once_makes_one_credit_note(shop, stocked, owner):
    soap = stocked("100")
    invoice = sale(owner, soap, "5")
    results = run_in_threads(lambda _index: give_back(invoice, owner, "2", idempotency_key="return-77").pk)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1 and CreditNote.objects.count() == 1
    assert Stock.objects.get(product=soap).quantity == 97
