"""Udhar khata services: repayments, opening balances, adjustments and reversals, with their day book lines."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ledger.models import CreditEntry, CustomerBalance, DayBookEntry
from ledger.posting import post_credit
from ledger.selectors import customer_ageing, customer_balance
from ledger.services import (
    credit_adjust,
    credit_entry_reverse,
    credit_opening_balance,
    credit_payment_receive,
    khata_amount,
)
from sales.services import invoice_cancel

pytestmark = pytest.mark.django_db
D = Decimal
UTR = "412345678901"


def day_book(customer=None):
    return list(DayBookEntry.objects.filter(kind=DayBookEntry.Kind.CREDIT_RECEIVED)
                .order_by("pk").values_list("method", "amount"))


def maintained(customer):
    return CustomerBalance.objects.get(customer=customer)


# --- repayments -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "reference"), [("cash", ""), ("upi", UTR), ("card", "slip 0042"),
                                                    ("bank", "NEFT N123")])
def test_repayment_posts_khata_and_day_book_together(ravi, sell_on_credit, cashier, method, reference):
    sell_on_credit(ravi, "500")
    entry = credit_payment_receive(customer=ravi, amount="200", method=method, reference=reference, user=cashier)
    assert (entry.kind, entry.amount, entry.method, entry.created_by) == ("payment", D("-200.00"), method, cashier)
    assert customer_balance(ravi) == D("300.00")
    line = DayBookEntry.objects.get(kind=DayBookEntry.Kind.CREDIT_RECEIVED)
    assert (line.method, line.amount, line.date, line.source_id) == (method, D("200.00"), timezone.localdate(),
                                                                      entry.pk)


def test_a_part_payment_leaves_the_rest_owed(ravi, sell_on_credit, cashier):
    sell_on_credit(ravi, "1000")
    credit_payment_receive(customer=ravi, amount="250.50", method="cash", user=cashier)
    assert customer_balance(ravi) == D("749.50")
    assert maintained(ravi).balance == D("749.50")


def test_paying_everything_owed_clears_the_khata(ravi, sell_on_credit, cashier):
    sell_on_credit(ravi, "640")
    credit_payment_receive(customer=ravi, amount="640", method="cash", user=cashier)
    assert customer_balance(ravi) == 0
    assert maintained(ravi).oldest_due_on is None


def test_paying_more_than_owed_is_refused_and_changes_nothing(ravi, sell_on_credit, cashier):
    sell_on_credit(ravi, "300")
    with pytest.raises(ValidationError) as refusal:
        credit_payment_receive(customer=ravi, amount="300.01", method="cash", user=cashier)
    assert "owes ₹300.00" in refusal.value.message_dict["amount"][0]
    assert customer_balance(ravi) == D("300.00")
    assert day_book() == []


def test_paying_when_nothing_is_owed_is_refused(ravi, cashier):
    with pytest.raises(ValidationError) as refusal:
        credit_payment_receive(customer=ravi, amount="10", method="cash", user=cashier)
    assert "owes nothing" in refusal.value.message_dict["amount"][0]


@pytest.mark.parametrize("reference", ["", "12345", "41234567890A", "4123456789012"])
def test_a_upi_repayment_needs_a_twelve_digit_utr(ravi, sell_on_credit, cashier, reference):
    sell_on_credit(ravi, "100")
    with pytest.raises(ValidationError) as refusal:
        credit_payment_receive(customer=ravi, amount="100", method="upi", reference=reference, user=cashier)
    assert "12-digit" in refusal.value.message_dict["reference"][0]
    assert not CreditEntry.objects.filter(kind="payment").exists()


def test_a_utr_typed_with_spaces_is_kept_without_them(ravi, sell_on_credit, cashier):
    sell_on_credit(ravi, "100")
    entry = credit_payment_receive(customer=ravi, amount="100", method="upi", reference="4123 4567 8901",
                                   user=cashier)
    assert entry.reference == UTR


@pytest.mark.parametrize(("amount", "message"), [
    ("", "must be a number"), ("abc", "must be a number"), ("NaN", "must be a number"), ("Infinity", "must be a"),
    ("0", "cannot be zero"), ("-5", "more than zero"), ("10.005", "two decimals"), ("1000000000000000", "too large"),
    ("1e3", "must be a number"), ("1,2,3", "must be a number"), (1.5, "must be a number"),
    (None, "must be a number"),
])
def test_bad_amounts_are_refused_with_a_clear_message(ravi, sell_on_credit, cashier, amount, message):
    sell_on_credit(ravi, "100")
    with pytest.raises(ValidationError) as refusal:
        credit_payment_receive(customer=ravi, amount=amount, method="cash", user=cashier)
    assert message in refusal.value.message_dict["amount"][0]


@pytest.mark.parametrize("method", ["", "credit", "cheque", None])
def test_unknown_payment_methods_are_refused(ravi, sell_on_credit, cashier, method):
    sell_on_credit(ravi, "100")
    with pytest.raises(ValidationError) as refusal:
        credit_payment_receive(customer=ravi, amount="10", method=method, user=cashier)
    assert "method" in refusal.value.message_dict


@pytest.mark.parametrize(("text", "amount"), [("1,250.50", D("1250.50")), ("₹ 99", D("99.00")), (7, D("7.00")),
                                              (D("0.01"), D("0.01")), ("1,25,000", D("125000.00")),
                                              ("Rs. 250/-", D("250.00"))])
def test_amounts_are_read_as_shops_write_them(text, amount):
    assert khata_amount(text) == amount


def test_a_cashier_cannot_back_date_a_repayment(ravi, sell_on_credit, cashier):
    sell_on_credit(ravi, "100")
    with pytest.raises(ValidationError) as refusal:
        credit_payment_receive(customer=ravi, amount="10", method="cash", user=cashier,
                               day=timezone.localdate() - timedelta(days=1))
    assert "owner or manager" in refusal.value.message_dict["day"][0]


def test_a_manager_records_yesterdays_repayment_in_yesterdays_day_book(ravi, sell_on_credit, manager):
    sell_on_credit(ravi, "100")
    yesterday = timezone.localdate() - timedelta(days=1)
    entry = credit_payment_receive(customer=ravi, amount="10", method="cash", user=manager, day=yesterday)
    assert timezone.localdate(entry.created_at) == yesterday
    assert DayBookEntry.objects.get(kind="credit_received").date == yesterday


def test_a_repayment_dated_in_the_future_is_refused(ravi, sell_on_credit, owner):
    sell_on_credit(ravi, "100")
    with pytest.raises(ValidationError) as refusal:
        credit_payment_receive(customer=ravi, amount="10", method="cash", user=owner,
                               day=timezone.localdate() + timedelta(days=1))
    assert "future" in refusal.value.message_dict["day"][0]


def test_receiving_needs_the_permission(ravi, sell_on_credit):
    from tests import factories

    sell_on_credit(ravi, "100")
    nobody = factories.UserFactory(username="helper")
    with pytest.raises(PermissionDenied):
        credit_payment_receive(customer=ravi, amount="10", method="cash", user=nobody)


# --- opening balances and adjustments ---------------------------------------------------------------------------


def test_an_opening_balance_dated_earlier_ages_from_that_day(ravi, manager):
    long_ago = timezone.localdate() - timedelta(days=100)
    entry = credit_opening_balance(customer=ravi, amount="1500", user=manager, day=long_ago)
    assert (entry.kind, entry.amount) == ("opening", D("1500.00"))
    assert customer_ageing(ravi).over_90 == D("1500.00")
    assert maintained(ravi).oldest_due_on == long_ago
    assert day_book() == []  # no money moved


def test_a_second_opening_balance_is_refused(ravi, manager):
    credit_opening_balance(customer=ravi, amount="100", user=manager)
    with pytest.raises(ValidationError) as refusal:
        credit_opening_balance(customer=ravi, amount="100", user=manager)
    assert "already has an opening balance" in refusal.value.message_dict["amount"][0]


def test_a_reversed_opening_balance_can_be_recorded_again(ravi, manager):
    first = credit_opening_balance(customer=ravi, amount="100", user=manager)
    credit_entry_reverse(entry=first, user=manager, reason="typed 100 for 1000")
    credit_opening_balance(customer=ravi, amount="1000", user=manager)
    assert customer_balance(ravi) == D("1000.00")


@pytest.mark.parametrize("action", ["opening", "adjust", "reverse"])
def test_a_cashier_never_adjusts_records_openings_or_reverses(ravi, sell_on_credit, cashier, action):
    sell_on_credit(ravi, "100")
    payment = credit_payment_receive(customer=ravi, amount="10", method="cash", user=cashier)
    with pytest.raises(PermissionDenied):
        if action == "opening":
            credit_opening_balance(customer=ravi, amount="100", user=cashier)
        elif action == "adjust":
            credit_adjust(customer=ravi, amount="-10", reason="discount", user=cashier)
        else:
            credit_entry_reverse(entry=payment, user=cashier, reason="mistake")
    assert customer_balance(ravi) == D("90.00")


def test_an_adjustment_needs_a_reason(ravi, owner):
    with pytest.raises(ValidationError) as refusal:
        credit_adjust(customer=ravi, amount="50", reason="   ", user=owner)
    assert "reason" in refusal.value.message_dict


def test_adjustments_move_the_balance_either_way_without_the_day_book(ravi, sell_on_credit, owner):
    sell_on_credit(ravi, "500")
    credit_adjust(customer=ravi, amount="-50", reason="Diwali discount", user=owner)
    credit_adjust(customer=ravi, amount="20.25", reason="bag charge forgotten", user=owner)
    assert customer_balance(ravi) == D("470.25")
    assert DayBookEntry.objects.filter(kind__in=["credit_received"]).count() == 0


def test_an_adjustment_cannot_take_off_more_than_is_owed(ravi, sell_on_credit, owner):
    sell_on_credit(ravi, "100")
    with pytest.raises(ValidationError) as refusal:
        credit_adjust(customer=ravi, amount="-100.01", reason="write off", user=owner)
    assert "at most" in refusal.value.message_dict["amount"][0]


# --- reversals --------------------------------------------------------------------------------------------------


def test_reversing_a_repayment_restores_the_debt_and_takes_the_money_out_of_the_day_book(
        ravi, sell_on_credit, cashier, manager):
    sell_on_credit(ravi, "500")
    payment = credit_payment_receive(customer=ravi, amount="200", method="upi", reference=UTR, user=cashier)
    reversal = credit_entry_reverse(entry=payment, user=manager, reason="UPI bounced")
    assert (reversal.kind, reversal.amount, reversal.reverses, reversal.method) == ("reversal", D("200.00"),
                                                                                   payment, "upi")
    assert customer_balance(ravi) == D("500.00")
    assert day_book() == [("upi", D("200.00")), ("upi", D("-200.00"))]
    assert maintained(ravi).last_payment_at is None  # the reversed payment no longer counts


def test_an_entry_is_reversed_at_most_once(ravi, sell_on_credit, cashier, manager):
    sell_on_credit(ravi, "500")
    payment = credit_payment_receive(customer=ravi, amount="200", method="cash", user=cashier)
    credit_entry_reverse(entry=payment, user=manager, reason="typo")
    with pytest.raises(ValidationError, match="already reversed"):
        credit_entry_reverse(entry=payment, user=manager, reason="again")
    assert customer_balance(ravi) == D("500.00")


def test_the_database_refuses_a_second_reversal_of_an_entry(ravi, sell_on_credit, cashier, manager):
    sell_on_credit(ravi, "500")
    payment = credit_payment_receive(customer=ravi, amount="200", method="cash", user=cashier)
    credit_entry_reverse(entry=payment, user=manager, reason="typo")
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditEntry.objects.create(customer=ravi, kind="reversal", amount=D("200"), reverses=payment)


def test_only_reversals_may_point_at_another_entry(ravi, sell_on_credit, cashier):
    sell_on_credit(ravi, "500")
    payment = credit_payment_receive(customer=ravi, amount="200", method="cash", user=cashier)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditEntry.objects.create(customer=ravi, kind="adjustment", amount=D("200"), reverses=payment)


@pytest.mark.parametrize("kind", ["sale", "reversal"])
def test_credit_sales_and_reversals_are_not_reversed_here(ravi, sell_on_credit, cashier, manager, kind):
    sell_on_credit(ravi, "500")
    payment = credit_payment_receive(customer=ravi, amount="200", method="cash", user=cashier)
    reversal = credit_entry_reverse(entry=payment, user=manager, reason="typo")
    entry = reversal if kind == "reversal" else CreditEntry.objects.get(kind="sale")
    with pytest.raises(ValidationError, match="cannot be reversed"):
        credit_entry_reverse(entry=entry, user=manager, reason="try")


def test_a_reversal_needs_a_reason(ravi, manager):
    opening = credit_opening_balance(customer=ravi, amount="100", user=manager)
    with pytest.raises(ValidationError) as refusal:
        credit_entry_reverse(entry=opening, user=manager, reason="")
    assert "reason" in refusal.value.message_dict


def test_cancelling_a_credit_invoice_reverses_its_khata_entry(ravi, sell_on_credit, owner):
    invoice = sell_on_credit(ravi, "300")
    invoice_cancel(invoice=invoice, user=owner, reason="wrong customer")
    sale = CreditEntry.objects.get(kind="sale")
    assert sale.reversed_by.amount == D("-300.00")
    assert customer_balance(ravi) == 0
    assert maintained(ravi).balance == 0


def test_a_reversal_posted_without_a_matching_entry_stands_alone(ravi, owner):
    """post_credit links a source's reversal only to an entry of the opposite amount from that source."""
    entry = post_credit(customer=ravi, kind="reversal", amount=D("-5"), user=owner, source=ravi)
    assert entry.reverses is None
