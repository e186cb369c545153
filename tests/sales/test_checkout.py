from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Stock, StockMovement
from ledger.models import CreditEntry, DayBookEntry
from ledger.posting import customer_balance
from sales.models import Invoice, InvoiceSeries, Payment
from sales.services import checkout, financial_year, invoice_cancel
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


def cash(amount) -> dict:
    return {"method": "cash", "amount": D(amount)}


def enough_cash(lines) -> dict:
    """Cash that covers a test bill (tax-exclusive lines too) and is still an amount a customer hands over."""
    return cash(sum((product.selling_price * D(quantity) for product, quantity in lines), D("0")) * 2 + 10)


def sell(cashier, *lines, payments=None, **options) -> Invoice:
    payments = payments if payments is not None else [enough_cash(lines)]
    return checkout(cashier=cashier, lines=[{"product": p, "quantity": D(q)} for p, q in lines],
                    payments=payments, **options)


def on_hand(product) -> Decimal:
    return Stock.objects.get(product=product).quantity


def errors_of(refusal) -> dict:
    return refusal.value.message_dict


def test_a_sale_writes_invoice_lines_payments_stock_and_day_book(shop, stocked, cashier):
    atta = stocked(name="Aashirvaad Atta 5 kg", selling_price=D("285"), tax_rate=factories.tax_rate("5"),
                   hsn_code="1101")
    salt = stocked(name="Tata Salt 1 kg", selling_price=D("28"), tax_rate=factories.tax_rate("0"), hsn_code="2501")
    invoice = checkout(cashier=cashier, lines=[{"product": atta, "quantity": D("2")},
                                               {"product": salt, "quantity": D("1")}],
                       payments=[cash("700")], idempotency_key="bill-1")
    assert invoice.number == f"SKS/{invoice.financial_year}/00001"
    assert len(invoice.number) <= 16
    # atta 570 incl. 5%: 542.86 taxable, 13.57 + 13.57; salt 28 at 0%
    assert (invoice.taxable_total, invoice.cgst_total, invoice.sgst_total) == (D("570.86"), D("13.57"), D("13.57"))
    assert (invoice.grand_total, invoice.round_off) == (D("598"), D("0.00"))
    assert (invoice.cash_tendered, invoice.change_given, invoice.amount_paid) == (D("700"), D("102"), D("598"))
    lines = list(invoice.lines.all())
    assert [(li.description, li.hsn_code, li.quantity, li.unit, li.tax_rate) for li in lines] == [
        ("Aashirvaad Atta 5 kg", "1101", 2, "pcs", 5), ("Tata Salt 1 kg", "2501", 1, "pcs", 0)]
    assert [(p.method, p.amount) for p in invoice.payments.all()] == [("cash", D("598"))]
    assert (on_hand(atta), on_hand(salt)) == (98, 99)
    assert StockMovement.objects.filter(kind="sale", reference=invoice.number).count() == 2
    assert [(e.kind, e.method, e.amount) for e in DayBookEntry.objects.all()] == [("sale", "cash", D("598"))]


def test_numbers_are_consecutive(shop, stocked, cashier):
    product = stocked()
    numbers = [sell(cashier, (product, "1")).number for _ in range(3)]
    assert [n[-5:] for n in numbers] == ["00001", "00002", "00003"]


@pytest.mark.parametrize(("day", "start_month", "label"), [
    (date(2025, 4, 1), 4, "25-26"),
    (date(2026, 3, 31), 4, "25-26"),
    (date(2026, 11, 25), 4, "26-27"),
    (date(1999, 12, 31), 4, "99-00"),
    (date(2026, 6, 30), 7, "25-26"),
    (date(2026, 1, 1), 1, "26"),
])
def test_financial_year_label(day, start_month, label):
    assert financial_year(day, start_month) == label


def test_each_financial_year_starts_at_one(shop, stocked, cashier):
    InvoiceSeries.objects.create(prefix="SKS", financial_year="24-25", last_number=812)
    invoice = sell(cashier, (stocked(), "1"))
    assert invoice.number.endswith("/00001")
    assert InvoiceSeries.objects.get(financial_year="24-25").last_number == 812


