"""Closing the day while cashiers and managers keep posting, on PostgreSQL: real threads, each on its own
connection. Whatever the timing, no entry lands on a closed day and the closing counts every entry
that did land."""

import random
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from catalog.models import Warehouse
from catalog.services import StockChange, stock_add_opening
from ledger.day_book import cash_movement_record, day_close, day_reopen, expense_record
from ledger.models import DayBookEntry, DayClosing, DayReopening
from ledger.posting import DayClosed, post_day_book
from ledger.selectors import closing_in_force
from sales.services import checkout
from shop.money import money_sum
from tests import factories
from tests.catalog.test_stock_concurrency import run_in_threads
from tests.conftest import transactional_db

pytestmark = [pytest.mark.postgres, transactional_db]
D = Decimal
TRIES = 12


def cash_of_today() -> Decimal:
    return money_sum(DayBookEntry.objects.filter(date=timezone.localdate(), method="cash"), "amount")


@pytest.mark.parametrize("seed", range(3))
def test_a_closing_among_concurrent_postings_counts_every_entry_and_lets_none_in_after(owner, manager, cashier,
                                                                                       seed):
    product = factories.ProductFactory(selling_price=D("10"), tax_rate=factories.tax_rate("0"))
    stock_add_opening(entries=[StockChange(product, Warehouse.objects.get(is_default=True), D("1000"))], user=owner)
    rng = random.Random(seed)
    delays = [rng.uniform(0, 0.004) for _ in range(8 * TRIES)]

    def sell(index):
        return checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                        payments=[{"method": "cash", "amount": D("10")}], idempotency_key=f"{seed}-{index}")

    def float_in(_index):
        return cash_movement_record(kind="cash_in", reason="float_added", amount="1", user=manager)

    def pay_out(_index):
        return expense_record(category="transport", amount="0.25", method="cash", user=manager)

    def work(thread):
        if thread == 0:  # the manager counts the drawer part-way through
            time.sleep(0.02 + seed * 0.01)
            return day_close(day=timezone.localdate(), counted_cash="0", user=manager)
        posted = refused = 0
        action = (sell, float_in, pay_out)[thread % 3]
        for attempt in range(TRIES):
            time.sleep(delays[thread * TRIES + attempt])
            try:
                action(thread * 100 + attempt)
                posted += 1
            except DayClosed:
                refused += 1
        return posted, refused

    results = run_in_threads(work)
    closing = results[0]
    assert isinstance(closing, DayClosing), closing
    assert all(isinstance(result, tuple) for result in results[1:]), results
    assert closing_in_force(day=timezone.localdate()) == closing
    # Every entry on the day existed when the drawer was counted, and nothing was added after it.
    assert closing.expected_cash == cash_of_today()
    assert closing.opening_cash == 0
    assert sum(posted for posted, _ in results[1:]) == DayBookEntry.objects.filter(date=timezone.localdate()).count()
    assert sum(refused for _, refused in results[1:]) > 0, "the closing came after every posting: no race tested"


def open_the_day(user) -> None:
    """Post a UPI sale so the day's row exists: what follows is decided by its lock, not by creating it."""
    post_day_book(entries=[("sale", "upi", D("50"))], day=timezone.localdate(), user=user)


def test_a_closing_waits_for_a_posting_in_flight_and_counts_it(manager):
    open_the_day(manager)
    locked, release = threading.Event(), threading.Event()

    def work(thread):
        if thread == 0:
            with transaction.atomic():
                post_day_book(entries=[("cash_in", "cash", D("300"))], day=timezone.localdate(), user=manager)
                locked.set()
                release.wait(10)  # hold the day's lock with an uncommitted entry
            return "posted"
        locked.wait(10)
        threading.Timer(0.3, release.set).start()
        return day_close(day=timezone.localdate(), counted_cash="300", user=manager)

    posted, closing = run_in_threads(work, count=2)
    assert posted == "posted"
    assert (closing.expected_cash, closing.difference) == (D("300"), D("0"))


def test_a_posting_that_waited_for_a_closing_is_refused(manager):
    open_the_day(manager)
    closed, release = threading.Event(), threading.Event()

    def work(thread):
        if thread == 0:
            with transaction.atomic():
                closing = day_close(day=timezone.localdate(), counted_cash="0", user=manager)
                closed.set()
                release.wait(10)  # the closing is not committed yet
            return closing
        closed.wait(10)
        threading.Timer(0.3, release.set).start()
        return cash_movement_record(kind="cash_in", reason="float_added", amount="100", user=manager)

    closing, posting = run_in_threads(work, count=2)
    assert isinstance(closing, DayClosing)
    assert isinstance(posting, DayClosed), posting
    assert not DayBookEntry.objects.filter(method="cash").exists()


def test_a_reopening_and_a_closing_of_the_same_day_at_once_leave_one_closing_in_force(owner, manager):
    day = timezone.localdate()
    day_close(day=day, counted_cash="0", user=manager)

    def work(thread):
        if thread == 0:
            return day_reopen(day=day, user=owner, reason="Recount")
        time.sleep(0.01)
        try:
            return day_close(day=day, counted_cash="0", user=manager)
        except Exception as refusal:  # noqa: BLE001  (the day may still be closed when it asks)
            return refusal

    reopening, closing = run_in_threads(work, count=2)
    assert isinstance(reopening, DayReopening), reopening
    if isinstance(closing, DayClosing):  # it asked after the reopening: a new count, in force
        assert closing_in_force(day=day) == closing and DayClosing.objects.filter(day=day).count() == 2
    else:  # it asked while the day was still closed
        assert isinstance(closing, ValidationError) and "already closed" in str(closing), closing
        assert closing_in_force(day=day) is None and DayClosing.objects.filter(day=day).count() == 1


def refused(sql: str, pk: int) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    except DatabaseError as error:
        return "Cannot update or delete rows" in str(error)
    return False


def test_the_database_refuses_to_change_or_delete_closings_and_reopenings(owner, manager):
    closing = day_close(day=timezone.localdate(), counted_cash="0", user=manager)
    reopening = day_reopen(day=timezone.localdate(), user=owner, reason="Mistake")
    for record, column in ((closing, "note"), (reopening, "reason")):
        table = connection.ops.quote_name(record._meta.db_table)
        assert refused(f"UPDATE {table} SET {column} = 'edited' WHERE id = %s", record.pk)
        assert refused(f"DELETE FROM {table} WHERE id = %s", record.pk)
    assert DayClosing.objects.get().counted_cash == 0 and DayReopening.objects.get().reason == "Mistake"
