"""The 9 AM summary and the weekly and monthly reports: their figures are the dashboard's, each goes to each
owner and manager once, the margin only to the owner."""

from datetime import date
from decimal import Decimal
from io import BytesIO, StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from ledger.day_book import day_close
from reports.selectors import sales_summary
from reports.summaries import daily_summary_send, iso_week_bounds, month_bounds, monthly_report_send, weekly_report_send
from shop.models import OutboundEmail
from shop.money import format_inr
from tests import factories
from tests.reports.shop_history import at, clock, sell_at

pytestmark = pytest.mark.django_db
D = Decimal
TUESDAY = date(2026, 11, 24)
LAST_TUESDAY = date(2026, 11, 17)


@pytest.fixture
def people(owner, manager, cashier):
    for user, address in ((owner, "ramesh@example.com"), (manager, "sunita@example.com"),
                          (cashier, "arjun@example.com")):
        user.email = address
        user.save()
    return owner, manager


@pytest.fixture
def tuesday(shop, stocked, cashier, owner, people):
    """Last Tuesday ₹100; this Tuesday ₹250 (cash ₹150 at 10:00, UPI ₹100 at 18:00), closed ₹5 short."""
    tea = stocked(name="Tea", selling_price=D("50"), cost_price=D("40"), tax_rate=factories.tax_rate("5"))
    sell_at(at(LAST_TUESDAY, 11), cashier, (tea, "2"))
    sell_at(at(TUESDAY, 10), cashier, (tea, "3"))
    sell_at(at(TUESDAY, 18), cashier, (tea, "2"), payments=[{"method": "upi", "amount": D("100"),
                                                              "reference": "412345678901"}])
    with clock(at(TUESDAY, 21)):
        closing = day_close(day=TUESDAY, counted_cash=D("245"), user=owner)
    return {"tea": tea, "closing": closing}


def summary_of(address: str) -> OutboundEmail:
    return OutboundEmail.objects.get(to=address, dedupe_key__startswith="summary:")


def test_the_summary_goes_to_each_owner_and_manager_with_the_days_figures(tuesday):
    with clock(at(TUESDAY, 23)):
        emails = daily_summary_send(day=TUESDAY)
    assert sorted(email.to for email in emails) == ["ramesh@example.com", "sunita@example.com"]  # no cashier
    summary = sales_summary(start=TUESDAY, end=TUESDAY)
    email = summary_of("ramesh@example.com")
    for text in (email.text_body, email.html_body):
        assert format_inr(summary.sales_total) == "₹250.00" and "₹250.00" in text
        assert "₹100.00" in text and "+150%" in text  # against last Tuesday
        assert format_inr(summary.gst_total) in text and format_inr(summary.average_bill) in text
        assert "Tea" in text and "-₹5.00" in text  # the top product and the drawer's difference
    assert "Cash: ₹150.00" in email.text_body and "UPI: ₹100.00" in email.text_body
    assert email.subject.startswith("Tue 24 Nov: ₹250.00 from 2 bills")
    assert 'width:240px' in email.html_body  # the busiest hour's bar is the longest


def test_only_the_owner_gets_the_margin(tuesday):
    daily_summary_send(day=TUESDAY)
    margin = format_inr(sales_summary(start=TUESDAY, end=TUESDAY).gross_margin)
    assert "Gross margin" in summary_of("ramesh@example.com").text_body
    assert margin in summary_of("ramesh@example.com").text_body
    manager_email = summary_of("sunita@example.com")
    assert "Gross margin" not in manager_email.text_body and "Gross margin" not in manager_email.html_body
    assert margin not in manager_email.text_body


def test_running_the_summary_twice_queues_it_once(tuesday):
    first = daily_summary_send(day=TUESDAY)
    second = daily_summary_send(day=TUESDAY)
    assert [email.pk for email in first] == [email.pk for email in second]
    assert OutboundEmail.objects.filter(dedupe_key__startswith="summary:2026-11-24:").count() == 2


def test_the_summary_command_takes_a_date_and_reruns_safely(tuesday):
    out = StringIO()
    call_command("send_daily_summary", "--date", "2026-11-24", stdout=out)
    call_command("send_daily_summary", "--date", "2026-11-24", stdout=out)
    assert OutboundEmail.objects.filter(dedupe_key__startswith="summary:").count() == 2
    assert "Summary of 2026-11-24: 2 email(s)" in out.getvalue()


