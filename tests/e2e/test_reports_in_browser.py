"""The Reports page and a report as the owner uses them, on ten days of demo history; a cashier is refused."""

import pytest
from django.core.management import call_command

from tests.conftest import transactional_db
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.browser, transactional_db]


def test_owner_opens_the_reports_and_the_hour_heatmap(login, live_server):
    call_command("seed_demo", days=10, bills_per_day=12, stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = login("owner", "galla-owner")
    page.set_viewport_size({"width": 1440, "height": 1100})
    page.get_by_role("link", name="All reports").click()
    index = page.locator("#reports-index")
    for title in ("Sales by day, week or month", "Profit by product", "GSTR-1 summary", "Slow and dead stock",
                  "Khata ageing", "Cash closing history"):
        assert index.get_by_text(title).first.is_visible(), title
    save_screenshot(page, "reports-index.png")

    page.locator("[data-report=sales-by-hour]").click()
    page.locator("select[name=preset]").select_option("this_month")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#report-table tbody tr")
    assert page.locator("#report-table tbody tr").count() >= 7  # a row per weekday
    assert "₹" in page.locator("#report-totals").inner_text()
    save_screenshot(page, "report-sales-by-hour.png")


def test_a_cashier_is_refused_the_reports(login, live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = login("cashier", "galla-cashier")
    response = page.goto(f"{live_server.url}/admin/reports/report/")
    assert response.status == 403
    assert page.get_by_test_id("forbidden").is_visible()
