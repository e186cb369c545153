"""The email outbox: written in the caller's transaction, sent after commit, retried with backoff, resent by the owner.

These tests use Django's locmem mailer (tests/settings.py) or a mailer that is always down; the
real SMTP server is in tests/sales/test_emails_smtp.py.
"""

import re
from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from shop.models import OutboundEmail
from shop.notifications import services
from shop.notifications.schedules import RETRY_SCHEDULE_NAME, ensure_email_retry_schedule
from shop.notifications.services import (
    MAX_ATTEMPTS,
    email_queue,
    email_resend,
    email_retry_due,
    email_send,
    retry_delay,
)
from tests import factories

pytestmark = pytest.mark.django_db
Status = OutboundEmail.Status
DOWN_MAILER = {"default": {"BACKEND": "tests.shop.test_notifications.DownMailer"}}
LOCMEM_MAILER = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


class DownMailer(BaseEmailBackend):
    """A mailer whose server never answers."""

    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def email_templates(settings, tmp_path):
    """templates/emails/hello.txt and .html, for these tests only."""
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "hello.txt").write_text("Hello {{ name }}, you paid {{ amount }}.", encoding="utf-8")
    (folder / "hello.html").write_text("<p>Hello <b>{{ name }}</b>, you paid {{ amount }}.</p>", encoding="utf-8")
    (folder / "only_text.txt").write_text("No HTML twin.", encoding="utf-8")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]


def queue(**overrides) -> OutboundEmail:
    fields = {"to": "asha@example.com", "subject": "Your bill", "template": "hello",
              "context": {"name": "Asha & Co", "amount": "₹1,23,456.50"}}
    return email_queue(**{**fields, **overrides})


def make_due(email: OutboundEmail) -> None:
    """Move the clock past the email's next attempt."""
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_email_is_written_queued_and_sent_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = queue()
        assert OutboundEmail.objects.get(pk=email.pk).status == Status.QUEUED
        assert mail.outbox == []
    assert len(callbacks) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error, email.next_attempt_at) == (Status.SENT, 1, "", None)
    assert email.sent_at is not None
    [message] = mail.outbox
    assert (message.subject, message.to) == ("Your bill", ["asha@example.com"])
    assert message.body == "Hello Asha & Co, you paid ₹1,23,456.50."
    assert message.alternatives[0].content == "<p>Hello <b>Asha &amp; Co</b>, you paid ₹1,23,456.50.</p>"
    assert message.alternatives[0].mimetype == "text/html"


