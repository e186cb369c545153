"""Store credit at the counter, in a real browser: the customer's balance shown when they are found, the store
credit box offered only then, more than the balance refused next to it with the cart kept, then spent."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from ledger.models import Customer, DayBookEntry, StoreCreditEntry
from ledger.posting import post_store_credit, store_credit_balance
from sales.models import Invoice
from tests.conftest import transactional_db
from tests.e2e.test_counter import ATTA, scan, wait_for_total

pytestmark = [pytest.mark.browser, transactional_db]


def retype(page, selector: str, text: str) -> None:
    box = page.locator(selector)
    box.fill("")
    box.press_sequentially(text, delay=80)


def test_store_credit_is_offered_for_a_customer_who_holds_it_refused_beyond_it_and_spent(login, live_server):
    call_command("seed_demo")
    customer = Customer.objects.create(name="Meena Iyer", phone="9876512345")
    post_store_credit(customer=customer, kind=StoreCreditEntry.Kind.RETURN, amount=Decimal("100"), user=None)
    page = login("cashier", "galla-cashier")
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.goto(f"{live_server.url}/admin/sales/invoice/counter/")
    page.wait_for_selector("#scan:focus")
    scan(page, ATTA, 1)
    wait_for_total(page, "₹285.00")
    assert page.is_hidden("#pay-store")  # a walk-in has no store credit

    page.locator("#customer-phone").press_sequentially(customer.phone, delay=50)
    page.keyboard.press("Enter")
    page.wait_for_selector("#customer-store-credit:has-text('store credit ₹100.00')")
    assert page.is_visible("#pay-store")

    retype(page, "#pay-store", "150")
    retype(page, "#pay-cash", "135")
    page.keyboard.press("F8")
    page.wait_for_selector("[data-error-for=pay-store]:has-text('holds ₹100.00 of store credit')")
    assert page.is_hidden("#done") and not Invoice.objects.exists()

    retype(page, "#pay-store", "100")
    retype(page, "#pay-cash", "185")
    page.wait_for_function("document.getElementById('pay-status').textContent === 'Fully paid'")
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")
    invoice = Invoice.objects.get(number=page.text_content("#done-number"))
    assert sorted((p.method, p.amount) for p in invoice.payments.all()) == [
        ("cash", Decimal("185.00")), ("store", Decimal("100.00"))]
    assert store_credit_balance(customer) == 0
    assert [(e.method, e.amount) for e in DayBookEntry.objects.filter(reference=invoice.number)] == [
        ("cash", Decimal("185.00"))]
    assert not script_errors, script_errors
