"""Store credit spent at the counter: a payment method drawn from the customer's store-credit ledger, not money."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ledger.models import DayBookEntry, PaymentMethod, StoreCreditEntry
from ledger.posting import customer_balance, post_store_credit, store_credit_balance
from ledger.selectors import day_book
from sales.documents import credit_note_pdf
from sales.models import Invoice, Payment
from sales.services import checkout, invoice_cancel, return_create
from tests import factories
from tests.pdf import pdfium_text
from tests.sales.counter_client import post

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def soap(stocked):
    return stocked(name="Lux Soap", selling_price=D("100"), tax_rate=factories.tax_rate("18"))


@pytest.fixture
def holder(db):
    """A customer the shop owes ₹150 of store credit (a return refunded that way)."""
    customer = factories.CustomerFactory(phone="9876500001")
    post_store_credit(customer=customer, kind=StoreCreditEntry.Kind.RETURN, amount=D("150"), user=None,
                      reference="SKSC/26-27/00001")
    return customer


def sell(cashier, product, quantity, payments, **options) -> Invoice:
    return checkout(cashier=cashier, lines=[{"product": product, "quantity": D(quantity)}],
                    payments=[{"method": method, "amount": D(amount)} for method, amount in payments], **options)


def todays_book():
    today = timezone.localdate()
    return day_book(start=today, end=today)


def test_store_credit_pays_part_of_a_bill_and_is_taken_off_the_customers_balance(shop, cashier, soap, holder):
    invoice = sell(cashier, soap, "2", [("store", "150"), ("cash", "50")], customer=holder)
    assert sorted((p.method, p.amount) for p in invoice.payments.all()) == [("cash", D("50")), ("store", D("150"))]
    assert store_credit_balance(holder) == 0
    spent = StoreCreditEntry.objects.get(kind=StoreCreditEntry.Kind.REDEEMED)
    assert (spent.amount, spent.reference, spent.source_id) == (D("-150"), invoice.number, invoice.pk)
    assert invoice.balance_due == 0


def test_store_credit_never_reaches_the_day_book(shop, cashier, soap, holder):
    sell(cashier, soap, "2", [("store", "120"), ("cash", "50"), ("upi", "30")], customer=holder)
    entries = [(e.kind, e.method, e.amount) for e in DayBookEntry.objects.order_by("method")]
    assert entries == [("sale", "cash", D("50"))]  # UPI without its UTR awaits confirmation
    book = todays_book()
    assert book.totals_by_method["cash"] == D("50")
    assert "store" not in book.totals_by_method
    assert book.total == D("50")  # the money received, not the bill's ₹200


def test_more_than_the_balance_is_refused_on_the_payment_and_nothing_is_sold(shop, cashier, soap, holder):
    with pytest.raises(ValidationError) as refusal:
        sell(cashier, soap, "2", [("cash", "40"), ("store", "160")], customer=holder)
    assert refusal.value.message_dict == {"payments[1].amount": [
        f"{holder.name} holds ₹150.00 of store credit, less than the ₹160.00 asked: take the rest another way."]}
    assert not Invoice.objects.exists()
    assert store_credit_balance(holder) == D("150")
    assert not DayBookEntry.objects.exists()


def test_store_credit_needs_the_customer_who_holds_it(shop, cashier, soap, holder):
    with pytest.raises(ValidationError) as refusal:
        sell(cashier, soap, "1", [("store", "100")])
    assert list(refusal.value.message_dict) == ["payments[0].amount"]
    assert store_credit_balance(holder) == D("150")


def test_store_credit_cannot_be_more_than_the_bill(shop, cashier, soap, holder):
    with pytest.raises(ValidationError) as refusal:
        sell(cashier, soap, "1", [("store", "150")], customer=holder)
    assert "more than the ₹100.00 due" in refusal.value.message_dict["payments"][0]


def test_a_second_bill_sees_what_the_first_left(shop, cashier, soap, holder):
    sell(cashier, soap, "1", [("store", "100")], customer=holder)
    with pytest.raises(ValidationError):
        sell(cashier, soap, "1", [("store", "100")], customer=holder)
    sell(cashier, soap, "1", [("store", "50"), ("cash", "50")], customer=holder)
    assert store_credit_balance(holder) == 0


def test_cancelling_gives_the_store_credit_back_and_reverses_only_money(shop, cashier, manager, soap, holder):
    invoice = sell(cashier, soap, "2", [("store", "150"), ("cash", "50")], customer=holder)
    invoice_cancel(invoice=invoice, user=manager, reason="Wrong customer")
    assert store_credit_balance(holder) == D("150")
    assert todays_book().total == 0
    assert sorted((e.kind, e.method, e.amount) for e in DayBookEntry.objects.all()) == [
        ("sale", "cash", D("50")), ("sale_reversal", "cash", D("-50"))]


def test_sale_methods_are_the_ledgers_money_methods_and_store_credit():
    assert Payment.Method.choices == [*PaymentMethod.choices, ("store", "Store credit")]
    assert len(Payment.Method.STORE_CREDIT) <= Payment._meta.get_field("method").max_length
    assert Payment.Method.STORE_CREDIT not in DayBookEntry.Method.values


def test_the_counter_shows_the_customers_store_credit_and_offers_it_as_a_payment(at_counter, holder):
    found = at_counter.get(reverse("admin:sales_counter_customer"), {"phone": holder.phone}).json()["customer"]
    assert (found["store_credit"], found["store_credit_text"]) == ("150.00", "₹150.00")
    page = at_counter.get(reverse("admin:sales_counter")).content.decode()
    assert 'id="pay-store" data-method="store"' in page
    assert 'id="customer-store-credit"' in page


def test_the_counter_refuses_more_store_credit_than_held_next_to_the_payment(at_counter, soap, holder):
    answer = post(at_counter, "checkout", {
        "lines": [{"product_id": soap.pk, "quantity": "2"}], "customer_id": holder.pk,
        "payments": [{"method": "store", "amount": "200"}], "idempotency_key": "store-1"})
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["payments[0].amount"]
    answer = post(at_counter, "checkout", {
        "lines": [{"product_id": soap.pk, "quantity": "2"}], "customer_id": holder.pk,
        "payments": [{"method": "store", "amount": "150"}, {"method": "cash", "amount": "50"}],
        "idempotency_key": "store-2"})
    assert answer.json()["ok"] is True
    assert store_credit_balance(holder) == 0


def test_a_return_of_a_bill_paid_with_store_credit_gives_store_credit_back_before_cash(shop, cashier, soap, holder):
    invoice = sell(cashier, soap, "2", [("store", "150"), ("cash", "50")], customer=holder)
    first, second = (return_create(invoice=invoice, lines=[{"line": invoice.lines.get(), "quantity": D("1")}],
                                   refund_method="cash", user=cashier) for _ in range(2))
    assert (first.store_credit_back, first.refund_amount) == (D("100"), D("0"))
    assert (second.store_credit_back, second.refund_amount) == (D("50"), D("50"))
    assert store_credit_balance(holder) == D("150")
    # only the ₹50 paid in cash leaves the drawer
    assert todays_book().total == 0
    assert "Back to store credit — ₹50.00" in " ".join(pdfium_text(credit_note_pdf(second)).split())


def test_a_store_credit_bill_returned_to_the_khata_gives_the_store_credit_back_and_the_rest_off_the_khata(
        shop, cashier, soap, holder):
    holder.credit_limit = D("500")
    holder.save()
    invoice = sell(cashier, soap, "2", [("store", "150"), ("credit", "50")], customer=holder)
    note = return_create(invoice=invoice, lines=[{"line": invoice.lines.get(), "quantity": D("2")}],
                         refund_method="khata", user=cashier)
    assert (note.khata_amount, note.store_credit_back, note.refund_amount) == (D("50"), D("150"), D("0"))
    assert store_credit_balance(holder) == D("150") and customer_balance(holder) == 0


def test_refunded_as_store_credit_the_whole_return_is_store_credit(shop, cashier, soap, holder):
    invoice = sell(cashier, soap, "2", [("store", "100"), ("cash", "100")], customer=holder)
    note = return_create(invoice=invoice, lines=[{"line": invoice.lines.get(), "quantity": D("2")}],
                         refund_method="store_credit", user=cashier)
    assert (note.store_credit_back, note.refund_amount) == (D("0"), D("200"))
    assert store_credit_balance(holder) == D("250")