def test_email_of_a_rolled_back_cause_is_never_written_or_sent(django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        queue()
        raise RuntimeError("the sale failed")
    assert callbacks == []
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("to", ["", "   ", "not-an-address", "asha@example.com, bad@", ["asha@example.com", "x"]])
def test_queue_refuses_a_bad_address_under_to_and_writes_nothing(to):
    with pytest.raises(ValidationError) as refusal:
        queue(to=to)
    assert list(refusal.value.message_dict) == ["to"]
    assert not OutboundEmail.objects.exists()


def test_queue_takes_several_addresses():
    email = queue(to=["asha@example.com", " ravi@example.in "])
    assert email.to == "asha@example.com, ravi@example.in"
    assert email.recipients == ["asha@example.com", "ravi@example.in"]


def test_queue_needs_both_the_text_and_the_html_template():
    with pytest.raises(TemplateDoesNotExist):
        queue(template="only_text")
    assert not OutboundEmail.objects.exists()


def test_attachments_are_stored_with_the_row_and_sent_as_queued(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(attachments=[("bill.pdf", b"%PDF-1.4 first version", "application/pdf")])
    stored = email.attachments.get()
    assert (stored.filename, stored.mimetype, bytes(stored.content)) == (
        "bill.pdf", "application/pdf", b"%PDF-1.4 first version")
    [message] = mail.outbox
    assert [(a.filename, a.content, a.mimetype) for a in message.attachments] == [
        ("bill.pdf", b"%PDF-1.4 first version", "application/pdf")]


def test_source_reference_sender_and_reply_to_are_recorded(settings, owner):
    settings.DEFAULT_FROM_EMAIL = "Sharma Kirana <billing@sharma.example>"
    email = queue(source=owner, reference="SKS/26-27/00001", reply_to="owner@sharma.example", user=owner)
    email.refresh_from_db()
    assert (email.source, email.reference, email.created_by) == (owner, "SKS/26-27/00001", owner)
    assert (email.from_email, email.reply_to) == ("Sharma Kirana <billing@sharma.example>", "owner@sharma.example")
    email_send(email.pk)
    [message] = mail.outbox
    assert (message.from_email, message.reply_to) == ("Sharma Kirana <billing@sharma.example>",
                                                      ["owner@sharma.example"])


def test_a_failed_attempt_stays_queued_with_the_error_and_a_later_try(settings):
    settings.MAILERS = DOWN_MAILER
    email = queue()
    before = timezone.now()
    assert email_send(email.pk) == Status.QUEUED
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert before + timedelta(minutes=1) <= email.next_attempt_at <= timezone.now() + timedelta(minutes=1)


@pytest.mark.parametrize(("attempts", "minutes"), [
    (1, 1), (2, 5), (3, 15), (4, 60), (5, 180), (6, 360), (7, 720), (8, 720), (50, 720),
])
def test_the_wait_between_attempts_grows_and_is_capped(attempts, minutes):
    assert retry_delay(attempts) == timedelta(minutes=minutes)


def test_an_email_not_due_yet_is_left_alone():
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert email_send(email.pk) == "skipped"
    assert email_retry_due() == 0
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 0)
    assert mail.outbox == []


def test_the_sweep_retries_a_due_email_once_the_server_is_back(settings):
    settings.MAILERS = DOWN_MAILER
    email = queue()
    email_send(email.pk)
    settings.MAILERS = LOCMEM_MAILER
    assert email_retry_due() == 0  # not due yet: nothing is sent early
    make_due(email)
    assert email_retry_due() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_email_is_failed_and_left_for_the_owner(settings):
    settings.MAILERS = DOWN_MAILER
    email = queue()
    for _attempt in range(MAX_ATTEMPTS):
        make_due(email)
        email_retry_due()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == (Status.FAILED, MAX_ATTEMPTS, None)
    assert "SMTPServerDisconnected" in email.last_error
    make_due(email)
    assert email_retry_due() == 0
    assert OutboundEmail.objects.get(pk=email.pk).attempts == MAX_ATTEMPTS


def test_sending_an_email_twice_sends_it_once():
    email = queue()
    assert email_send(email.pk) == Status.SENT
    assert email_send(email.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_the_sweep_takes_back_an_email_whose_worker_died():
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.SENDING, attempts=1,
                                                     next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert email_retry_due() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)


def test_an_email_being_sent_is_not_taken_back_before_its_lease_ends():
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.SENDING, attempts=1,
                                                     next_attempt_at=timezone.now() + timedelta(minutes=9))
    assert email_retry_due() == 0
    assert OutboundEmail.objects.get(pk=email.pk).status == Status.SENDING
    assert mail.outbox == []


def test_a_dead_worker_on_the_last_attempt_leaves_the_email_failed():
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.SENDING, attempts=MAX_ATTEMPTS,
                                                     next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert email_retry_due() == 0
    assert OutboundEmail.objects.get(pk=email.pk).status == Status.FAILED


def test_resend_puts_a_failed_email_back_with_fresh_attempts(django_capture_on_commit_callbacks):
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.FAILED, attempts=MAX_ATTEMPTS, next_attempt_at=None,
                                                     last_error="SMTPConnectError")
    with django_capture_on_commit_callbacks(execute=True):
        email = email_resend(email=email)
        assert (email.status, email.attempts) == (Status.QUEUED, 0)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert len(mail.outbox) == 1


def test_resend_refuses_an_email_already_sent():
    email = queue()
    email_send(email.pk)
    with pytest.raises(ValidationError, match="already sent"):
        email_resend(email=email)
    assert len(mail.outbox) == 1


