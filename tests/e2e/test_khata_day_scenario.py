"""A manager's whole khata day in a real browser, typing key by key as people do.

At the counter: a new customer is added with a credit limit and sold to on credit; a part payment is taken at
the counter's receive-payment page; the customer list, the statement page and its PDF show what is owed; an
expense goes into the day book; the drawer is counted by denomination and the day closes showing the
difference. Screenshots for docs/: the customer list, the statement PDF and the day book.
"""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from ledger.models import Customer, DayClosing
from ledger.selectors import customer_balance, day_cash_position
from sales.models import Invoice
from shop.money import format_inr
from tests.conftest import transactional_db
from tests.e2e.conftest import DOCS, save_screenshot
from tests.e2e.test_khata import seed_khata
from tests.pdf import pdfium_text, render_page

pytestmark = [pytest.mark.browser, transactional_db]
D = Decimal
ATTA = "8900000000029"  # seed_demo: Aashirvaad Atta 5 kg, ₹285
PHONE, NAME = "9812300077", "सुरेश पाटिल (Suresh Patil)"
KEY_DELAY = 60  # milliseconds between keys


def type_into(page, selector: str, text: str) -> None:
    page.click(selector)
    page.keyboard.press("Control+a")
    page.keyboard.type(text, delay=KEY_DELAY)


@pytest.fixture
def shop_with_khata(live_server):
    call_command("seed_demo")
    seed_khata()  # a few months of other customers' khata, so the list looks like a shop's


def test_a_manager_sells_on_credit_to_a_new_customer_takes_a_part_payment_and_closes_the_day(
        shop_with_khata, login, live_server):
    page = login("manager", "galla-manager")
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # At the counter: the atta, then a customer the shop does not know yet, added with a ₹2,500 limit.
    page.goto(f"{live_server.url}/admin/sales/invoice/counter/")
    page.wait_for_selector("#scan:focus")
    page.keyboard.type(ATTA, delay=KEY_DELAY)
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#cart tbody tr').length === 1")
    page.wait_for_function("document.getElementById('t-grand').textContent === '₹285.00'")
    type_into(page, "#customer-phone", PHONE)
    page.keyboard.press("Enter")
    page.wait_for_selector("#customer-new:not([hidden])")
    assert page.is_visible("#new-credit-limit")  # a manager sets the limit right here
    page.keyboard.type(NAME, delay=KEY_DELAY)  # the name box has the focus
    type_into(page, "#new-credit-limit", "2500")
    page.click("#customer-save")
    page.wait_for_selector("#customer-found:not([hidden])")
    assert NAME in page.text_content("#customer-name")
    customer = Customer.objects.get(phone=PHONE)
    assert (customer.name, customer.credit_limit) == (NAME, D("2500"))

    # The whole bill on credit (udhar).
    type_into(page, "#pay-credit", "285")
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")
    invoice = Invoice.objects.get(customer=customer)
    assert page.text_content("#done-number") == invoice.number
    assert invoice.credit_amount == D("285.00") and customer_balance(customer) == D("285.00")

    # A part payment at the counter's receive-payment page (the counter opens it in a new tab).
    page.goto(live_server.url + page.get_attribute("#receive-khata-payment", "href"))
    type_into(page, "input[name=q]", PHONE)
    page.click("#find-customer button[type=submit]")
    page.wait_for_selector("#repayment-form")
    assert page.text_content("#khata-balance").strip() == "Owes ₹285.00"
    page.check("input[name=method][value=cash]")
    type_into(page, "input[name=amount]", "100")
    page.click("#repayment-form button[type=submit]")
    page.wait_for_selector("#payment-recorded")
    assert "Balance now ₹185.00" in page.text_content("#payment-recorded")
    assert customer_balance(customer) == D("185.00")

    # The customer list, largest balance first: the new customer owes ₹185 against a ₹2,500 limit.
    page.goto(f"{live_server.url}/admin/ledger/customer/?o=-3")
    row = page.locator("#result_list tbody tr", has_text="Suresh Patil")
    assert "₹185.00" in row.text_content() and "₹2,500.00" in row.text_content()
    save_screenshot(page, "customer-list.png")

    # The statement page, then its PDF, looked at as the customer would.
    page.goto(f"{live_server.url}/admin/ledger/customer/{customer.pk}/statement/")
    page.wait_for_selector("#closing-balance")
    assert page.text_content("#closing-balance").strip() == "₹185.00"
    pdf = page.request.get(f"{live_server.url}/admin/ledger/customer/{customer.pk}/statement/pdf/")
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdfium_text(pdf.body())
    # (PDFium gives shaped Devanagari back in drawing order, so the name is checked by its Latin part;
    # docs/statement.png shows it drawn.)
    assert "STATEMENT OF ACCOUNT" in text and "(Suresh Patil)" in text
    assert all(amount in text for amount in ("₹285.00", "₹100.00", "₹185.00"))
    render_page(pdf.body(), dpi=110).save(DOCS / "statement.png")

    # An expense in the day book.
    page.click("#nav-sidebar-apps a:has-text('Day book')")
    page.wait_for_selector("#entries")
    page.click("a:has-text('Record expense')")
    page.select_option("select[name=category]", "transport")
    page.select_option("select[name=method]", "cash")
    type_into(page, "input[name=amount]", "150")
    type_into(page, "input[name=note]", "Auto to the wholesale market")
    page.click("button[type=submit]:has-text('Record')")
    page.wait_for_selector("#entries")
    entries = page.locator("#entries").inner_text()
    assert "Expense · Transport" in entries and "Credit" in entries and invoice.number in entries
    expected = day_cash_position(day=timezone.localdate()).expected
    assert format_inr(expected) in page.locator("#cash-now").inner_text()
    save_screenshot(page, "day-book.png")

    # Close the day: the drawer holds ₹20 less than expected, counted note by note.
    page.click("a:has-text('Close the day')")
    page.wait_for_selector("#expected-cash")
    counted = expected - D("20")
    notes = {500: int(counted // 500)}
    notes[100] = int((counted - 500 * notes[500]) // 100)
    notes[10] = int((counted - 500 * notes[500] - 100 * notes[100]) // 10)
    coins = counted - 500 * notes[500] - 100 * notes[100] - 10 * notes[10]
    for value, count in notes.items():
        type_into(page, f"input[name=notes_{value}]", str(count))
    type_into(page, "input[name=coins]", str(coins))
    page.wait_for_function(f"document.querySelectorAll('#live-count strong')[0].textContent === "
                           f"{format_inr(counted)!r}")
    assert page.locator("#live-count strong").nth(1).inner_text() == "₹20.00 short"
    page.click("button[type=submit]:has-text('Close the day')")
    page.wait_for_selector("#result_list")
    closing = DayClosing.objects.get(day=timezone.localdate())
    assert (closing.expected_cash, closing.counted_cash, closing.difference) == (expected, counted, D("-20"))
    assert page.locator("#result_list").get_by_text("-₹20.00 short").is_visible()
    assert not script_errors, script_errors
