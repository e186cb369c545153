"""A cashier takes one packet back in a real browser: from the counter to Returns, the receipt's barcode scanned,
one line picked, the credit note made."""

from decimal import Decimal

import pytest
import zxingcpp
from django.core.management import call_command

from catalog.models import Product
from sales.documents import receipt_pdf
from sales.models import CreditNote
from sales.services import checkout
from shop.models import User
from tests.conftest import transactional_db
from tests.e2e.conftest import save_screenshot
from tests.pdf import render_page

pytestmark = [pytest.mark.browser, transactional_db]


def test_a_partial_return_with_the_receipt_scanned(login, live_server):
    call_command("seed_demo")
    cashier = User.objects.get(username="cashier")
    atta, salt = Product.objects.get(sku="ATTA-5KG"), Product.objects.get(sku="SALT-1KG")
    invoice = checkout(cashier=cashier, lines=[{"product": atta, "quantity": Decimal("1")},
                                               {"product": salt, "quantity": Decimal("3")}],
                       payments=[{"method": "cash", "amount": Decimal("500")}])
    [barcode] = zxingcpp.read_barcodes(render_page(receipt_pdf(invoice), dpi=203))  # what the scanner reads

    page = login("cashier", "galla-cashier")
    page.goto(f"{live_server.url}/admin/sales/invoice/counter/")
    page.click("text=Returns: take goods back against a bill")
    page.wait_for_selector("#return-search:focus")
    page.keyboard.type(barcode.text)  # a scanner types the code, then Enter
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/admin/sales/creditnote/return/{invoice.pk}/")
    salt_line = invoice.lines.get(product=salt)
    page.fill(f"#id_qty_{salt_line.pk}", "1")
    page.fill("#id_reason", "Packet torn")
    save_screenshot(page, "returns-form.png")
    page.click("#return-form button[type=submit]")
    page.wait_for_selector("text=back to the customer")
    note = CreditNote.objects.get()
    assert page.url == f"{live_server.url}/admin/sales/creditnote/{note.pk}/change/"
    assert note.number in page.text_content("body")
    assert [(line.description, line.quantity) for line in note.lines.all()] == [("Tata Salt 1 kg", 1)]
    assert note.grand_total == Decimal("28") and note.refund_method == "cash"
    save_screenshot(page, "credit-note-page.png")
