"""The daily summary email as a mail client shows it: its HTML rendered in the browser, saved under docs/."""

import pytest

from reports.summaries import daily_summary_send
from tests.e2e.conftest import DOCS
from tests.reports.test_summaries import TUESDAY, people, tuesday  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_the_daily_summary_reads_well(page, tuesday):  # noqa: F811
    [owner_email] = [email for email in daily_summary_send(day=TUESDAY) if email.to == "ramesh@example.com"]
    page.set_viewport_size({"width": 700, "height": 1400})
    page.set_content(owner_email.html_body)
    assert page.get_by_text("Summary of Tuesday, 24 November 2026").is_visible()
    assert page.get_by_text("Gross margin").is_visible()
    bars = page.locator("div[style*='background:#059669']")
    assert bars.count() == 2 and bars.first.bounding_box()["width"] > 100  # 10:00 is the busier hour
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "daily-summary-email.png"), full_page=True)
