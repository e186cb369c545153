"""A cashier at the counter, in a real browser: scan, edit, split payment, complete; and an oversell refused.

The cashier types the way people do: key by key, a few hundred milliseconds apart, with live totals
coming back between the keys (`press_sequentially(..., delay=...)`, not only `fill()`).
"""

import json
import re
import time
from decimal import Decimal

import pytest
from django.core.management import call_command

from sales.models import Invoice
from tests.conftest import transactional_db
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.browser, transactional_db]
ATTA, SALT, SURF = "8900000000029", "8900000000012", "8900000000098"  # seed_demo barcodes
QUOTE_URL = re.compile(r"/counter/quote/")


@pytest.fixture
def counter(login, live_server):
    call_command("seed_demo")
    page = login("cashier", "galla-cashier")
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.goto(f"{live_server.url}/admin/sales/invoice/counter/")
    page.wait_for_selector("#scan:focus")
    yield page
    assert not script_errors, script_errors


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
        "document.querySelector('#cart tbody tr:nth-of-type(2) .line-error').textContent.includes('Only 3 pcs')")
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


# ---------- a counter that keeps up with a cashier's hands ----------

def row(page, index: int):
    return page.locator("#cart tbody tr").nth(index)


def retype(field, text: str, delay: int = 200) -> None:
    """Select what the box holds and type over it key by key, as a cashier does."""
    field.click()
    field.press("Control+a")
    field.press_sequentially(text, delay=delay)


