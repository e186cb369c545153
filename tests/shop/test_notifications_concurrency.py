"""Two workers picking the same outbox row on PostgreSQL: real threads, each on its own connection."""

import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from shop.models import OutboundEmail
from shop.notifications.services import email_retry_due, email_send
from tests.catalog.test_stock_concurrency import run_in_threads
from tests.conftest import transactional_db

pytestmark = [pytest.mark.postgres, transactional_db]
SLOW_MAILER = {"default": {"BACKEND": "tests.shop.test_notifications_concurrency.SlowMailer"}}
sent_by_threads: list[str] = []


class SlowMailer(LocmemBackend):
    """The locmem mailer with a mail server that takes a moment, so racing workers overlap."""

    def send_messages(self, messages):
        time.sleep(0.2)
        sent_by_threads.append(threading.current_thread().name)
        return super().send_messages(messages)


@pytest.fixture
def queued_email() -> OutboundEmail:
    # Written directly: email_queue would send it at once here (autocommit runs on_commit immediately).
    return OutboundEmail.objects.create(to="asha@example.com", from_email="shop@example.com", subject="Invoice",
                                        text_body="Hello", html_body="<p>Hello</p>", next_attempt_at=timezone.now())


@pytest.fixture(autouse=True)
def slow_mailer(settings):
    settings.MAILERS = SLOW_MAILER
    sent_by_threads.clear()


def test_two_workers_sending_the_same_email_send_it_once(queued_email):
    results = run_in_threads(lambda _index: email_send(queued_email.pk), count=2)
    assert sorted(results) == ["sent", "skipped"]
    assert len(sent_by_threads) == 1
    assert len(mail.outbox) == 1
    queued_email.refresh_from_db()
    assert (queued_email.status, queued_email.attempts) == ("sent", 1)


def test_eight_workers_and_sweeps_racing_for_one_email_send_it_once(queued_email):
    def race(index):
        return email_send(queued_email.pk) if index % 2 else email_retry_due()

    results = run_in_threads(race, count=8)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(sent_by_threads) == 1
    queued_email.refresh_from_db()
    assert (queued_email.status, queued_email.attempts) == ("sent", 1)
