"""Balances, ageing and statements, by example."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from ledger.models import CreditEntry, CustomerBalance
from ledger.posting import customer_balances_rebuild, post_credit
from ledger.selectors import (
    Ageing,
    KhataLine,
    ageing_for_customers,
    ageing_of,
    customer_ageing,
    customer_balance,
    customer_statement,
    customers_with_balances,
    day_start,
)
from ledger.services import credit_entry_reverse, credit_opening_balance, credit_payment_receive
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate


def back(days: int):
    return TODAY() - timedelta(days=days)


def line(pk, days_ago, amount, reverses=None):
    return KhataLine(day=back(days_ago), amount=D(amount), pk=pk, reverses=reverses)


def test_a_thousand_paise_sized_entries_sum_to_an_exact_balance(ravi, owner):
    """SQLite adds decimals as floats; the balance must still be exact to the paisa."""
    amounts = [D(n % 97 + 1) / 100 + D("0.10") * (n % 3) for n in range(1000)]
    CreditEntry.objects.bulk_create([CreditEntry(customer=ravi, kind="adjustment", amount=a) for a in amounts])
    expected = sum(amounts, D(0))
    assert customer_balance(ravi) == expected
    assert str(customer_balance(ravi)) == str(expected)  # exactly two decimals, no float tail
    customer_balances_rebuild()
    assert CustomerBalance.objects.get(customer=ravi).balance == expected
    assert customers_with_balances().get(pk=ravi.pk).owed == expected
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.parametrize(("lines", "expected"), [
    # one debt of each age: nothing paid
    ([line(1, 0, 100), line(2, 40, 200), line(3, 70, 300), line(4, 100, 400)], (100, 200, 300, 400, 0)),
    # a payment pays off the oldest debt first
    ([line(1, 100, 400), line(2, 10, 100), line(3, 5, -450)], (50, 0, 0, 0, 0)),
    ([line(1, 100, 400), line(2, 10, 100), line(3, 5, -350)], (100, 0, 0, 50, 0)),
    # bucket edges: 30 days is still 0-30, 31 is 31-60, 90 is 61-90, 91 is over 90
    ([line(1, 30, 1), line(2, 31, 2), line(3, 60, 4), line(4, 61, 8), line(5, 90, 16), line(6, 91, 32)],
     (1, 6, 24, 32, 0)),
    # paid more than owed (a cancelled invoice after payment): an advance, no buckets
    ([line(1, 50, 100), line(2, 40, -100), line(3, 1, -100)], (0, 0, 0, 0, 100)),
    # a reversed payment takes no part: the old debt stays old
    ([line(1, 100, 400), line(2, 5, -400), line(3, 0, 400, reverses=2)], (0, 0, 0, 400, 0)),
    # a reversed debt takes no part either: the payment pays the next one
    ([line(1, 100, 400), line(2, 50, 300), line(3, 0, -400, reverses=1), line(4, 0, -100)], (0, 200, 0, 0, 0)),
])
def test_ageing_allocates_payments_to_the_oldest_debts_first(lines, expected):
    ageing = ageing_of(lines, TODAY())
    assert (ageing.days_0_30, ageing.days_31_60, ageing.days_61_90, ageing.over_90, ageing.advance) == tuple(
        map(D, expected))
    assert ageing.balance == sum((li.amount for li in lines), D(0))


def test_ageing_on_an_earlier_day_ignores_later_entries_and_later_reversals(ravi, manager):
    opening = credit_opening_balance(customer=ravi, amount="700", user=manager, day=back(100))
    credit_entry_reverse(entry=opening, user=manager, reason="wrong customer")
    assert customer_ageing(ravi) == Ageing(TODAY())
    assert customer_ageing(ravi, back(1)).over_90 == D("700.00")
    assert customer_ageing(ravi, back(101)).balance == 0


def test_the_customer_list_ageing_agrees_with_the_per_customer_one(shop, manager, owner):
    customers = [factories.CustomerFactory() for _ in range(4)]
    for index, customer in enumerate(customers):
        credit_opening_balance(customer=customer, amount=str(1000 * (index + 1)), user=manager,
                               day=back(30 * index + 10))
        post_credit(customer=customer, kind="sale", amount=D("150.50"), user=owner,
                    created_at=day_start(back(index * 25)))
        credit_payment_receive(customer=customer, amount=str(300 + index), method="cash", user=owner)
    listed = customers_with_balances().filter(pk__in=[c.pk for c in customers])
    grouped = ageing_for_customers(listed)
    assert grouped == {c.pk: customer_ageing(c) for c in customers}
    assert any(a.days_31_60 for a in grouped.values()) and any(a.over_90 for a in grouped.values())


def test_the_statement_has_opening_running_balance_and_closing(ravi, manager, cashier, sell_on_credit):
    credit_opening_balance(customer=ravi, amount="1000", user=manager, day=back(40))
    sell_on_credit(ravi, "250")
    credit_payment_receive(customer=ravi, amount="400", method="cash", user=cashier)
    statement = customer_statement(customer=ravi, start=back(7), end=TODAY())
    assert statement.opening == D("1000.00")
    assert [(li.entry.kind, li.debit, li.credit, li.balance) for li in statement.lines] == [
        ("sale", D("250.00"), 0, D("1250.00")), ("payment", 0, D("400.00"), D("850.00"))]
    assert statement.closing == D("850.00") == customer_balance(ravi)
    assert statement.ageing.days_31_60 == D("600.00") and statement.ageing.days_0_30 == D("250.00")


def test_a_statement_with_the_days_swapped_covers_the_same_period(ravi, manager):
    credit_opening_balance(customer=ravi, amount="10", user=manager, day=back(3))
    swapped = customer_statement(customer=ravi, start=TODAY(), end=back(5))
    assert (swapped.start, swapped.end, swapped.closing, len(swapped.lines)) == (back(5), TODAY(), D("10.00"), 1)


def test_the_maintained_balance_follows_every_posting(ravi, manager, cashier, sell_on_credit):
    credit_opening_balance(customer=ravi, amount="500", user=manager, day=back(45))
    kept = CustomerBalance.objects.get(customer=ravi)
    assert (kept.balance, kept.oldest_due_on, kept.last_payment_at) == (D("500.00"), back(45), None)
    sell_on_credit(ravi, "100")
    payment = credit_payment_receive(customer=ravi, amount="500", method="cash", user=cashier)
    kept.refresh_from_db()
    assert (kept.balance, kept.oldest_due_on, kept.last_payment_at) == (D("100.00"), TODAY(), payment.created_at)


def test_rebuilding_the_maintained_balances_changes_nothing_that_postings_kept(ravi, manager, sell_on_credit):
    credit_opening_balance(customer=ravi, amount="500", user=manager, day=back(45))
    sell_on_credit(ravi, "100")
    before = list(CustomerBalance.objects.values_list("customer_id", "balance", "oldest_due_on", "last_payment_at"))
    assert customer_balances_rebuild() == 1
    assert list(CustomerBalance.objects.values_list("customer_id", "balance", "oldest_due_on",
                                                    "last_payment_at")) == before


def test_the_migration_fills_the_balances_of_customers_who_already_have_entries(ravi, owner, sell_on_credit):
    """The migration that adds CustomerBalance computes it with the historical models of that moment."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    credit_opening_balance(customer=ravi, amount="500", user=owner, day=back(45))
    sell_on_credit(ravi, "100")
    CustomerBalance.objects.all().delete()  # as before the migration: entries, no balances
    state = MigrationExecutor(connection).loader.project_state(("ledger", "0010_udhar_khata"))
    customer_balances_rebuild(entry_model=state.apps.get_model("ledger", "CreditEntry"),
                              balance_model=state.apps.get_model("ledger", "CustomerBalance"))
    kept = CustomerBalance.objects.get(customer=ravi)
    assert (kept.balance, kept.oldest_due_on) == (D("600.00"), back(45))