@pytest.mark.parametrize(("arguments", "message"), [
    (["--date", "24-11-2026"], "--date must be a date like 2026-11-24"),
    (["--date", "2999-01-01"], "has not happened yet"),
])
def test_the_summary_command_refuses_a_bad_date(people, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("send_daily_summary", *arguments, stdout=StringIO())
    assert not OutboundEmail.objects.exists()


def test_the_summary_defaults_to_yesterday(tuesday):
    with clock(at(date(2026, 11, 25), 9)):
        emails = daily_summary_send()
    assert {email.dedupe_key.split(":")[1] for email in emails} == {"2026-11-24"}


def test_a_day_without_sales_or_closing_still_says_so(people, shop):
    daily_summary_send(day=TUESDAY)
    text = summary_of("ramesh@example.com").text_body
    assert "₹0.00" in text and "the day was not closed" in text and "no sales" in text


def test_the_weekly_report_carries_the_weeks_workbook(tuesday):
    emails = weekly_report_send(week=(2026, 48))
    assert len(emails) == 2
    email = OutboundEmail.objects.get(to="ramesh@example.com", dedupe_key="report:2026-W48:ramesh@example.com")
    assert "week 48, 2026 (23 Nov – 29 Nov)" in email.subject + email.text_body
    [attachment] = email.attachments.all()
    assert attachment.filename == "galla-report-2026-W48.xlsx"
    book = openpyxl.load_workbook(BytesIO(bytes(attachment.content)))
    assert book.sheetnames == ["Totals", "By day", "By payment mode", "Top products"]
    totals = {row[0]: row[1] for row in book["Totals"].iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(totals["Sales"])) == D("250") and totals["Bills"] == 2
    days = list(book["By day"].iter_rows(min_row=2, values_only=True))
    assert len(days) == 7 and days[1][:2] == ("2026-11-24", 2)
    assert weekly_report_send(week=(2026, 48))[0].pk in {email.pk for email in emails}  # once per address


def test_the_monthly_report_covers_the_month_and_the_default_is_last_month(tuesday):
    with clock(at(date(2026, 12, 1), 10)):
        emails = monthly_report_send()
    assert {email.dedupe_key.split(":")[1] for email in emails} == {"2026-11"}
    assert "November 2026" in emails[0].subject and "₹350.00" in emails[0].subject  # both Tuesdays


def test_the_weekly_default_is_the_week_before(people, shop):
    with clock(at(date(2026, 11, 30), 9, 30)):  # Monday of week 49
        emails = weekly_report_send()
    assert {email.dedupe_key.split(":")[1] for email in emails} == {"2026-W48"}


@pytest.mark.parametrize(("arguments", "key"), [
    (["--week", "2026-W48"], "2026-W48"),
    (["--month", "2026-11"], "2026-11"),
])
def test_the_period_command(tuesday, arguments, key):
    call_command("send_period_report", *arguments, stdout=StringIO())
    call_command("send_period_report", *arguments, stdout=StringIO())
    assert OutboundEmail.objects.filter(dedupe_key__startswith=f"report:{key}:").count() == 2


@pytest.mark.parametrize(("arguments", "message"), [
    (["--week", "2026-47"], "--week must look like 2026-W47"),
    (["--week", "2026-W60"], "--week must look like"),
    (["--week", "2025-W53"], "2025 has no week 53"),
    (["--month", "2026-13"], "--month must look like 2026-11"),
])
def test_the_period_command_refuses_bad_periods(people, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("send_period_report", *arguments, stdout=StringIO())
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize(("year", "week", "expected"), [
    (2026, 48, (date(2026, 11, 23), date(2026, 11, 29))),
    (2026, 1, (date(2025, 12, 29), date(2026, 1, 4))),  # ISO week 1 starts in the old year
    (2026, 53, (date(2026, 12, 28), date(2027, 1, 3))),
])
def test_iso_week_bounds(year, week, expected):
    assert iso_week_bounds(year, week) == expected


@pytest.mark.parametrize(("year", "month", "expected"), [
    (2026, 11, (date(2026, 11, 1), date(2026, 11, 30))),
    (2026, 12, (date(2026, 12, 1), date(2026, 12, 31))),
    (2028, 2, (date(2028, 2, 1), date(2028, 2, 29))),
])
def test_month_bounds(year, month, expected):
    assert month_bounds(year, month) == expected


def test_the_summary_carries_the_days_insights_cost_based_only_to_the_owner(people, shop, stocked, cashier):
    loss = stocked(name="Ghee 1 l", selling_price=D("500"), cost_price=D("560"))
    sell_at(at(TUESDAY, 10), cashier, (loss, "1"))
    daily_summary_send(day=TUESDAY)
    assert "Worth a look" in summary_of("ramesh@example.com").text_body
    assert "below cost" in summary_of("ramesh@example.com").text_body.lower()
    assert "below cost" not in summary_of("sunita@example.com").text_body.lower()
