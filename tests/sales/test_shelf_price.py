"""A bill of MRP goods comes to the shelf price, to the paisa: at the counter, on the invoice and on its PDF."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from sales.documents import invoice_pdf
from sales.documents.model import invoice_document
from sales.models import Invoice
from tests import factories
from tests.sales.test_documents import EXTRACTORS, flat, sell

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def atta(stocked):
    """Aashirvaad Atta 5 kg at an MRP of ₹285, 5% GST included."""
    return stocked(name="Aashirvaad Atta 5 kg", hsn_code="1101", selling_price=D("285"),
                   tax_rate=factories.tax_rate("5"), tax_inclusive=True)


@pytest.fixture
def basket(stocked, atta):
    """A ₹763 basket of MRP goods at 5%, 18% and 0%."""
    def item(name, price, rate):
        return stocked(name=name, hsn_code="1006", selling_price=D(price), tax_rate=factories.tax_rate(rate))
    return [atta, item("India Gate Basmati 1 kg", "300", "5"), item("Surf Excel 1 kg", "136", "18"),
            item("Tata Salt 1 kg", "28", "0"), item("Parle-G 250 g", "14", "18")]


def test_checkout_bills_an_atta_bag_at_exactly_its_mrp(shop, atta, cashier):
    invoice = sell(cashier, (atta, "1"))
    # 285 × 5 / 210 = 6.7857 -> 6.79 each half; taxable 285 − 13.58 = 271.42
    assert (invoice.gross_total, invoice.taxable_total, invoice.cgst_total, invoice.sgst_total) == (
        D("285.00"), D("271.42"), D("6.79"), D("6.79"))
    assert (invoice.round_off, invoice.grand_total, invoice.amount_paid) == (D("0.00"), D("285.00"), D("285.00"))
    line = invoice.lines.get()
    assert (line.taxable_value, line.cgst, line.sgst, line.line_total) == (
        D("271.42"), D("6.79"), D("6.79"), D("285.00"))
    [row] = invoice_document(invoice).tax_summary
    assert (row.tax_rate, row.taxable, row.cgst, row.sgst, row.tax) == (
        D("5"), D("271.42"), D("6.79"), D("6.79"), D("13.58"))


@pytest.mark.parametrize("extract", EXTRACTORS)
def test_the_a4_invoice_of_an_atta_bag_reads_285_everywhere(shop, atta, cashier, extract):
    text = flat(extract(invoice_pdf(sell(cashier, (atta, "1")))))
    assert re.search(r"Total ₹271\.42 ₹6\.79 ₹6\.79 ₹285\.00", text)  # the line table's total row
    assert re.search(r"5% ₹271\.42 ₹6\.79 ₹6\.79 ₹0\.00 ₹13\.58", text)  # the tax summary
    assert re.search(r"Grand total ₹285\.00", text)
    assert "285.01" not in text and "284.99" not in text


@pytest.mark.parametrize("extract", EXTRACTORS)
def test_the_a4_line_table_total_equals_the_grand_total_of_a_basket(shop, basket, cashier, extract):
    invoice = sell(cashier, *[(product, "1") for product in basket])
    # see the basket-763 case in test_pricing.py: taxable 712.26, CGST = SGST = 25.37, total 763.00
    assert (invoice.taxable_total, invoice.cgst_total, invoice.round_off, invoice.grand_total) == (
        D("712.26"), D("25.37"), D("0.00"), D("763.00"))
    assert sum(line.line_total for line in invoice.lines.all()) == invoice.grand_total
    text = flat(extract(invoice_pdf(invoice)))
    assert re.search(r"Total ₹712\.26 ₹25\.37 ₹25\.37 ₹763\.00", text)
    assert re.search(r"Grand total ₹763\.00", text)
    assert "763.01" not in text and "762.99" not in text


def test_the_counter_quotes_and_sells_an_atta_bag_at_285(client, cashier, shop, atta):
    client.force_login(cashier)
    body = {"lines": [{"product_id": atta.pk, "quantity": "1"}]}

    def post(name, data):
        return client.post(reverse(f"admin:sales_counter_{name}"), json.dumps(data), content_type="application/json")

    quote = post("quote", body).json()
    assert quote["lines"] == [{"taxable": "271.42", "tax": "13.58", "total": "285.00", "offers": []}]
    assert (quote["totals"]["exact_total"], quote["totals"]["round_off"]) == ("285.00", "0.00")
    assert D(quote["totals"]["grand_total"]) == D("285")
    done = post("checkout", {**body, "idempotency_key": "atta-1", "payments": [{"method": "cash", "amount": "500"}]})
    invoice = Invoice.objects.get(pk=done.json()["invoice"]["id"])
    assert (invoice.grand_total, invoice.change_given) == (D("285.00"), D("215.00"))