def test_split_payment_cash_and_upi(shop, stocked, cashier):
    product = stocked(selling_price=D("500"), tax_rate=factories.tax_rate("18"))
    invoice = sell(cashier, (product, "1"), payments=[cash("300"), {"method": "upi", "amount": D("200"),
                                                                   "reference": "412345678901"}])
    assert sorted((p.method, p.amount, p.reference) for p in invoice.payments.all()) == [
        ("cash", D("300"), ""), ("upi", D("200"), "412345678901")]
    assert invoice.change_given == 0
    assert sorted((e.method, e.amount) for e in DayBookEntry.objects.all()) == [("cash", D("300")), ("upi", D("200"))]


def test_short_payment_is_refused_and_nothing_is_written(shop, stocked, cashier):
    product = stocked(selling_price=D("500"))
    with pytest.raises(ValidationError) as refused:
        sell(cashier, (product, "1"), payments=[cash("450")])
    assert errors_of(refused) == {"payments": ["Payment short by ₹50.00."]}
    assert not Invoice.objects.exists() and on_hand(product) == 100


@pytest.mark.parametrize("method", ["upi", "card", "credit"])
def test_only_cash_may_exceed_what_is_due(shop, stocked, cashier, method):
    product = stocked(selling_price=D("100"))
    customer = factories.CustomerFactory(credit_limit=D("1000"))
    with pytest.raises(ValidationError) as refused:
        sell(cashier, (product, "1"), payments=[{"method": method, "amount": D("150")}], customer=customer)
    assert "more than the ₹100.00 due" in errors_of(refused)["payments"][0]


def test_credit_needs_a_customer(shop, stocked, cashier):
    with pytest.raises(ValidationError) as refused:
        sell(cashier, (stocked(selling_price=D("100")), "1"), payments=[{"method": "credit", "amount": D("100")}])
    assert list(errors_of(refused)) == ["customer"]


def test_credit_sale_goes_into_the_khata(shop, stocked, cashier):
    customer = factories.CustomerFactory(credit_limit=D("1000"))
    invoice = sell(cashier, (stocked(selling_price=D("300")), "1"), customer=customer,
                   payments=[cash("100"), {"method": "credit", "amount": D("200")}])
    assert (invoice.credit_amount, invoice.amount_paid) == (D("200"), D("100"))
    entry = CreditEntry.objects.get()
    assert (entry.customer, entry.kind, entry.amount, entry.reference) == (customer, "sale", D("200"), invoice.number)
    assert customer_balance(customer) == D("200")


def test_credit_beyond_the_limit_needs_a_manager(shop, stocked, cashier, manager):
    customer = factories.CustomerFactory(name="Ravi", credit_limit=D("500"))
    product = stocked(selling_price=D("400"))
    sell(cashier, (product, "1"), customer=customer, payments=[{"method": "credit", "amount": D("400")}])
    with pytest.raises(ValidationError) as refused:
        sell(cashier, (product, "1"), customer=customer, payments=[{"method": "credit", "amount": D("400")}])
    assert errors_of(refused)["customer"][0].startswith("Ravi already owes ₹400.00; with ₹400.00 more")
    assert Invoice.objects.count() == 1
    approved = sell(cashier, (product, "1"), customer=customer, payments=[{"method": "credit", "amount": D("400")}],
                    approved_by=manager)
    assert approved.approved_by == manager and customer_balance(customer) == D("800")


def test_a_cashier_cannot_approve_their_own_credit(shop, stocked, cashier):
    customer = factories.CustomerFactory(credit_limit=D("0"))
    with pytest.raises(ValidationError):
        sell(cashier, (stocked(selling_price=D("10")), "1"), customer=customer,
             payments=[{"method": "credit", "amount": D("10")}], approved_by=cashier)


def test_discount_above_the_cashier_limit_needs_a_manager(shop, stocked, cashier, manager):
    product = stocked(selling_price=D("1000"))
    lines = [{"product": product, "quantity": D("1"), "discount": D("150")}]  # 15% > 10% limit
    with pytest.raises(ValidationError) as refused:
        checkout(cashier=cashier, lines=lines, payments=[cash("850")])
    assert errors_of(refused)["discount"] == [
        "A discount of 15.0% is above the cashier limit of 10%: a manager must approve it."]
    assert checkout(cashier=cashier, lines=lines, payments=[cash("850")], approved_by=manager).grand_total == 850
    assert checkout(cashier=manager, lines=lines, payments=[cash("850")]).grand_total == 850


