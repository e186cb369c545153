"""The printed invoice (A4) and receipt (80 mm): what their text says, read back with pypdf and PDFium."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from sales.documents import invoice_pdf, receipt_pdf
from sales.documents.parts import QR_FORM
from sales.services import checkout, invoice_cancel
from sales.words import amount_in_words
from tests import factories
from tests.pdf import PageFont, drawn_fonts, pdfium_text, pypdf_text, render_page

pytestmark = pytest.mark.django_db
D = Decimal
MM = 72 / 25.4


def sell(cashier, *lines, payments=None, customer=None):
    """Check out (product, quantity) lines; cash covers everything unless payments are given."""
    enough = sum((p.selling_price * D(q) for p, q in lines), D("0")) * 2 + 10  # and is still plausible cash
    return checkout(cashier=cashier, lines=[{"product": p, "quantity": D(q)} for p, q in lines],
                    payments=payments if payments is not None else [{"method": "cash", "amount": enough}],
                    customer=customer)


EXTRACTORS = [pytest.param(pypdf_text, id="pypdf"), pytest.param(pdfium_text, id="pdfium")]


def flat(text: str) -> str:
    """Collapse whitespace, so a phrase is found even where the PDF breaks or spaces it."""
    return re.sub(r"\s+", " ", text)


def xobject_names(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        xobjects = page["/Resources"].get("/XObject")
        names |= set(xobjects.keys()) if xobjects else set()
    return names


@pytest.fixture
def products(stocked):
    """A kirana basket at every GST slab, with a Hindi name among them."""
    return [
        stocked(name="बासमती चावल (Basmati rice)", hsn_code="1006", selling_price=D("120"),
                tax_rate=factories.tax_rate("5"), unit=factories.unit("kg")),
        stocked(name="Tata Salt 1 kg", hsn_code="2501", selling_price=D("28"), tax_rate=factories.tax_rate("0")),
        stocked(name="Surf Excel Easy Wash 1 kg", hsn_code="3402", selling_price=D("136"),
                tax_rate=factories.tax_rate("18")),
        stocked(name="Coca-Cola 750 ml", hsn_code="2202", selling_price=D("45"), tax_rate=factories.tax_rate("40")),
    ]


@pytest.fixture
def shop_details(shop):
    shop.address, shop.phone = "12, Station Road, Dadar West, Mumbai 400028", "9820012345"
    shop.save()
    return shop


@pytest.mark.parametrize("extract", EXTRACTORS)
def test_invoice_shows_every_field_of_a_tax_invoice(shop_details, products, cashier, extract):
    customer = factories.CustomerFactory(name="Deshmukh Caterers", gstin="27AABCU9603R1ZM", state="27",
                                         address="Plot 7, MIDC Andheri East, Mumbai")
    invoice = sell(cashier, *[(p, "2") for p in products], customer=customer)
    text = flat(extract(invoice_pdf(invoice)))
    for expected in ["Sharma Kirana Store", "Station Road, Dadar West", "27AAPFU0939F1ZV", "9820012345", invoice.number,
                     "Original for recipient", "Deshmukh Caterers", "27AABCU9603R1ZM", "MIDC Andheri East",
                     "Maharashtra (27)", "बासमती चावल (Basmati rice)", "1006", "2501", "3402", "2202", "kg", "pcs",
                     "0%", "5%", "18%", "40%",
                     amount_in_words(invoice.grand_total), "Round off", "Grand total", "Balance due", "Taxable",
                     "Cess", f"₹{invoice.grand_total:,.2f}"]:
        assert expected in text, expected
    assert "TAX INVOICE" in text.upper()
    assert f"{invoice.issued_at.astimezone().strftime('%d-%m-%Y')}" in text


@pytest.mark.parametrize("extract", EXTRACTORS)
def test_intra_state_invoice_splits_tax_into_cgst_and_sgst(shop, products, cashier, extract):
    text = extract(invoice_pdf(sell(cashier, (products[2], "1"))))
    assert "CGST" in text and "SGST" in text
    assert "IGST" not in text and "Intra-state" in text


@pytest.mark.parametrize("extract", EXTRACTORS)
def test_inter_state_invoice_charges_igst(shop, products, cashier, extract):
    customer = factories.CustomerFactory(name="Patel Traders", state="24", address="Ring Road, Surat")
    invoice = sell(cashier, (products[2], "1"), customer=customer)
    text = flat(extract(invoice_pdf(invoice)))
    assert "IGST" in text and "Gujarat (24)" in text
    assert "CGST" not in text and "SGST" not in text
    assert "IGST" in extract(receipt_pdf(invoice))


@pytest.mark.parametrize("extract", EXTRACTORS)
def test_bill_of_supply_has_no_tax_columns_or_lines(shop, products, cashier, extract):
    shop.composition_scheme = True
    shop.save()
    invoice = sell(cashier, (products[2], "1"), (products[3], "1"))
    for pdf in (invoice_pdf(invoice), receipt_pdf(invoice)):
        text = flat(extract(pdf))
        assert "BILL OF SUPPLY" in text.upper() and "TAX INVOICE" not in text.upper()
        assert "not eligible to collect tax" in text
        for tax_word in ("CGST", "SGST", "IGST", "Taxable", "Cess"):
            assert tax_word not in text


@pytest.mark.parametrize("extract", EXTRACTORS)
def test_cancelled_invoice_says_cancelled_and_why(shop, products, cashier, owner, extract):
    invoice = invoice_cancel(invoice=sell(cashier, (products[1], "1")), user=owner, reason="Billed to wrong customer")
    for pdf in (invoice_pdf(invoice), receipt_pdf(invoice)):
        text = flat(extract(pdf))
        assert "CANCELLED" in text and "Billed to wrong customer" in text


def test_completed_invoice_is_not_marked_cancelled(shop, products, cashier):
    assert "CANCELLED" not in pypdf_text(invoice_pdf(sell(cashier, (products[1], "1"))))


def test_payments_show_method_reference_and_unconfirmed_upi(shop, products, cashier):
    customer = factories.CustomerFactory(credit_limit=D("5000"))
    invoice = sell(cashier, (products[2], "1"), (products[3], "1"), customer=customer, payments=[
        {"method": "cash", "amount": D("50")}, {"method": "card", "amount": D("40"), "reference": "SLIP-0042"},
        {"method": "upi", "amount": D("50")}, {"method": "credit", "amount": D("41")}])
    assert invoice.grand_total == D("181")
    for pdf in (invoice_pdf(invoice), receipt_pdf(invoice)):
        text = flat(pdfium_text(pdf))
        assert "SLIP-0042" in text and "awaiting confirmation" in text and "Credit (udhar)" in text
        assert re.search(r"Balance due\s+₹91\.00", text)  # UPI ₹50 awaiting + ₹41 on credit


def test_confirmed_upi_prints_its_transaction_number(shop, products, cashier):
    invoice = sell(cashier, (products[2], "1"), payments=[
        {"method": "upi", "amount": D("136"), "reference": "4123 4567 8901"}])
    text = flat(pdfium_text(invoice_pdf(invoice)))
    assert "412345678901" in text and "awaiting" not in text
    assert re.search(r"Balance due\s+₹0\.00", text)


@pytest.mark.parametrize(("payments", "vpa", "printed"), [
    pytest.param([{"method": "cash", "amount": D("500")}], "sharma@okaxis", False, id="paid-in-full"),
    pytest.param([{"method": "upi", "amount": D("136")}], "sharma@okaxis", True, id="upi-awaiting"),
    pytest.param([{"method": "upi", "amount": D("136")}], "", False, id="no-upi-id"),
])
def test_upi_qr_is_printed_exactly_when_something_is_due(shop, products, cashier, payments, vpa, printed):
    shop.upi_vpa = vpa
    shop.save()
    invoice = sell(cashier, (products[2], "1"), payments=payments)
    for pdf in (invoice_pdf(invoice), receipt_pdf(invoice)):
        assert (f"/FormXob.{QR_FORM}" in xobject_names(pdf)) is printed
        assert ("Scan to pay ₹136.00" in flat(pypdf_text(pdf))) is printed


def test_cancelled_invoice_asks_for_no_payment(shop, products, cashier, owner):
    shop.upi_vpa = "sharma@okaxis"
    shop.save()
    invoice = sell(cashier, (products[2], "1"), payments=[{"method": "upi", "amount": D("136")}])
    invoice = invoice_cancel(invoice=invoice, user=owner, reason="Customer walked away")
    assert f"/FormXob.{QR_FORM}" not in xobject_names(invoice_pdf(invoice))


def test_shop_logo_is_printed_when_set(shop, products, cashier):
    invoice = sell(cashier, (products[1], "1"))
    assert not PdfReader(io.BytesIO(invoice_pdf(invoice))).pages[0].images
    logo = io.BytesIO()
    Image.new("RGB", (120, 60), "darkorange").save(logo, "PNG")
    shop.logo.save("logo-test.png", ContentFile(logo.getvalue()), save=True)
    for pdf in (invoice_pdf(invoice), receipt_pdf(invoice)):
        assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1


def test_large_amounts_print_in_full_with_indian_grouping(shop, stocked, cashier):
    fridge = stocked(name="Godrej Refrigerator", hsn_code="8418", selling_price=D("123456.50"),
                     tax_rate=factories.tax_rate("18"))
    invoice = sell(cashier, (fridge, "1"), payments=[{"method": "cash", "amount": D("200000")}])
    # 123456.50 × 18 / 236 = 9416.1737 -> 9416.17 each; taxable 123456.50 − 18832.34 = 104624.16;
    # 123456.50 rounds (half up) to 123457
    assert invoice.grand_total == D("123457")
    text = pdfium_text(invoice_pdf(invoice))
    assert "₹1,23,456.50" in text and "₹1,04,624.16" in text and "₹1,23,457.00" in text
    assert "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Seven Only" in flat(text)


def test_long_invoice_repeats_the_table_header_and_numbers_pages(shop, products, cashier):
    shop.allow_negative_stock = True
    shop.save()
    invoice = sell(cashier, *[(products[n % 4], "1") for n in range(70)])
    reader = PdfReader(io.BytesIO(invoice_pdf(invoice)))
    assert len(reader.pages) >= 2
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {total}" in text
        assert "Description" in text and "HSN" in text
    assert f"{invoice.number} (continued)" in reader.pages[1].extract_text()


def test_receipt_is_80_mm_wide_one_page_and_as_tall_as_its_lines(shop, products, cashier):
    short = PdfReader(io.BytesIO(receipt_pdf(sell(cashier, (products[0], "1")))))
    long = PdfReader(io.BytesIO(receipt_pdf(sell(cashier, *[(p, "1") for p in products]))))
    assert len(short.pages) == len(long.pages) == 1
    for receipt in (short, long):
        assert float(receipt.pages[0].mediabox.width) == pytest.approx(80 * MM, abs=0.01)  # 226.77 pt
    assert float(long.pages[0].mediabox.height) > float(short.pages[0].mediabox.height) + 3 * 10


def test_receipt_has_the_same_numbers_as_the_invoice(shop_details, products, cashier):
    invoice = sell(cashier, *[(p, "3") for p in products])
    text = flat(pdfium_text(receipt_pdf(invoice)))
    for expected in ["Sharma Kirana Store", "27AAPFU0939F1ZV", invoice.number, "3 pcs × ₹28.00",
                     f"₹{invoice.taxable_total:,.2f}", f"₹{invoice.cgst_total:,.2f}", "Round off",
                     f"₹{invoice.grand_total:,.2f}", f"Change ₹{invoice.change_given:,.2f}", "Thank you"]:
        assert expected in text, expected


def test_first_page_renders_to_a_picture_with_ink_on_it(shop, products, cashier):
    page = render_page(invoice_pdf(sell(cashier, *[(p, "1") for p in products])), dpi=80)
    assert page.size == (662, 936)  # A4 at 80 dpi
    dark = sum(page.convert("L").point(lambda v: 255 if v < 128 else 0).histogram()[255:])
    assert dark > 5000


@pytest.mark.parametrize("render", [invoice_pdf, receipt_pdf], ids=["a4", "receipt"])
def test_rupee_and_hindi_names_print_in_the_embedded_mukta_font(shop, products, cashier, render):
    pdf = render(sell(cashier, (products[0], "1")))
    # Every character is drawn in Mukta, carried inside the PDF: no viewer or printer substitutes a font.
    assert drawn_fonts(pdf) == {PageFont("Mukta-Regular", embedded=True), PageFont("Mukta-Bold", embedded=True)}
    for extract in (pdfium_text, pypdf_text):
        text = flat(extract(pdf))
        assert "बासमती चावल (Basmati rice)" in text and "₹120.00" in text


def test_printing_takes_the_same_few_queries_for_any_number_of_lines(shop, products, cashier,
                                                                     django_assert_max_num_queries):
    small = sell(cashier, (products[0], "1"))
    large = sell(cashier, *[(p, "1") for p in products])
    for invoice in (small, large):
        # the invoice with its customer, its lines, their offers (with coupons), its payments, and the shop profile
        with django_assert_max_num_queries(5):
            invoice_pdf(invoice)
        with django_assert_max_num_queries(5):
            receipt_pdf(invoice)
