"""The day book as read: entries in time order, exact totals, the cash position per day, and who sees what."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from ledger.day_book import day_close
from ledger.models import DayBookEntry
from ledger.posting import post_day_book
from ledger.selectors import day_book, day_book_entries_visible_to
from sales.services import checkout
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
MONDAY = date(2026, 11, 2)
TUESDAY, WEDNESDAY, THURSDAY = (MONDAY + timedelta(days=n) for n in (1, 2, 3))


def post(day: date, kind: str, method: str, amount: str, user=None, **options) -> DayBookEntry:
    [entry] = post_day_book(entries=[(kind, method, D(amount))], day=day, user=user, **options)
    return entry


def test_entries_come_in_time_order_within_the_range(manager):
    post(TUESDAY, "sale", "cash", "30")
    post(MONDAY, "sale", "upi", "20")
    post(MONDAY, "expense", "cash", "-10")
    post(WEDNESDAY, "sale", "cash", "99")  # outside the range
    book = day_book(start=MONDAY, end=TUESDAY)
    assert [(e.date, e.amount) for e in book.entries] == [(MONDAY, D("20")), (MONDAY, D("-10")), (TUESDAY, D("30"))]


def test_an_entry_names_the_document_it_came_from(shop, stocked, cashier):
    invoice = checkout(cashier=cashier, lines=[{"product": stocked(), "quantity": D("1")}],
                       payments=[{"method": "cash", "amount": D("100")}])
    [entry] = day_book(start=timezone.localdate(), end=timezone.localdate()).entries
    assert (entry.source_type, entry.source_id, entry.reference) == (
        ContentType.objects.get_for_model(invoice), invoice.pk, invoice.number)


def test_totals_per_method_and_kind_are_exact_to_the_paisa():
    for _ in range(1000):
        post(MONDAY, "sale", "cash", "0.01")
    post(MONDAY, "sale", "upi", "1999.99")
    post(MONDAY, "sale", "credit", "0.07")
    post(MONDAY, "expense", "upi", "-0.33")
    post(MONDAY, "cash_out", "cash", "-3.30")
    book = day_book(start=MONDAY, end=MONDAY)
    assert book.totals_by_method == {"cash": D("6.70"), "upi": D("1999.66"), "card": D("0"), "credit": D("0.07"),
                                     "bank": D("0")}
    assert book.totals_by_kind == {"sale": D("2010.06"), "credit_received": D("0"), "refund": D("0"),
                                   "sale_reversal": D("0"), "expense": D("-0.33"), "cash_in": D("0"),
                                   "cash_out": D("-3.30")}
    assert book.total == D("2006.43")
    assert all(str(total) == f"{total:.2f}" for total in book.totals_by_method.values())


def test_cash_position_carries_day_to_day_and_shows_closings(manager):
    post(MONDAY, "cash_in", "cash", "500")
    post(MONDAY, "sale", "cash", "1000")
    post(MONDAY, "sale", "upi", "700")
    day_close(day=MONDAY, counted_cash="1490", user=manager)  # ₹10 short
    post(TUESDAY, "sale", "cash", "200")
    post(TUESDAY, "expense", "cash", "-50")
    post(THURSDAY, "cash_out", "cash", "-1000")
    book = day_book(start=MONDAY, end=THURSDAY)
    rows = [(d.day, d.opening, d.cash_in, d.cash_out, d.expected, d.counted, d.difference) for d in book.cash_days]
    assert rows == [
        (MONDAY, D("0"), D("1500"), D("0"), D("1500"), D("1490"), D("-10")),
        (TUESDAY, D("1490"), D("200"), D("50"), D("1640"), None, None),
        (THURSDAY, D("1640"), D("0"), D("1000"), D("640"), None, None),
    ]


def test_a_range_starting_after_closed_days_opens_with_what_they_left(manager):
    post(MONDAY, "sale", "cash", "1000")
    day_close(day=MONDAY, counted_cash="1000", user=manager)
    post(TUESDAY, "sale", "cash", "300")
    post(WEDNESDAY, "sale", "cash", "5")
    [wednesday] = day_book(start=WEDNESDAY, end=WEDNESDAY).cash_days
    assert (wednesday.opening, wednesday.expected) == (D("1300"), D("1305"))


def test_a_cashier_sees_only_their_own_entries_of_today(cashier, manager):
    other = factories.UserFactory(username="cashier2", role="Cashier")
    today = timezone.localdate()
    mine = post(today, "sale", "cash", "10", user=cashier)
    post(today, "sale", "cash", "20", user=other)
    post(today, "expense", "cash", "-5", user=manager)
    post(today - timedelta(days=1), "sale", "cash", "40", user=cashier)
    assert list(day_book_entries_visible_to(cashier)) == [mine]
    book = day_book(start=today - timedelta(days=7), end=today, viewer=cashier)
    assert list(book.entries) == [mine]
    assert book.totals_by_method["cash"] == D("10") and book.total == D("10")
    assert book.cash_days == []  # the drawer's position is the shop's, not one counter's


def test_owner_and_manager_see_every_entry_and_the_cash_position(owner, manager):
    today = timezone.localdate()
    post(today, "sale", "cash", "10", user=factories.cashier())
    post(today - timedelta(days=3), "sale", "cash", "20")
    for user in (owner, manager):
        book = day_book(start=today - timedelta(days=3), end=today, viewer=user)
        assert book.total == D("30") and len(book.cash_days) == 2


def test_someone_without_the_day_book_permission_sees_nothing():
    nobody = factories.UserFactory(username="helper")
    post(timezone.localdate(), "sale", "cash", "10", user=nobody)
    assert not day_book_entries_visible_to(nobody).exists()
