"""The printed invoice (A4 and receipt) names the offers inside its discount, and the store credit it was paid with."""

import re
from decimal import Decimal

import pytest

from ledger.models import StoreCreditEntry
from ledger.posting import post_store_credit
from sales.documents import invoice_pdf, receipt_pdf
from sales.documents.model import invoice_document
from sales.documents.render import invoice_with_lines
from sales.models import Coupon, DiscountRule
from sales.services import checkout
from tests import factories
from tests.pdf import pdfium_text, pypdf_text

pytestmark = pytest.mark.django_db
D = Decimal


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def offered_sale(shop, stocked, cashier):
    """Bhujia (snacks, 18%) and dal (5%): 5% off snacks by itself, ₹20 off the bill by coupon, both stacking;
    part paid from the customer's store credit."""
    snacks = factories.CategoryFactory(name="Snacks")
    bhujia = stocked(name="Haldiram bhujia", selling_price=D("100"), tax_rate=factories.tax_rate("18"),
                     category=snacks)
    dal = stocked(name="Tata dal", selling_price=D("50"), tax_rate=factories.tax_rate("5"))
    weekend = DiscountRule.objects.create(name="Weekend 5% off snacks", kind="percent", value=D("5"),
                                          scope="category", stackable=True, priority=10)
    weekend.categories.set([snacks])
    festive = DiscountRule.objects.create(name="Festive ₹20", kind="flat", value=D("20"), stackable=True,
                                          coupon_only=True)
    Coupon.objects.create(code="DIWALI20", rule=festive)
    customer = factories.CustomerFactory(name="Priya Deshmukh", phone="9876500003")
    post_store_credit(customer=customer, kind=StoreCreditEntry.Kind.RETURN, amount=D("100"), user=None)
    # 2 × 100 + 4 × 50 = 400; 5% of 200 = 10; ₹20 over 190 : 200 -> 9.74 and 10.26; total 370
    return checkout(cashier=cashier, customer=customer, coupon_code="DIWALI20",
                    lines=[{"product": bhujia, "quantity": D("2")}, {"product": dal, "quantity": D("4")}],
                    payments=[{"method": "store", "amount": D("100")}, {"method": "cash", "amount": D("270")}])


def test_the_document_lists_each_offer_once_with_its_lines_and_exact_total(offered_sale):
    document = invoice_document(invoice_with_lines(offered_sale))
    assert [(o.name, o.lines_text, o.amount) for o in document.offers] == [
        ("Weekend 5% off snacks", "line 1", D("10.00")),
        ("Festive ₹20 (coupon DIWALI20)", "lines 1, 2", D("20.00"))]
    assert sum(o.amount for o in document.offers) == offered_sale.discount_total


@pytest.mark.parametrize("extract", [pypdf_text, pdfium_text])
def test_the_a4_invoice_names_the_offers_and_the_store_credit_payment(offered_sale, extract):
    text = flat(extract(invoice_pdf(offered_sale)))
    for expected in ["Offers applied", "Weekend 5% off snacks", "line 1 ₹10.00",
                     "Festive ₹20 (coupon DIWALI20)", "lines 1, 2 ₹20.00",
                     "Store credit — from store credit ₹100.00"]:
        assert expected in text, expected


def test_the_receipt_names_the_offers_under_what_the_customer_saved(offered_sale):
    text = flat(pdfium_text(receipt_pdf(offered_sale)))
    for expected in ["You saved ₹30.00", "Weekend 5% off snacks ₹10.00", "Festive ₹20 (coupon DIWALI20) ₹20.00",
                     "Store credit ₹100.00"]:
        assert expected in text, expected
    assert "&nbsp;" not in text


def test_an_invoice_without_offers_prints_no_offers_block(shop, stocked, cashier):
    soap = stocked(name="Lux soap", selling_price=D("45"), tax_rate=factories.tax_rate("18"))
    invoice = checkout(cashier=cashier, lines=[{"product": soap, "quantity": D("1")}],
                       payments=[{"method": "cash", "amount": D("45")}])
    assert "Offers applied" not in pdfium_text(invoice_pdf(invoice))
