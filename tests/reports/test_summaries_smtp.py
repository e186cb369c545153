"""The daily summary and the weekly report through a real SMTP server (aiosmtpd on 127.0.0.1), sent by the
worker's task as the 9:00 schedule runs it; with the server down they wait and go exactly once."""

import pytest
from django_q.models import Schedule
from django_q.tasks import async_task, fetch

from reports.selectors import sales_summary
from shop.models import OutboundEmail
from shop.money import format_inr
from shop.notifications.services import email_retry_due
from tests.reports.shop_history import at, clock
from tests.reports.test_summaries import TUESDAY, people, tuesday  # noqa: F401  (fixtures)
from tests.sales.test_emails_smtp import make_due, smtp  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
Status = OutboundEmail.Status


def run_schedule(name: str, capture) -> None:
    """Run what a due schedule runs, the way the cluster does (Django-Q2 runs tasks inline in the tests)."""
    schedule = Schedule.objects.get(name=name)
    with capture(execute=True):
        task = fetch(async_task(schedule.func, task_name=f"test-{name}"))
    assert task.success, task.result


def test_the_nine_oclock_schedule_delivers_yesterdays_summary(smtp, tuesday,  # noqa: F811
                                                              django_capture_on_commit_callbacks):
    smtp.start()
    with clock(at(TUESDAY.replace(day=25), 9)):
        run_schedule("Daily summary", django_capture_on_commit_callbacks)
    summary = sales_summary(start=TUESDAY, end=TUESDAY)
    messages = {message["To"]: message for message in smtp.inbox.messages()}
    assert set(messages) == {"ramesh@example.com", "sunita@example.com"}
    message = messages["ramesh@example.com"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for figure in (summary.sales_total, summary.gst_total, summary.average_bill, summary.gross_margin):
        assert format_inr(figure) in text and format_inr(figure) in html
    assert "Sales by hour" in html and "background:#059669;height:12px" in html  # the chart, drawn in cells
    assert message["Subject"].startswith("Tue 24 Nov: ₹250.00 from 2 bills")


def test_the_weekly_report_arrives_with_its_workbook(smtp, tuesday,  # noqa: F811
                                                     django_capture_on_commit_callbacks):
    smtp.start()
    with clock(at(TUESDAY.replace(day=30), 9, 30)):  # Monday of the next week
        run_schedule("Weekly report", django_capture_on_commit_callbacks)
    message = next(message for message in smtp.inbox.messages() if message["To"] == "ramesh@example.com")
    [workbook] = list(message.iter_attachments())
    assert workbook.get_filename() == "galla-report-2026-W48.xlsx"
    assert workbook.get_content()[:2] == b"PK"  # an xlsx is a zip


def test_with_the_server_down_the_summary_waits_and_goes_exactly_once(smtp, tuesday,  # noqa: F811
                                                                     django_capture_on_commit_callbacks):
    with clock(at(TUESDAY.replace(day=25), 9)):
        run_schedule("Daily summary", django_capture_on_commit_callbacks)  # nobody listens on the port
    emails = list(OutboundEmail.objects.filter(dedupe_key__startswith="summary:"))
    assert [(email.status, email.attempts) for email in emails] == [(Status.QUEUED, 1)] * 2

    smtp.start()
    for email in emails:
        make_due(email)
    assert email_retry_due() == 2
    with clock(at(TUESDAY.replace(day=25), 9, 5)):
        run_schedule("Daily summary", django_capture_on_commit_callbacks)  # a rerun queues nothing new
    for email in emails:
        make_due(email)
    assert email_retry_due() == 0
    assert sorted(envelope.rcpt_tos[0] for envelope in smtp.inbox.envelopes) == ["ramesh@example.com",
                                                                                 "sunita@example.com"]
    assert OutboundEmail.objects.filter(dedupe_key__startswith="summary:", status=Status.SENT).count() == 2
