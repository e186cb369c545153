"""Eight workers queueing "the same email for the same period" at once on PostgreSQL: one row, one email."""

import time

import pytest
from django.core import mail
from django.db import transaction

from shop.models import OutboundEmail
from shop.notifications.services import email_queue
from tests.catalog.test_stock_concurrency import run_in_threads
from tests.conftest import transactional_db

pytestmark = [pytest.mark.postgres, transactional_db]


def queue_and_linger(_index: int) -> int:
    with transaction.atomic():
        email = email_queue(to=["owner@example.com"], subject="Summary for 24-11-2026", template="welcome",
                            context={"shop": {"name": "Sharma Kirana Store"}, "username": "owner", "link": "x"},
                            dedupe_key="summary:2026-11-24:owner@example.com")
        time.sleep(0.2)  # hold the transaction open so the others' inserts wait on the unique index
    return email.pk


def test_eight_writers_with_one_dedupe_key_make_one_email_and_send_it_once():
    results = run_in_threads(queue_and_linger, count=8)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1
