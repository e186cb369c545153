"""The GST returns in a real browser: the owner picks a month, reads GSTR-1 and GSTR-3B; a cashier is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.conftest import transactional_db
from tests.e2e.conftest import save_screenshot
from tests.reports.gst_data import KUMAR_GSTIN, make_month

pytestmark = [pytest.mark.browser, transactional_db]


def test_the_owner_picks_a_month_and_reads_gstr1_then_gstr3b(login, live_server, shop, stocked, cashier, manager,
                                                             owner):
    make_month(stocked=stocked, cashier=cashier, manager=manager)
    page = login("owner", factories.PASSWORD)
    page.goto(f"{live_server.url}/admin/reports/report/gst/gstr-1/")
    this_month = timezone.localdate()
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    assert page.locator("#id_month").input_value() == f"{last_month:%Y-%m}"  # the month shown, in the picker
    page.locator("#id_month").focus()
    # the month picker takes the month's number and the year, typed key by key as a person does
    page.keyboard.type(f"{this_month:%m}", delay=120)
    page.keyboard.type(f"{this_month:%Y}", delay=120)
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#section-b2b")
    assert f"{this_month:%Y-%m}" in page.url
    b2b = page.locator("#section-b2b").inner_text()
    assert KUMAR_GSTIN in b2b and "₹1,098.00" in b2b
    assert "₹163.83" in page.locator("#section-b2cs").inner_text()
    assert page.locator("#download-json").is_visible()
    save_screenshot(page, "gstr1.png")
    page.get_by_role("link", name="GSTR-3B of this month").click()
    page.wait_for_selector("#section-gstr3b_31")
    assert "₹1,654.20" in page.locator("#section-gstr3b_31").inner_text()
    save_screenshot(page, "gstr3b.png")


def test_a_cashier_is_refused_the_gst_pages(login, live_server, shop, cashier):
    page = login("cashier", factories.PASSWORD)
    response = page.goto(f"{live_server.url}/admin/reports/report/gst/gstr-1/")
    assert response.status == 403
