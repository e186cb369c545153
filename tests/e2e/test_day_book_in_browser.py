"""The day book in a real browser: a manager reads the day's sales, records an expense, counts the drawer
by denomination (the page adds it up as they type), closes the day and sees the difference."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Product
from ledger.day_book import cash_movement_record
from ledger.models import DayBookEntry, DayClosing
from sales.services import checkout, parse_cart, price_cart
from shop.models import ShopProfile, User
from shop.money import format_inr
from tests.conftest import transactional_db
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.browser, transactional_db]
D = Decimal


def sell(sku_quantities: list[tuple[str, str]], method: str, reference: str = "") -> None:
    """Sell at the demo shop, paid in full by one method."""
    cashier = User.objects.get(username="cashier")
    lines = [{"product": Product.objects.get(sku=sku), "quantity": D(quantity)} for sku, quantity in sku_quantities]
    profile = ShopProfile.objects.get_profile()
    due = price_cart(parse_cart(lines), inter_state=False, profile=profile, bill_discount=D(0)).grand_total
    checkout(cashier=cashier, lines=lines, payments=[{"method": method, "amount": due, "reference": reference}])


@pytest.fixture
def busy_day():
    """The demo shop after a morning: a float, cash, UPI and card sales."""
    call_command("seed_demo")
    manager = User.objects.get(username="manager")
    cash_movement_record(kind="cash_in", reason="float_added", amount="1000", user=manager, note="Change for the day")
    skus = list(Product.objects.order_by("pk").values_list("sku", flat=True)[:4])
    sell([(skus[0], "2")], "cash")
    sell([(skus[1], "3"), (skus[2], "1")], "upi", "412345678901")
    sell([(skus[3], "1")], "card")
    return manager


def test_manager_records_an_expense_then_closes_the_day_by_denomination(login, live_server, busy_day):
    page = login("manager", "galla-manager")
    page.click("#nav-sidebar-apps a:has-text('Day book')")
    page.wait_for_selector("#entries")
    assert page.locator("#entries tbody tr").count() == 4

    page.click("a:has-text('Record expense')")
    page.select_option("select[name=category]", "transport")
    page.select_option("select[name=method]", "cash")
    page.fill("input[name=amount]", "150")
    page.fill("input[name=note]", "Auto to the wholesale market")
    page.click("button[type=submit]:has-text('Record')")
    page.wait_for_selector("#entries")
    assert page.locator("#entries").get_by_text("Expense · Transport").is_visible()
    cash_sales = sum(e.amount for e in DayBookEntry.objects.filter(method="cash", kind="sale"))
    expected = D("1000") + cash_sales - D("150")
    assert format_inr(expected) in page.locator("#cash-now").inner_text()
    save_screenshot(page, "day-book.png")

    page.click("a:has-text('Close the day')")
    page.wait_for_selector("#expected-cash")
    # The drawer holds ₹2 less than expected: count it note by note, the rest in ₹10 notes and coins.
    counted = expected - D("2")
    notes = {500: int(counted // 500)}
    notes[100] = int((counted - 500 * notes[500]) // 100)
    notes[10] = int((counted - 500 * notes[500] - 100 * notes[100]) // 10)
    coins = counted - 500 * notes[500] - 100 * notes[100] - 10 * notes[10]
    for value, count in notes.items():
        page.fill(f"input[name=notes_{value}]", str(count))
    page.fill("input[name=coins]", str(coins))
    live = "document.querySelectorAll('#live-count strong')"
    page.wait_for_function(f"{live}[0].textContent === {format_inr(counted)!r}")
    assert page.locator("#live-count strong").nth(1).inner_text() == "₹2.00 short"
    page.fill("input[name=note]", "Counted at 9 pm")
    save_screenshot(page, "day-close.png")
    page.click("button[type=submit]:has-text('Close the day')")
    page.wait_for_selector("#result_list")
    closing = DayClosing.objects.get(day=timezone.localdate())
    assert (closing.expected_cash, closing.counted_cash, closing.difference) == (expected, counted, D("-2"))
    counted_notes = {str(value): count for value, count in notes.items() if count}
    assert closing.denominations == {**counted_notes, **({"coins": str(coins)} if coins else {})}
    assert page.get_by_text(f"counted {format_inr(counted)}, ₹2.00 short").is_visible()
    assert page.locator("#result_list").get_by_text("-₹2.00 short").is_visible()
    save_screenshot(page, "day-closing-history.png")