def test_bill_discount_is_shared_over_the_lines(shop, stocked, cashier):
    a = stocked(selling_price=D("100"), tax_inclusive=False, tax_rate=factories.tax_rate("18"))
    b = stocked(selling_price=D("300"), tax_inclusive=False, tax_rate=factories.tax_rate("5"))
    invoice = sell(cashier, (a, "1"), (b, "1"), bill_discount=D("40"))
    assert [li.discount for li in invoice.lines.all()] == [D("10"), D("30")]
    assert (invoice.discount_total, invoice.grand_total) == (D("40"), D("390"))


def test_customer_from_another_state_gets_igst(shop, stocked, cashier):
    customer = factories.CustomerFactory(state="29", gstin="29AAGCB7383J1Z4")
    invoice = sell(cashier, (stocked(selling_price=D("118"), tax_inclusive=True), "1"), customer=customer)
    assert (invoice.place_of_supply, invoice.inter_state) == ("29", True)
    assert (invoice.igst_total, invoice.cgst_total, invoice.sgst_total) == (D("18.00"), 0, 0)


def test_lines_keep_the_price_and_rate_they_were_sold_at(shop, stocked, cashier):
    product = stocked(selling_price=D("100"), tax_rate=factories.tax_rate("18"))
    invoice = sell(cashier, (product, "1"))
    product.selling_price, product.tax_rate = D("120"), factories.tax_rate("5")
    product.save()
    line = invoice.lines.get()
    assert (line.unit_price, line.tax_rate, line.line_total) == (D("100"), D("18"), D("100.00"))


def test_sale_refuses_to_oversell_naming_the_line(shop, stocked, cashier):
    plenty, scarce = stocked("50"), stocked("2", name="Amul Butter 100 g")
    with pytest.raises(ValidationError) as refused:
        sell(cashier, (plenty, "1"), (scarce, "3"))
    assert errors_of(refused) == {"line-1": ["Only 2 pcs of Amul Butter 100 g in Shop floor; this needs 3 pcs."]}
    assert not Invoice.objects.exists() and (on_hand(plenty), on_hand(scarce)) == (50, 2)
    assert sell(cashier, (plenty, "1")).number.endswith("/00001")  # the refused sale used no number


@pytest.mark.parametrize(("quantity", "message"), [("0.5", "whole pcs"), ("-1", "return"), ("abc", "not a number")])
def test_bad_quantities_are_refused(shop, stocked, cashier, quantity, message):
    with pytest.raises(ValidationError, match=message):
        checkout(cashier=cashier, lines=[{"product": stocked(), "quantity": quantity}], payments=[cash("500")])


def test_an_empty_bill_is_refused(shop, cashier):
    with pytest.raises(ValidationError, match="empty"):
        checkout(cashier=cashier, lines=[], payments=[])


def test_same_idempotency_key_returns_the_first_invoice(shop, stocked, cashier):
    product = stocked()
    first = sell(cashier, (product, "2"), idempotency_key="k-1")
    again = sell(cashier, (product, "2"), idempotency_key="k-1")
    assert again.pk == first.pk and Invoice.objects.count() == 1 and on_hand(product) == 98


def test_same_idempotency_key_with_another_cart_is_refused(shop, stocked, cashier):
    product = stocked()
    first = sell(cashier, (product, "2"), idempotency_key="k-1")
    with pytest.raises(ValidationError, match=f"already completed as invoice {first.number}"):
        sell(cashier, (product, "3"), idempotency_key="k-1")
    assert on_hand(product) == 98


def test_cancelling_keeps_the_number_and_reverses_everything(shop, stocked, cashier, manager):
    customer = factories.CustomerFactory(credit_limit=D("1000"))
    product = stocked(selling_price=D("200"))
    invoice = sell(cashier, (product, "2"), customer=customer,
                   payments=[cash("150"), {"method": "credit", "amount": D("250")}])
    invoice_cancel(invoice=invoice, user=manager, reason="Customer changed mind")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number, invoice.cancelled_by, invoice.cancel_reason) == (
        "cancelled", invoice.number, manager, "Customer changed mind")
    assert on_hand(product) == 100
    assert StockMovement.objects.filter(kind="return", reference=f"Cancelled {invoice.number}").count() == 1
    assert customer_balance(customer) == 0
    assert sorted((e.kind, e.method, e.amount) for e in DayBookEntry.objects.filter(kind="sale_reversal")) == [
        ("sale_reversal", "cash", D("-150")), ("sale_reversal", "credit", D("-250"))]
    assert sum(e.amount for e in DayBookEntry.objects.all()) == 0
    assert invoice.payments.count() == 2  # history stays


