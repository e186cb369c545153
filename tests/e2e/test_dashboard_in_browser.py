"""The dashboard as the owner and the cashier see it in a real browser, with a month of sales behind it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Product
from shop.models import User
from tests.conftest import transactional_db
from tests.e2e.conftest import save_screenshot
from tests.reports.shop_history import at, sell_at

pytestmark = [pytest.mark.browser, transactional_db]


def a_month_of_sales():
    """Two or three bills a day for five weeks, busier on Sundays, sold by the demo cashier."""
    cashier = User.objects.get(username="cashier")
    products = list(Product.objects.filter(sku__in=["ATTA-5KG", "PARLEG-250", "BUTTER-100G", "COKE-750"]))
    today = timezone.localdate()
    for days_back in range(35, -1, -1):
        day = today - timedelta(days=days_back)
        hours = (10, 13, 18, 20) if day.weekday() == 6 else (10, 18)
        for number, hour in enumerate(hours):
            product = products[(days_back + number) % len(products)]
            sell_at(at(day, hour, 15), cashier, (product, Decimal("1")))


def test_owner_and_cashier_dashboards(login, live_server):
    call_command("seed_demo")
    a_month_of_sales()
    page = login("owner", "galla-owner")
    page.set_viewport_size({"width": 1440, "height": 1500})  # the whole dashboard in one picture
    dashboard = page.get_by_test_id("dashboard")
    assert dashboard.is_visible()
    assert page.get_by_test_id("card-sales").inner_text().count("₹") >= 2  # today and the week before
    assert page.get_by_test_id("card-gross_margin").is_visible()
    page.wait_for_function("document.querySelectorAll('canvas.chart').length === 2")
    assert page.locator("canvas.chart").first.bounding_box()["height"] > 100
    save_screenshot(page, "dashboard-owner.png")

    # The date picker, typed the way a person types a date into the field.
    page.locator("input[name=start]").focus()
    week_ago = timezone.localdate() - timedelta(days=6)
    page.keyboard.type(week_ago.strftime("%m%d%Y"), delay=40)  # the browser's locale orders the date mm/dd/yyyy
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/admin/?start=*")
    title = page.get_by_test_id("period-title").inner_text()
    assert week_ago.strftime("%-d %b") in title and timezone.localdate().strftime("%-d %b") in title  # up to today
    assert page.locator("canvas.chart").count() == 1  # no hour chart for a range

    page.context.clear_cookies()
    cashier_page = login("cashier", "galla-cashier")
    assert cashier_page.get_by_text("Open the billing counter").is_visible()
    assert cashier_page.get_by_test_id("shift-total").is_visible()
    assert cashier_page.get_by_test_id("dashboard").count() == 0
    save_screenshot(cashier_page, "dashboard-cashier.png")
