"""The printed credit note (A4 and receipt), and the invoice number's barcode on the receipt."""

import re
from decimal import Decimal

import pytest
import zxingcpp
from django.utils import timezone

from sales.documents import credit_note_pdf, credit_note_receipt_pdf, receipt_pdf
from sales.services import checkout, return_create
from tests import factories
from tests.pdf import pdfium_text, pypdf_text, render_page

pytestmark = pytest.mark.django_db
D = Decimal


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def credit_sale(shop, stocked, cashier):
    customer = factories.CustomerFactory(name="Priya Deshmukh", credit_limit=D("5000"))
    rice = stocked(name="Basmati rice", hsn_code="1006", selling_price=D("120"), tax_rate=factories.tax_rate("5"))
    soap = stocked(name="Lux soap", hsn_code="3401", selling_price=D("45"), tax_rate=factories.tax_rate("18"))
    return checkout(cashier=cashier, customer=customer,
                    lines=[{"product": rice, "quantity": D("3")}, {"product": soap, "quantity": D("4")}],
                    payments=[{"method": "cash", "amount": D("400")}, {"method": "credit", "amount": D("140")}])


@pytest.fixture
def credit_note(credit_sale, cashier):
    rice, soap = credit_sale.lines.all()
    return return_create(invoice=credit_sale, refund_method="cash", user=cashier, reason="Packet torn",
                         lines=[{"line": rice, "quantity": D("1")},
                                {"line": soap, "quantity": D("2"), "restock": False}])


@pytest.mark.parametrize("extract", [pypdf_text, pdfium_text])
def test_the_credit_note_names_the_invoice_it_reverses(credit_note, credit_sale, extract):
    text = flat(extract(credit_note_pdf(credit_note)))
    sold_on = timezone.localtime(credit_sale.issued_at)
    for expected in ["CREDIT NOTE", f"Credit note no. {credit_note.number}", "Against invoice", credit_sale.number,
                     f"{sold_on:%d-%m-%Y}", "Priya Deshmukh", "Basmati rice", "1006", "Lux soap", "5%", "18%",
                     "Taken off the khata", "Cash refund", "Total credited", "Credit total", "Reason: Packet torn",
                     "This is a computer-generated credit note."]:
        assert expected in text, expected
    assert "Invoice no." not in text and "Balance due" not in text


def test_the_credit_note_splits_the_refund_between_khata_and_cash(credit_note):
    # ₹120 of rice and ₹90 of soap: the ₹140 on credit comes off the khata first, ₹70 is paid in cash.
    assert (credit_note.grand_total, credit_note.khata_amount, credit_note.refund_amount) == (
        D("210"), D("140"), D("70"))
    text = flat(pdfium_text(credit_note_pdf(credit_note)))
    assert "Taken off the khata ₹140.00" in text.replace(" — ", " ")
    assert "₹210.00" in text


def test_the_credit_note_receipt_fits_the_roll_and_shows_no_barcode(credit_note):
    pdf = credit_note_receipt_pdf(credit_note)
    text = flat(pdfium_text(pdf))
    assert "CREDIT NOTE" in text and credit_note.number in text and "CREDIT TOTAL" in text
    assert "Total credited" in text
    page = render_page(pdf, dpi=203)
    assert not zxingcpp.read_barcodes(page)


def test_the_receipt_prints_the_invoice_number_as_a_barcode_a_scanner_reads(credit_sale):
    page = render_page(receipt_pdf(credit_sale), dpi=203)  # a thermal printer's 8 dots per mm
    found = zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.Code128)
    assert [code.text for code in found] == [credit_sale.number]