def test_cashier_cannot_cancel_and_nothing_is_cancelled_twice(shop, stocked, cashier, owner):
    invoice = sell(cashier, (stocked(), "1"))
    with pytest.raises(PermissionDenied):
        invoice_cancel(invoice=invoice, user=cashier, reason="oops")
    with pytest.raises(ValidationError, match="Say why"):
        invoice_cancel(invoice=invoice, user=owner, reason=" ")
    invoice_cancel(invoice=invoice, user=owner, reason="Wrong item")
    with pytest.raises(ValidationError, match="is cancelled"):
        invoice_cancel(invoice=invoice, user=owner, reason="again")


def test_composition_shop_issues_a_bill_of_supply_without_tax(shop, stocked, cashier):
    shop.composition_scheme = True
    shop.save()
    invoice = sell(cashier, (stocked(selling_price=D("118")), "1"))
    assert invoice.bill_of_supply and invoice.tax_total == 0 and invoice.taxable_total == D("118")


def queries_for_checkout(cashier, products) -> int:
    with CaptureQueriesContext(connection) as queries:
        checkout(cashier=cashier, lines=[{"product": p, "quantity": D("1")} for p in products],
                 payments=[enough_cash([(p, "1") for p in products])], idempotency_key=f"q-{len(products)}")
    # Savepoints are the test's own transaction nesting; count the statements that do work.
    return len([q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))])


def test_query_count_does_not_grow_with_lines(shop, stocked, cashier):
    products = [stocked() for _ in range(100)]
    sell(cashier, (products[0], "1"))  # warm caches that a running server already has (content types)
    counts = {n: queries_for_checkout(cashier, products[:n]) for n in (1, 10, 100)}
    assert counts[1] == counts[10] == counts[100], counts
    # idempotency check, profile, warehouse, products, discount rules in force, series lock + update,
    # key re-check, invoice, lines, stock lock + update, movements, payments, the three daily rollup upserts
    # (products, payment methods, hours: one statement each, however many lines), day lock (closed day?), day book
    assert counts[1] == 19, counts


def test_payments_record_who_received_them(shop, stocked, cashier):
    invoice = sell(cashier, (stocked(), "1"))
    assert set(Payment.objects.filter(invoice=invoice).values_list("received_by", flat=True)) == {cashier.pk}


def test_upi_without_its_transaction_number_awaits_confirmation_outside_the_day_book(shop, stocked, cashier):
    invoice = sell(cashier, (stocked(selling_price=D("300")), "1"),
                   payments=[cash("100"), {"method": "upi", "amount": D("200")}])
    upi = invoice.payments.get(method="upi")
    assert (upi.status, upi.confirmed_at) == ("awaiting", None)
    assert [(e.method, e.amount) for e in DayBookEntry.objects.all()] == [("cash", D("100"))]


@pytest.mark.parametrize("utr", ["12345", "41234567890A", "4123456789012"])
def test_a_malformed_upi_transaction_number_is_refused(shop, stocked, cashier, utr):
    with pytest.raises(ValidationError) as refused:
        sell(cashier, (stocked(selling_price=D("10")), "1"), payments=[{"method": "upi", "amount": D("10"),
                                                                       "reference": utr}])
    assert "has 12 digits" in errors_of(refused)["payments"][0]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("reason", ["Wrong\x00item", "Wrong item\u202e"])
def test_a_cancel_reason_with_hidden_control_characters_is_refused(shop, stocked, cashier, owner, reason):
    invoice = sell(cashier, (stocked(), "1"))
    with pytest.raises(ValidationError) as refused:
        invoice_cancel(invoice=invoice, user=owner, reason=reason)
    assert list(errors_of(refused)) == ["reason"]
    invoice.refresh_from_db()
    assert invoice.status == "completed" and not DayBookEntry.objects.filter(kind="sale_reversal").exists()


def test_checkout_notes_with_hidden_control_characters_are_refused(shop, stocked, cashier):
    with pytest.raises(ValidationError) as refused:
        sell(cashier, (stocked(), "1"), notes="gift\u202e")
    assert list(errors_of(refused)) == ["notes"] and not Invoice.objects.exists()
