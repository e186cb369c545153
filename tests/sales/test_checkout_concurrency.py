"""Cashiers completing sales at the same moment, on PostgreSQL, each thread on its own connection."""

import time
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from ledger.selectors import customer_balance
from ledger.services import credit_adjust, credit_payment_receive
from sales.models import Invoice
from sales.services import checkout, invoice_cancel, return_create
from tests import factories
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


def _slow_balance(seconds: float):
    """Return customer_balance slowed down after its read: without the customer's lock a second sale
    would read the same stale balance inside this window."""
    from ledger.selectors import customer_balance

    def slow(customer):
        owed = customer_balance(customer)
        time.sleep(seconds)
        return owed
    return slow


def test_two_credit_sales_that_together_cross_the_limit_let_exactly_one_through(shop, stocked, cashier):
    customer = factories.CustomerFactory(name="Ravi", credit_limit=D("1000"))
    # Different goods on each bill, so no Stock row lock happens to put the two sales in a queue.
    products = [stocked("10", selling_price=D("700")) for _ in range(2)]

    def sell_on_credit(index):
        try:
            return checkout(cashier=cashier, customer=customer,
                            lines=[{"product": products[index], "quantity": D("1")}],
                            payments=[{"method": "credit", "amount": D("700")}]).number
        except ValidationError as refusal:
            return "refused" if "credit limit" in str(refusal) else refusal

    with mock.patch("sales.services.customer_balance", _slow_balance(0.5)):
        results = run_in_threads(sell_on_credit, count=2)
    assert results.count("refused") == 1, results
    assert [r for r in results if r != "refused"][0].startswith("SKS/"), results
    assert customer_balance(customer) == D("700.00")
    assert Invoice.objects.filter(credit_amount__gt=0).count() == 1


def test_eight_credit_sales_to_one_customer_at_once_stay_within_the_limit(shop, stocked, cashier):
    customer = factories.CustomerFactory(credit_limit=D("1000"))
    products = [stocked("100", selling_price=D("300")) for _ in range(THREADS)]

    def sell_on_credit(index):
        try:
            checkout(cashier=cashier, customer=customer, lines=[{"product": products[index], "quantity": D("1")}],
                     payments=[{"method": "credit", "amount": D("300")}])
            return "sold"
        except ValidationError as refusal:
            return "refused" if "credit limit" in str(refusal) else refusal

    results = run_in_threads(sell_on_credit)
    assert results.count("sold") == 3 and results.count("refused") == THREADS - 3, results
    assert customer_balance(customer) == D("900.00")


def test_credit_sales_racing_cancellations_and_repayments_of_one_customer_never_deadlock(shop, stocked, cashier,
                                                                                          owner):
    """Checkout, invoice_cancel, return_create and credit_payment_receive, all at once on one customer and
    the same products: the one lock order lets every one of them finish (a deadlock would raise)."""
    customer = factories.CustomerFactory(credit_limit=D("100000"))
    products = [stocked("1000", selling_price=D("100")) for _ in range(2)]

    def sale():
        return checkout(cashier=cashier, customer=customer,
                        lines=[{"product": p, "quantity": D("1")} for p in products],
                        payments=[{"method": "credit", "amount": D("200")}])

    to_cancel = [sale() for _ in range(2)]
    to_return = [sale() for _ in range(2)]

    def work(index):
        kind = index % 4
        if kind == 0:
            sale()
        elif kind == 1:
            invoice_cancel(invoice=to_cancel[index // 4], user=owner, reason="Wrong customer")
        elif kind == 2:
            invoice = to_return[index // 4]
            return_create(invoice=invoice, user=owner, refund_method="khata",
                          lines=[{"line": line, "quantity": D("1")} for line in invoice.lines.all()])
        else:
            credit_payment_receive(customer=customer, amount="50", method="cash", user=owner)
        return "ok"

    results = run_in_threads(work)
    assert results == ["ok"] * THREADS, results
    # 6 sales of 200, 2 cancelled, 2 returned in full, 2 repayments of 50
    assert customer_balance(customer) == D("6") * 200 - 4 * 200 - 2 * 50


def test_a_credit_sale_checks_its_limit_against_a_balance_no_concurrent_posting_changes(shop, stocked, cashier,
                                                                                       manager):
    """The invoice series lock queues checkouts among themselves, not against khata postings: only the
    customer's lock keeps an adjustment from landing between the sale's limit check and its entry."""
    customer = factories.CustomerFactory(credit_limit=D("1000"))
    product = stocked("10", selling_price=D("700"))

    def work(index):
        if index == 0:
            checkout(cashier=cashier, customer=customer, lines=[{"product": product, "quantity": D("1")}],
                     payments=[{"method": "credit", "amount": D("700")}])
            return "sold"
        time.sleep(0.3)  # the sale is inside its slowed balance read by now
        credit_adjust(customer=customer, amount="500", user=manager, reason="Old slip found")
        return "adjusted"

    with mock.patch("sales.services.customer_balance", _slow_balance(1.0)):
        results = run_in_threads(work, count=2)
    assert results == ["sold", "adjusted"], results
    amounts = list(customer.credit_entries.order_by("pk").values_list("kind", "amount"))
    before_sale = sum((amount for kind, amount in amounts[:[k for k, _ in amounts].index("sale")]), D(0))
    assert before_sale + 700 <= customer.credit_limit, amounts