def wait_until(page, condition, seconds: float = 10) -> None:
    """Let Playwright deliver its events (held requests, answers) until condition() holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


class QuoteHolder:
    """Once `holding`, keep each live-total request until the test lets it through: answers arrive late, in any order.

    The route is set up before the page sends anything, so no request slips past it.
    """

    def __init__(self, page):
        self.holding = False
        self.held: list = []
        page.route(QUOTE_URL, self.intercept)

    def intercept(self, route) -> None:
        if self.holding:
            self.held.append(route)
        else:
            route.continue_()


def test_a_quantity_typed_key_by_key_keeps_every_key_and_the_total_follows(counter):
    page = counter
    scan(page, SALT, 1)
    wait_for_total(page, "₹28.00")
    answers: list[str] = []
    page.on("response", lambda response: QUOTE_URL.search(response.url) and answers.append(response.url))
    quantity = row(page, 0).locator("input.qty")
    retype(quantity, "12", delay=300)  # the answer for "1" comes back before the "2" is typed
    wait_for_total(page, "₹336.00")
    assert quantity.input_value() == "12"
    assert len(answers) >= 2
    assert quantity.evaluate("box => box === document.activeElement")
    # The caret stays where the cashier put it while an answer comes back: a 1 typed in front, then a 0.
    quantity.press("Home")
    quantity.press_sequentially("1", delay=300)
    wait_for_total(page, "₹3,136.00")
    quantity.press_sequentially("0", delay=300)
    wait_for_total(page, "₹28,336.00")
    assert quantity.input_value() == "1012"


def test_an_older_live_total_answering_late_is_dropped(counter):
    page = counter
    quotes = QuoteHolder(page)
    scan(page, SALT, 1)
    wait_for_total(page, "₹28.00")
    quotes.holding, held = True, quotes.held
    quantity = row(page, 0).locator("input.qty")
    retype(quantity, "2")
    wait_until(page, lambda: len(held) == 1)
    retype(quantity, "3")
    wait_until(page, lambda: len(held) == 2)
    older, newer = held
    sequence = [int(re.search(r"seq=(\d+)", route.request.url)[1]) for route in held]
    assert sequence[0] < sequence[1]  # each request carries the number of the cart it prices
    with page.expect_response(QUOTE_URL):
        newer.continue_()
    wait_for_total(page, "₹84.00")
    with page.expect_response(QUOTE_URL) as late:
        older.continue_()
    assert Decimal(late.value.json()["totals"]["grand_total"]) == 56
    page.wait_for_timeout(300)  # time for the page to have handled (and dropped) it
    assert page.text_content("#t-grand") == "₹84.00"
    assert row(page, 0).locator(".amount").text_content() == "₹84.00"
    assert quantity.input_value() == "3"


def test_bill_discount_then_f4_at_once_fills_the_discounted_total(counter):
    page = counter
    scan(page, ATTA, 1)
    wait_for_total(page, "₹285.00")
    page.locator("#bill-discount").press_sequentially("20", delay=200)
    page.keyboard.press("F4")  # before the live total for the discount has come back
    page.wait_for_function("document.getElementById('pay-cash').value !== ''")
    assert page.input_value("#pay-cash") == "265.00"
    assert page.text_content("#t-grand") == "₹265.00"
    assert page.text_content("#pay-status") == "Fully paid"
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")
    invoice = Invoice.objects.get()
    assert (invoice.grand_total, invoice.change_given) == (Decimal("265.00"), Decimal("0.00"))


@pytest.mark.parametrize(("typed", "message"), [
    ("abc", '"abc" is not a quantity'),
    ("-2", "must be more than zero"),
    ("1e9", '"1e9" is not a quantity'),
    ("1.5", "Sold in whole pcs"),
])
def test_a_bad_quantity_on_line_2_of_3_is_shown_there_and_no_total_is(counter, typed, message):
    page = counter
    for rows, code in enumerate((ATTA, SALT, SURF), start=1):
        scan(page, code, rows)
    wait_for_total(page, "₹449.00")
    retype(row(page, 1).locator("input.qty"), typed)
    page.wait_for_selector("#cart tbody tr.has-error")
    assert message in row(page, 1).locator(".line-error").text_content()
    assert [row(page, i).locator(".line-error").text_content() for i in (0, 2)] == ["", ""]
    assert row(page, 1).locator("input.qty").input_value() == typed
    assert page.text_content("#t-grand") == "—"
    assert page.is_visible("#totals-invalid")
    assert page.text_content("#pay-amount") == "—"
    save_screenshot(page, "counter-bad-quantity.png")
    page.keyboard.press("F4")  # nothing to fill from: the cashier is sent back to the bad line
    page.wait_for_function("document.activeElement === document.querySelectorAll('#cart input.qty')[1]")
    assert page.input_value("#pay-cash") == ""
    page.keyboard.press("F8")
    page.wait_for_timeout(300)
    assert page.is_hidden("#done")
    assert not Invoice.objects.exists()
    retype(row(page, 1).locator("input.qty"), "2")
    wait_for_total(page, "₹477.00")
    assert page.locator("#cart tbody tr.has-error").count() == 0
    assert page.is_hidden("#totals-invalid")


def test_a_bad_payment_amount_is_shown_next_to_it_and_nothing_is_sold(counter):
    page = counter
    scan(page, ATTA, 1)
    wait_for_total(page, "₹285.00")
    page.locator("#pay-cash").press_sequentially("2,85", delay=200)
    page.wait_for_selector("[data-error-for=pay-cash]:has-text('is not an amount')")
    page.keyboard.press("F2")
    page.keyboard.press("F8")
    page.wait_for_function("document.activeElement.id === 'pay-cash'")
    assert page.is_hidden("#done")
    assert not Invoice.objects.exists()
    retype(page.locator("#pay-cash"), "300")
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")
    assert page.text_content("#done-change") == "₹15.00"


def test_a_late_live_total_keeps_the_reason_in_the_approval_box(counter):
    page = counter
    quotes = QuoteHolder(page)
    scan(page, ATTA, 1)
    wait_for_total(page, "₹285.00")
    page.fill("#pay-cash", "300")
    quotes.holding, held = True, quotes.held
    page.locator("#bill-discount").press_sequentially("50", delay=200)
    wait_until(page, lambda: held)
    page.keyboard.press("F8")
    page.wait_for_selector("#approval:not([hidden])")
    reason = page.text_content("#approval-reason")
    assert "above the cashier limit" in reason
    assert page.evaluate("document.activeElement.id") == "approver-name"
    with page.expect_response(QUOTE_URL):
        for route in held:
            route.continue_()
    wait_for_total(page, "₹235.00")
    assert page.text_content("#approval-reason") == reason
    quotes.holding = False
    with page.expect_response(QUOTE_URL):  # a later live total, after the checkout, leaves it too
        retype(row(page, 0).locator("input.qty"), "1")
    assert page.text_content("#approval-reason") == reason
    assert page.is_visible("#approval")
    page.fill("#approver-name", "manager")
    page.fill("#approver-password", "galla-manager")
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")
    invoice = Invoice.objects.get()
    assert (invoice.bill_discount, invoice.approved_by.username) == (Decimal("50.00"), "manager")


def inside_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] \
        and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]


def test_the_approval_box_and_complete_stay_on_a_1366x768_screen(counter):
    page = counter
    assert page.viewport_size == {"width": 1366, "height": 768}
    page.fill("#customer-phone", "9000000001")  # no such customer: the add-customer form opens too
    page.keyboard.press("Enter")
    page.wait_for_selector("#customer-new:not([hidden])")
    page.keyboard.press("F2")
    for rows, code in enumerate((SALT, SURF, ATTA), start=1):
        scan(page, code, rows)
    wait_for_total(page, "₹449.00")
    page.locator("#bill-discount").press_sequentially("50", delay=200)  # 11 %: above the cashier's 10 %
    page.keyboard.press("F4")
    page.wait_for_function("document.getElementById('pay-cash').value === '399.00'")
    page.keyboard.press("F8")
    page.wait_for_selector("#approval:not([hidden])")
    assert inside_viewport(page, "#approval")
    assert inside_viewport(page, "#complete")
    # Nothing covers the button: a click at its centre reaches it.
    assert page.locator("#complete").evaluate(
        "button => { const r = button.getBoundingClientRect();"
        " return button.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }")
    assert page.evaluate("window.scrollY") == 0
    save_screenshot(page, "counter-approval.png")


@pytest.mark.parametrize(("errors", "field"), [
    ({"line-1": ["Only 3 pcs in stock."]}, "#cart tbody tr:nth-of-type(2) .line-error"),
    ({"lines[1].quantity": ["Only 3 pcs in stock."]}, "#cart tbody tr:nth-of-type(2) .line-error"),
    ({"payments[1].amount": ["Only 3 pcs in stock."]}, "[data-error-for=pay-upi]"),
    ({"payments": ["Only 3 pcs in stock."]}, "[data-error-for=payments]"),
    ({"bill_discount": ["Only 3 pcs in stock."]}, "[data-error-for=discount]"),
])
def test_checkout_errors_keyed_either_way_land_next_to_their_field(counter, errors, field):
    page = counter
    page.route(re.compile(r"/counter/checkout/"), lambda route: route.fulfill(
        status=400, content_type="application/json",
        body=json.dumps({"ok": False, "errors": errors, "needs_approval": False})))
    for rows, code in enumerate((ATTA, SALT, SURF), start=1):
        scan(page, code, rows)
    wait_for_total(page, "₹449.00")
    page.fill("#pay-cash", "349")
    page.fill("#pay-upi", "100")
    page.keyboard.press("F8")
    page.wait_for_selector(f"{field}:has-text('Only 3 pcs in stock.')")
    assert page.locator("[role=alert]:has-text('Only 3 pcs in stock.')").count() == 1


def test_a_name_typed_suggests_products_and_a_new_customer_is_added_at_the_counter(counter):
    page = counter
    page.locator("#scan").press_sequentially("toor", delay=200)
    page.wait_for_selector("#suggestions li.is-active:has-text('Toor dal')")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#cart tbody tr').length === 1")
    assert page.input_value("#scan") == ""
    retype(row(page, 0).locator("input.qty"), "1.25")  # loose goods by the kilo
    wait_for_total(page, "₹200.00")
    page.locator("#customer-phone").press_sequentially("9876543210", delay=50)
    page.keyboard.press("Enter")
    page.wait_for_selector("#customer-new:not([hidden])")
    page.keyboard.type("Ravi Kumar")
    page.click("#customer-save")
    page.wait_for_selector("#customer-name:has-text('Ravi Kumar (9876543210)')")
    page.keyboard.press("F4")
    page.wait_for_function("document.getElementById('pay-cash').value === '200.00'")
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")
    invoice = Invoice.objects.get()
    assert (invoice.customer.name, invoice.lines.get().quantity) == ("Ravi Kumar", Decimal("1.250"))
