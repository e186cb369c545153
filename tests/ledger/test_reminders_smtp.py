"""The credit reminder through a real SMTP server (aiosmtpd on 127.0.0.1): delivered with its statement PDF;
with the server down it stays queued and, once the server is back, is delivered exactly once."""

from datetime import date

import pytest

from ledger.reminders import credit_reminders_send
from shop.models import OutboundEmail
from shop.notifications.services import email_retry_due
from tests.ledger.test_credit_reminders import TODAY, khata  # noqa: F401  (the fixture)
from tests.sales.test_emails_smtp import make_due, smtp  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
Status = OutboundEmail.Status


def remind(capture) -> OutboundEmail:
    with capture(execute=True):
        [email] = credit_reminders_send(as_of=TODAY).emails
    email.refresh_from_db()
    return email


def test_the_smtp_server_receives_the_reminder_with_its_statement(smtp, khata,  # noqa: F811
                                                                  django_capture_on_commit_callbacks):
    khata("Asha Verma", "12345.50", date(2026, 9, 1), email="asha@example.com")
    smtp.start()
    email = remind(django_capture_on_commit_callbacks)
    assert email.status == Status.SENT and email.provider_message_id
    [message] = smtp.inbox.messages()
    assert message["To"] == "asha@example.com" and message["Message-ID"] == email.provider_message_id
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "₹12,345.50" in text and "₹12,345.50" in html and "Sharma Kirana Store" in html
    [pdf] = list(message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf" and pdf.get_content().startswith(b"%PDF-")


def test_with_the_server_down_the_reminder_waits_and_is_delivered_exactly_once(
        smtp, khata, django_capture_on_commit_callbacks):  # noqa: F811
    khata("Asha Verma", "800", date(2026, 9, 1), email="asha@example.com")
    email = remind(django_capture_on_commit_callbacks)  # nobody listens on the port
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    assert email.last_error.startswith("ConnectionRefusedError")

    smtp.start()
    make_due(email)
    assert email_retry_due() == 1
    make_due(email)
    assert email_retry_due() == 0  # sent: nothing left to retry
    with django_capture_on_commit_callbacks(execute=True):
        assert credit_reminders_send(as_of=TODAY).emails[0].pk == email.pk  # a rerun of the week queues nothing
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert len(smtp.inbox.envelopes) == 1
    assert "₹800.00" in smtp.inbox.messages()[0]["Subject"]
