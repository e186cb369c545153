"""Property: whatever mix of sales, UPI confirmations, cancellations, repayments, expenses and cash
movements a day sees, the day book's total per payment method is the money that really moved by it.

Sales, confirmations and cancellations go through the real services (checkout, upi_payment_confirm,
invoice_cancel), so the day book is compared with the payments those services record. Repayments
are posted with ledger.posting.post_day_book (kind credit_received), the call the khata's repayment
service makes; the service itself is built on another branch.
"""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.day_book import cash_movement_record, expense_record
from ledger.models import PaymentMethod
from ledger.posting import post_day_book
from ledger.selectors import day_book
from sales.models import Invoice, Payment
from sales.payments import upi_payment_confirm
from sales.services import checkout, invoice_cancel
from shop.money import to_paise
from tests import factories

D = Decimal
paise = st.integers(min_value=1, max_value=500_000).map(lambda n: D(n) / 100)
SALE_PAYMENTS = ("cash", "upi_confirmed", "upi_awaiting", "card", "credit", "cash_and_upi", "card_and_credit")
operations = st.lists(
    st.one_of(
        st.tuples(st.just("sale"), paise, st.sampled_from(SALE_PAYMENTS)),
        st.tuples(st.just("confirm"), st.integers(0, 20)),
        st.tuples(st.just("cancel"), st.integers(0, 20)),
        st.tuples(st.just("repayment"), paise, st.sampled_from(["cash", "upi", "card"])),
        st.tuples(st.just("expense"), paise, st.sampled_from(["cash", "upi", "card"])),
        st.tuples(st.just("cash_in"), paise),
        st.tuples(st.just("cash_out"), paise),
    ),
    min_size=1, max_size=20,
)


def payments_for(total: Decimal, how: str, utr: str) -> list[dict]:
    half = to_paise(total / 2)
    return {
        "cash": [{"method": "cash", "amount": total}],
        "upi_confirmed": [{"method": "upi", "amount": total, "reference": utr}],
        "upi_awaiting": [{"method": "upi", "amount": total}],
        "card": [{"method": "card", "amount": total}],
        "credit": [{"method": "credit", "amount": total}],
        "cash_and_upi": [{"method": "cash", "amount": half}, {"method": "upi", "amount": total - half,
                                                              "reference": utr}],
        "card_and_credit": [{"method": "card", "amount": half}, {"method": "credit", "amount": total - half}],
    }[how]


class Shop:
    """Runs the operations and keeps the repayments, expenses and cash movements it made."""

    def __init__(self, owner, product, customer):
        self.owner, self.product, self.customer = owner, product, customer
        self.by_hand: dict[str, Decimal] = defaultdict(Decimal)  # repayments, expenses, cash in / out per method
        self.repaid: dict[str, Decimal] = defaultdict(Decimal)
        self.utrs = 0

    def utr(self) -> str:
        self.utrs += 1
        return f"{400000000000 + self.utrs}"

    def run(self, operation) -> None:
        kind, *args = operation
        if kind == "sale":
            total, how = args
            self.product.selling_price = total
            self.product.save()
            checkout(cashier=self.owner, lines=[{"product": self.product, "quantity": D("1")}],
                     payments=payments_for(total, how, self.utr()), customer=self.customer)
        elif kind == "confirm":
            awaiting = list(Payment.objects.filter(status="awaiting", invoice__status="completed").order_by("pk"))
            if awaiting:
                upi_payment_confirm(payment=awaiting[args[0] % len(awaiting)], utr=self.utr(), via="reference",
                                    user=self.owner)
        elif kind == "cancel":
            completed = list(Invoice.objects.filter(status="completed").order_by("pk"))
            if completed:
                invoice_cancel(invoice=completed[args[0] % len(completed)], user=self.owner, reason="Returned")
        elif kind == "repayment":
            amount, method = args
            post_day_book(entries=[("credit_received", method, amount)], day=timezone.localdate(), user=self.owner)
            self.by_hand[method] += amount
            self.repaid[method] += amount
        elif kind == "expense":
            amount, method = args
            expense_record(category="other", amount=amount, method=method, user=self.owner)
            self.by_hand[method] -= amount
        else:
            amount = args[0]
            cash_movement_record(kind=kind, reason="other_cash", amount=amount, user=self.owner)
            self.by_hand["cash"] += amount if kind == "cash_in" else -amount


def confirmed_payments_per_method() -> dict[str, Decimal]:
    """Money received for bills that still stand: confirmed payments of invoices not cancelled."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for payment in Payment.objects.filter(status="confirmed", invoice__status="completed"):
        totals[payment.method] += payment.amount
    return totals


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=operations)
def test_day_book_totals_per_method_equal_the_money_that_moved(owner, shop, operations):
    with transaction.atomic():
        shop.round_off, shop.allow_negative_stock = False, True  # bills of any paise; stock is not the point
        shop.save()
        product = factories.ProductFactory(tax_rate=factories.tax_rate("0"))
        customer = factories.CustomerFactory(credit_limit=D("100000000"))
        books = Shop(owner, product, customer)
        for operation in operations:
            books.run(operation)

        today = timezone.localdate()
        book = day_book(start=today, end=today)
        received = confirmed_payments_per_method()
        for method in PaymentMethod.values:
            assert book.totals_by_method[method] == received[method] + books.by_hand[method], method
        # Sales less cancellations are the payments of the bills that stand; repayments are the khata's.
        sold = book.totals_by_kind["sale"] + book.totals_by_kind["sale_reversal"]
        assert sold == sum(received.values(), D(0))
        assert book.totals_by_kind["credit_received"] == sum(books.repaid.values(), D(0))
        [drawer] = book.cash_days or [None]
        assert (drawer.expected if drawer else D(0)) == book.totals_by_method["cash"]
        transaction.set_rollback(True)
