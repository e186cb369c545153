"""The printed day book: the invoice's fonts (₹ and Hindi), totals, the drawer per day, and every entry."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ledger.day_book import cash_movement_record, day_close, expense_record
from ledger.day_book_pdf import day_book_pdf
from ledger.posting import post_day_book
from ledger.selectors import day_book
from sales.services import checkout
from tests.pdf import drawn_fonts, pdfium_text, render_page

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def two_days(shop, stocked, cashier, manager):
    """Yesterday closed ₹5 short; today a float, sales by three methods, a salary noted in Hindi, a repayment."""
    yesterday = timezone.localdate() - timedelta(days=1)
    post_day_book(entries=[("sale", "cash", D("1200"))], day=yesterday, user=cashier, reference="SKS/26-27/00000")
    day_close(day=yesterday, counted_cash="1195", user=manager)
    cash_movement_record(kind="cash_in", reason="float_added", amount="500", user=manager)
    product = stocked(name="बासमती चावल 5 kg", selling_price=D("640"))
    for method, reference in (("cash", ""), ("upi", "412345678901"), ("card", "")):
        checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                 payments=[{"method": method, "amount": D("640"), "reference": reference}])
    expense_record(category="salary", amount="1000", method="cash", user=manager, note="रमेश की तनख्वाह")
    post_day_book(entries=[("credit_received", "upi", D("250"))], day=timezone.localdate(), user=cashier,
                  reference="Khata: Meena")
    return yesterday


def test_the_printed_day_book_holds_the_totals_drawer_and_entries_in_mukta(two_days, owner, shop):
    book = day_book(start=two_days, end=timezone.localdate())
    pdf = day_book_pdf(book, profile=shop, printed_by=owner)
    picture = render_page(pdf, dpi=100)
    if os.environ.get("GALLA_SAVE_PDF_PNG"):  # to look at it: GALLA_SAVE_PDF_PNG=/tmp/day-book-pdf.png pytest ...
        picture.save(os.environ["GALLA_SAVE_PDF_PNG"])
    assert picture.size == (827, 1170)  # A4 (210 x 297 mm) at 100 dpi
    assert picture.convert("L").getextrema()[0] < 80  # ink on the page
    text = pdfium_text(pdf)
    for expected in ("Sharma Kirana Store", "DAY BOOK", f"{two_days:%d-%m-%Y} to {timezone.localdate():%d-%m-%Y}",
                     "Cash in the drawer", "₹1,195.00", "-₹5.00", "Float added", "रमेश", "Khata: Meena",
                     "₹1,340.00", "₹1,335.00", "₹2,870.00", "-₹1,000.00", "Page 1 of 1"):
        assert expected in text, expected
    fonts = drawn_fonts(pdf)
    assert {font.name for font in fonts} <= {"Mukta-Regular", "Mukta-Bold"} and all(f.embedded for f in fonts)


def test_a_cashiers_printed_day_book_has_their_entries_and_no_drawer(two_days, cashier, manager, shop):
    book = day_book(start=timezone.localdate(), end=timezone.localdate(), viewer=cashier)
    text = pdfium_text(day_book_pdf(book, profile=shop, printed_by=cashier))
    assert "Cash in the drawer" not in text and "तनख्वाह" not in text and "Float added" not in text
    assert "Khata: Meena" in text and "₹2,170.00" in text  # 3 x 640 + 250


def test_a_long_day_runs_onto_numbered_pages(shop, owner):
    post_day_book(entries=[("sale", "cash", D("10"))] * 150, day=timezone.localdate(), user=owner)
    text = pdfium_text(day_book_pdf(day_book(start=timezone.localdate(), end=timezone.localdate()), profile=shop,
                                    printed_by=owner))
    assert "Page 1 of 4" in text and "Page 4 of 4" in text and "Day book" in text and "(continued)" in text
