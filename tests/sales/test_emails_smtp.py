"""Invoice emails through a real SMTP server (aiosmtpd on 127.0.0.1): delivered, retried while it is down, resent."""

import socket
from datetime import timedelta
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

from sales.emails import invoice_email_queue
from sales.services import checkout
from shop.models import OutboundEmail
from shop.notifications.services import MAX_ATTEMPTS, email_retry_due
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
Status = OutboundEmail.Status


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


class SmtpServer:
    """A real SMTP server on 127.0.0.1:port that a test can start and stop."""

    def __init__(self, port: int):
        self.port, self.inbox, self.controller = port, Inbox(), None

    def start(self) -> "SmtpServer":
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """The SMTP server, not started yet; the default mailer points at its port."""
    server = SmtpServer(free_port())
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": server.port, "use_tls": False,
                                                "timeout": 5}}}
    settings.DEFAULT_FROM_EMAIL = "Sharma Kirana Store <billing@sharma.example>"
    yield server
    server.stop()


@pytest.fixture
def invoice(shop, stocked, cashier):
    """A ₹1,23,000 bill: ₹1,00,000 cash and ₹23,000 by UPI awaiting its UTR."""
    customer = factories.CustomerFactory(name="Asha Verma", email="asha@example.com")
    fridge = stocked(name="Godrej Fridge 260 L", selling_price=D("61500"), hsn_code="8418")
    return checkout(cashier=cashier, customer=customer, lines=[{"product": fridge, "quantity": D("2")}],
                    payments=[{"method": "cash", "amount": D("100000")}, {"method": "upi", "amount": D("23000")}])


def queue_and_commit(invoice, cashier, capture) -> OutboundEmail:
    with capture(execute=True):
        email = invoice_email_queue(invoice=invoice, to="asha@example.com", user=cashier)
    email.refresh_from_db()
    return email


def make_due(email: OutboundEmail) -> None:
    """Move the clock past the email's next attempt."""
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_the_smtp_server_receives_the_invoice_with_pdf_html_and_text(smtp, invoice, cashier,
                                                                      django_capture_on_commit_callbacks):
    smtp.start()
    email = queue_and_commit(invoice, cashier, django_capture_on_commit_callbacks)
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 1, "")

    [envelope] = smtp.inbox.envelopes
    assert envelope.rcpt_tos == ["asha@example.com"]
    assert envelope.mail_from == "billing@sharma.example"
    [message] = smtp.inbox.messages()
    assert message["Subject"] == f"Invoice {invoice.number} from Sharma Kirana Store"
    assert message["To"] == "asha@example.com"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Total:   ₹1,23,000.00" in text and "Balance due: ₹23,000.00" in text
    assert "₹1,23,000.00" in html and "<table" in html
    [pdf] = list(message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"{invoice.number.replace('/', '-')}.pdf"
    assert pdf.get_content().startswith(b"%PDF-")


def test_while_the_server_is_down_the_email_waits_and_the_sweep_sends_it_later(smtp, invoice, cashier,
                                                                                django_capture_on_commit_callbacks):
    before = timezone.now()
    email = queue_and_commit(invoice, cashier, django_capture_on_commit_callbacks)  # nobody listens on the port
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    assert email.last_error.startswith("ConnectionRefusedError")
    assert email.next_attempt_at > before

    smtp.start()
    assert email_retry_due() == 0  # not due yet
    assert smtp.inbox.envelopes == []
    make_due(email)
    assert email_retry_due() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 2, "")
    [message] = smtp.inbox.messages()
    assert [part.get_content_type() for part in message.iter_attachments()] == ["application/pdf"]


def test_an_email_that_keeps_failing_is_marked_failed_and_the_owner_resends_it(
        smtp, invoice, cashier, owner, client, django_capture_on_commit_callbacks):
    email = queue_and_commit(invoice, cashier, django_capture_on_commit_callbacks)
    for _attempt in range(MAX_ATTEMPTS - 1):
        make_due(email)
        email_retry_due()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == (Status.FAILED, MAX_ATTEMPTS, None)
    assert email.last_error

    smtp.start()
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:shop_outboundemail_changelist"),
                               {"action": "resend_selected", "_selected_action": [email.pk]})
    assert response.status_code == 302
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 1, "")
    [message] = smtp.inbox.messages()
    assert message["Subject"] == f"Invoice {invoice.number} from Sharma Kirana Store"


def test_a_retry_sends_the_pdf_that_was_queued_without_rendering_it_again(smtp, invoice, cashier, monkeypatch,
                                                                           django_capture_on_commit_callbacks):
    email = queue_and_commit(invoice, cashier, django_capture_on_commit_callbacks)
    queued_pdf = bytes(email.attachments.get().content)

    def render_again(*args, **kwargs):
        raise AssertionError("the retry rendered the PDF again")

    monkeypatch.setattr("sales.documents.render.render_a4", render_again)
    monkeypatch.setattr("sales.emails.invoice_pdf", render_again)
    smtp.start()
    make_due(email)
    email_retry_due()
    [message] = smtp.inbox.messages()
    [pdf] = list(message.iter_attachments())
    assert pdf.get_content() == queued_pdf