def test_a_broker_that_is_down_at_commit_leaves_the_email_for_the_sweep(monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(services, "async_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    assert OutboundEmail.objects.get(pk=email.pk).status == Status.QUEUED
    monkeypatch.undo()
    assert email_retry_due() == 1
    assert OutboundEmail.objects.get(pk=email.pk).status == Status.SENT


# --- the schedule ------------------------------------------------------------------------------

def test_the_retry_schedule_exists_once_after_migrating():
    schedule = Schedule.objects.get(name=RETRY_SCHEDULE_NAME)
    assert import_string(schedule.func) is email_retry_due
    assert (schedule.schedule_type, schedule.repeats) == (Schedule.MINUTES, -1)
    assert 1 <= schedule.minutes <= 5


def test_running_the_schedule_migration_again_keeps_exactly_one_schedule():
    Schedule.objects.create(name=RETRY_SCHEDULE_NAME, func="math.floor")  # a stray copy made by hand
    ensure_email_retry_schedule(django_apps)
    ensure_email_retry_schedule(django_apps)
    [schedule] = Schedule.objects.filter(name=RETRY_SCHEDULE_NAME)
    assert schedule.func == "shop.notifications.services.email_retry_due"


def test_the_schedule_runs_the_sweep_through_django_q():
    from django_q.tasks import async_task

    settings_down = queue()
    make_due(settings_down)
    schedule = Schedule.objects.get(name=RETRY_SCHEDULE_NAME)
    async_task(schedule.func)  # what the cluster does when the schedule is due (inline: sync=True)
    assert OutboundEmail.objects.get(pk=settings_down.pk).status == Status.SENT


# --- the admin ----------------------------------------------------------------------------------

def failed_email() -> OutboundEmail:
    email = queue(subject="Invoice SKS/26-27/00007")
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.FAILED, attempts=MAX_ATTEMPTS,
                                                     next_attempt_at=None,
                                                     last_error="SMTPConnectError: (421, 'Try later')")
    return email


def test_outbox_list_shows_status_subject_attempts_and_last_error(client, owner):
    failed_email()
    client.force_login(owner)
    page = client.get(reverse("admin:shop_outboundemail_changelist")).content.decode()
    assert "Invoice SKS/26-27/00007" in page
    assert "asha@example.com" in page
    assert "SMTPConnectError" in page
    assert re.search(r">\s*failed\s*<", page, re.IGNORECASE)


def test_the_email_page_shows_the_bodies_and_the_resend_button(client, manager):
    email = failed_email()
    client.force_login(manager)
    page = client.get(reverse("admin:shop_outboundemail_change", args=[email.pk])).content.decode()
    assert "Hello Asha &amp; Co" in page  # the text body
    assert "sandbox" in page and "srcdoc" in page  # the HTML body, shown in a sandboxed frame
    assert reverse("admin:shop_outboundemail_resend", args=[email.pk]) in page


def test_owner_resends_failed_emails_from_the_list(client, owner, django_capture_on_commit_callbacks):
    email = failed_email()
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:shop_outboundemail_changelist"),
                               {"action": "resend_selected", "_selected_action": [email.pk]}, follow=True)
    assert response.status_code == 200
    assert "1 email is queued again." in response.content.decode()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert len(mail.outbox) == 1


def test_owner_resends_from_the_email_page_dialog(client, owner):
    email = failed_email()
    client.force_login(owner)
    url = reverse("admin:shop_outboundemail_resend", args=[email.pk])
    assert client.get(url).status_code == 200  # the confirmation dialog
    response = client.post(url, {"_form_submitted": "on"})
    assert response["HX-Redirect"] == reverse("admin:shop_outboundemail_change", args=[email.pk])
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 0)


def test_a_user_who_may_only_look_cannot_resend(client):
    clerk = factories.UserFactory(username="clerk")
    clerk.user_permissions.add(Permission.objects.get(codename="view_outboundemail"))
    email = failed_email()
    client.force_login(clerk)
    assert client.get(reverse("admin:shop_outboundemail_changelist")).status_code == 200
    assert client.post(reverse("admin:shop_outboundemail_resend", args=[email.pk]),
                       {"_form_submitted": "on"}).status_code == 403
    client.post(reverse("admin:shop_outboundemail_changelist"),
                {"action": "resend_selected", "_selected_action": [email.pk]})
    assert OutboundEmail.objects.get(pk=email.pk).status == Status.FAILED


@pytest.mark.parametrize(("role", "shown"), [("owner", True), ("manager", True), ("cashier", False)])
def test_the_outbox_is_in_the_settings_sidebar_for_owner_and_manager(client, request, role, shown):
    client.force_login(request.getfixturevalue(role))
    html = client.get(reverse("admin:index")).content.decode()
    assert (reverse("admin:shop_outboundemail_changelist") in html) is shown
