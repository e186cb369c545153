"""The outbox's dedupe key, the provider's message id and delivery reports (anymail's tracking signal),
the retention of attachments, and the owner's notification when an email is given up."""

from datetime import timedelta

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shop.models import Notification, OutboundEmail, OutboundEmailAttachment
from shop.notifications.services import MAX_ATTEMPTS, email_attachments_expire, email_queue, email_send
from tests.shop.test_notifications import DOWN_MAILER

pytestmark = pytest.mark.django_db
Status = OutboundEmail.Status
ANYMAIL_TEST_MAILER = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}


def queue(key: str | None = "summary:2026-11-24:owner@example.com", **extra) -> OutboundEmail:
    return email_queue(to=["owner@example.com"], subject="Summary for 24-11-2026", template="welcome",
                       context={"shop": {"name": "Sharma Kirana Store"}, "username": "owner", "link": "x"},
                       dedupe_key=key, **extra)


# --- dedupe key --------------------------------------------------------------------------------------

def test_the_same_dedupe_key_returns_the_first_email_and_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue()
    with django_capture_on_commit_callbacks(execute=True):
        second = queue()
    assert second.pk == first.pk
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_racing_writer_with_the_same_key_gets_the_winners_row(monkeypatch, django_capture_on_commit_callbacks):
    """The pre-check saw nothing (the other worker had not committed): the unique column refuses the second
    row and the loser reads the winner's, inside its own still-usable transaction."""
    winner = queue()
    monkeypatch.setattr(QuerySet, "first", lambda self: None)  # the pre-check misses, as in a race
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        loser = queue()
        assert OutboundEmail.objects.filter(pk=winner.pk).exists()  # the outer transaction still works
    assert loser.pk == winner.pk
    assert OutboundEmail.objects.count() == 1
    assert callbacks == []  # nothing new to send


def test_emails_without_a_key_are_never_deduplicated():
    queue(key=None)
    queue(key=None)
    assert OutboundEmail.objects.count() == 2


# --- message id and delivery reports ----------------------------------------------------------------

def test_sending_stores_the_message_id_of_the_smtp_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.provider_message_id == mail.outbox[0].extra_headers["Message-ID"]
    assert email.provider_message_id.startswith("<") and f"galla-{email.pk}" in email.provider_message_id


def test_sending_through_anymail_stores_the_providers_message_id(settings, django_capture_on_commit_callbacks):
    settings.MAILERS = ANYMAIL_TEST_MAILER
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.provider_message_id == str(mail.outbox[0].anymail_status.message_id)
    report(email.provider_message_id, "delivered")
    email.refresh_from_db()
    assert email.delivery_status == "delivered"


def report(message_id: str, event_type: str) -> None:
    event = AnymailTrackingEvent(event_type=event_type, message_id=message_id, recipient="owner@example.com",
                                 timestamp=timezone.now())
    tracking.send(sender=object, event=event, esp_name="TestESP")


def sent_email(message_id: str = "<abc@mail.example>") -> OutboundEmail:
    email = queue(key=None)
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.SENT, sent_at=timezone.now(),
                                                     provider_message_id=message_id)
    return email


def test_a_delivered_report_marks_the_email_delivered():
    email = sent_email()
    report("<abc@mail.example>", "delivered")
    email.refresh_from_db()
    assert email.delivery_status == "delivered" and email.delivery_updated_at is not None


def test_a_bounce_is_not_hidden_by_a_later_open():
    email = sent_email()
    report("<abc@mail.example>", "delivered")
    report("<abc@mail.example>", "bounced")
    report("<abc@mail.example>", "opened")
    email.refresh_from_db()
    assert email.delivery_status == "bounced"


def test_a_report_for_another_message_changes_nothing():
    email = sent_email()
    report("<someone-else@mail.example>", "bounced")
    report("<abc@mail.example>", "unknown")
    email.refresh_from_db()
    assert email.delivery_status == ""


# --- retention ------------------------------------------------------------------------------------

def with_attachment(*, status: str, sent_days_ago: int | None) -> OutboundEmail:
    email = queue(key=None, attachments=[("invoice.pdf", b"%PDF-1.7 fake", "application/pdf")])
    sent_at = timezone.now() - timedelta(days=sent_days_ago) if sent_days_ago is not None else None
    OutboundEmail.objects.filter(pk=email.pk).update(status=status, sent_at=sent_at)
    return email


def test_sent_emails_older_than_the_retention_lose_their_attachments_only(settings):
    settings.EMAIL_ATTACHMENT_RETENTION_DAYS = 90
    old = with_attachment(status=Status.SENT, sent_days_ago=91)
    recent = with_attachment(status=Status.SENT, sent_days_ago=89)
    failed = with_attachment(status=Status.FAILED, sent_days_ago=None)
    assert email_attachments_expire() == 1
    assert not OutboundEmailAttachment.objects.filter(email=old).exists()
    assert OutboundEmail.objects.get(pk=old.pk).attachments_removed_at is not None
    assert OutboundEmailAttachment.objects.filter(email__in=[recent, failed]).count() == 2
    assert email_attachments_expire() == 0  # nothing left to do


def test_the_retention_setting_is_read_each_run(settings):
    email = with_attachment(status=Status.SENT, sent_days_ago=10)
    settings.EMAIL_ATTACHMENT_RETENTION_DAYS = 7
    assert email_attachments_expire() == 1
    assert not email.attachments.exists()


# --- giving up --------------------------------------------------------------------------------------

def test_an_email_given_up_notifies_the_owner_and_managers(settings, owner, manager, cashier):
    email = queue(key=None)
    settings.MAILERS = DOWN_MAILER
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert email_send(email.pk) == Status.FAILED
    notified = Notification.objects.filter(level="danger")
    assert sorted(notified.values_list("user__username", flat=True)) == ["manager", "owner"]
    assert "Summary for 24-11-2026" in notified.first().text


def test_a_failed_attempt_that_will_be_retried_notifies_nobody(settings, owner):
    email = queue(key=None)
    settings.MAILERS = DOWN_MAILER
    assert email_send(email.pk) == Status.QUEUED
    assert not Notification.objects.exists()

