"""A cashier at the counter, in a real browser: scan, edit, split payment, complete; and an oversell refused."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from sales.models import Invoice
from tests.conftest import transactional_db
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.browser, transactional_db]
ATTA, SALT, SURF = "8900000000029", "8900000000012", "8900000000098"  # seed_demo barcodes


@pytest.fixture
def counter(login, live_server):
    call_command("seed_demo")
    page = login("cashier", "galla-cashier")
    page.goto(f"{live_server.url}/admin/sales/invoice/counter/")
    page.wait_for_selector("#scan:focus")
    return page


def scan(page, code: str, rows: int) -> None:
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('#cart tbody tr').length === {rows}")


def wait_for_total(page, text: str) -> None:
    page.wait_for_function(f"document.getElementById('t-grand').textContent === {text!r}")


def test_a_whole_sale_with_split_payment(counter):
    page = counter
    scan(page, ATTA, 1)
    scan(page, SALT, 2)
    scan(page, SALT, 2)  # scanning again adds one more
    page.wait_for_function("document.querySelectorAll('#cart input.qty')[1].value === '2'")
    page.locator("#cart tbody tr").nth(1).locator("input.qty").fill("3")
    wait_for_total(page, "₹369.00")  # 285 + 3 x 28
    page.fill("#pay-upi", "200")
    page.fill("#ref-upi", "412345678901")
    page.keyboard.press("F4")
    page.fill("#pay-cash", "200")
    page.wait_for_function("document.getElementById('pay-status').textContent === 'Change'")
    save_screenshot(page, "counter.png")
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")
    number = page.text_content("#done-number")
    invoice = Invoice.objects.get()
    assert number == invoice.number
    assert page.text_content("#done-change") == "₹31.00"
    assert sorted((p.method, p.amount) for p in invoice.payments.all()) == [
        ("cash", Decimal("169.00")), ("upi", Decimal("200.00"))]
    assert [(li.description, li.quantity) for li in invoice.lines.all()] == [
        ("Aashirvaad Atta 5 kg", 1), ("Tata Salt 1 kg", 3)]
    save_screenshot(page, "counter-done.png")
    page.keyboard.press("F9")
    page.wait_for_selector("#done", state="hidden")
    assert page.locator("#cart tbody tr").count() == 0


def test_an_oversell_is_refused_at_the_line_and_the_cart_is_kept(counter):
    page = counter
    scan(page, ATTA, 1)
    scan(page, SURF, 2)  # 3 in stock
    page.locator("#cart tbody tr").nth(1).locator("input.qty").fill("5")
    page.wait_for_selector("#cart tbody tr.has-error")
    page.keyboard.press("F4")
    page.keyboard.press("F8")
    page.wait_for_function(
        "document.querySelector('#cart tbody tr:nth-child(2) .line-error').textContent.includes('Only 3 pcs')")
    assert page.locator("#cart tbody tr").count() == 2
    assert page.locator("#cart tbody tr").nth(1).locator("input.qty").input_value() == "5"
    assert page.is_hidden("#done")
    assert not Invoice.objects.exists()
    save_screenshot(page, "counter-oversell.png")
    page.locator("#cart tbody tr").nth(1).locator("input.qty").fill("3")
    page.wait_for_selector("#cart tbody tr.has-error", state="detached")
    page.keyboard.press("F4")
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")
    assert Invoice.objects.get().lines.count() == 2


def test_unknown_barcode_is_shown_under_the_scan_box(counter):
    page = counter
    scan(page, ATTA, 1)
    page.keyboard.type("8901111111110")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-error-for=scan]:has-text('No product has the code')")
    assert page.locator("#cart tbody tr").count() == 1


def test_upi_qr_is_shown_after_the_sale_and_the_utr_confirms_it(counter):
    page = counter
    scan(page, ATTA, 1)
    wait_for_total(page, "₹285.00")
    page.fill("#pay-upi", "285")
    page.keyboard.press("F8")
    page.wait_for_selector("#done-upi:not([hidden]) svg")
    box = page.locator("#done-upi-qr svg").bounding_box()
    assert box["width"] >= 200  # big enough to scan from the customer's side
    save_screenshot(page, "counter-upi-qr.png")
    page.fill("#upi-utr", "412345678901")
    page.click("#upi-form button")
    page.wait_for_selector("#upi-confirmed:not([hidden])")
    assert Invoice.objects.get().payments.get().status == "confirmed"
