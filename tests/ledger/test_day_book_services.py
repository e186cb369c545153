"""Day book by hand: expenses, cash in / out, closing a day with the counted cash, and reopening it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalog.models import Stock
from ledger.day_book import cash_movement_record, day_close, day_reopen, expense_record
from ledger.models import BookDay, DayBookEntry, DayClosing, DayReopening
from ledger.posting import DayClosed, post_day_book
from ledger.selectors import closing_in_force, opening_cash
from sales.models import Invoice, Payment
from sales.payments import upi_payment_confirm
from sales.services import checkout, invoice_cancel

pytestmark = pytest.mark.django_db
D = Decimal
MONDAY = date(2026, 11, 2)
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)


def post(day: date, kind: str, method: str, amount: str) -> None:
    post_day_book(entries=[(kind, method, D(amount))], day=day, user=None)


def entries() -> list[tuple]:
    return [(e.date, e.kind, e.method, e.amount, e.category) for e in DayBookEntry.objects.order_by("pk")]


# --- Expenses and cash in / out -----------------------------------------------------------------


def test_expense_is_posted_as_money_out_by_how_it_was_paid(manager):
    entry = expense_record(category="electricity", amount="1234.50", method="upi", user=manager,
                           note="MSEDCL bill", reference="Bill 778")
    assert (entry.date, entry.kind, entry.method, entry.amount, entry.category) == (
        timezone.localdate(), "expense", "upi", D("-1234.50"), "electricity")
    assert (entry.note, entry.reference, entry.created_by) == ("MSEDCL bill", "Bill 778", manager)


def test_expense_may_be_recorded_on_an_earlier_open_day(owner):
    entry = expense_record(category="rent", amount=D("15000"), method="cash", user=owner, day=MONDAY)
    assert (entry.date, entry.amount) == (MONDAY, D("-15000"))


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"category": "party"}, "category", "what the expense was for"),
    ({"method": "credit"}, "method", "cash, UPI or card"),
    ({"method": "cheque"}, "method", "cash, UPI or card"),
    ({"amount": "0"}, "amount", "above zero"),
    ({"amount": "-50"}, "amount", "above zero"),
    ({"amount": "abc"}, "amount", "amount in rupees"),
    ({"amount": "NaN"}, "amount", "amount in rupees"),
    ({"amount": "12.345"}, "amount", "two decimals"),
    ({"amount": "1e20"}, "amount", "too large"),
    ({"day": date.today() + timedelta(days=2)}, "day", "not begun"),
])
def test_expense_refuses_bad_input_naming_the_field(manager, fields, field, message):
    values = {"category": "rent", "amount": "100", "method": "cash", "day": None, **fields}
    with pytest.raises(ValidationError) as refusal:
        expense_record(user=manager, **values)
    assert message in " ".join(refusal.value.message_dict[field])
    assert DayBookEntry.objects.count() == 0


def test_cash_in_and_out_are_signed_cash_entries(manager):
    cash_movement_record(kind="cash_in", reason="float_added", amount="2000", user=manager, note="Change for the day")
    cash_movement_record(kind="cash_out", reason="bank_deposit", amount="5000", user=manager)
    cash_movement_record(kind="cash_out", reason="owners_drawing", amount="700", user=manager)
    today = timezone.localdate()
    assert entries() == [(today, "cash_in", "cash", D("2000"), "float_added"),
                         (today, "cash_out", "cash", D("-5000"), "bank_deposit"),
                         (today, "cash_out", "cash", D("-700"), "owners_drawing")]


@pytest.mark.parametrize(("kind", "reason", "field"), [
    ("cash_in", "bank_deposit", "reason"),
    ("cash_in", "owners_drawing", "reason"),
    ("cash_out", "float_added", "reason"),
    ("cash_out", "rent", "reason"),
    ("sale", "float_added", "kind"),
])
def test_cash_movement_reason_must_go_the_right_way(manager, kind, reason, field):
    with pytest.raises(ValidationError) as refusal:
        cash_movement_record(kind=kind, reason=reason, amount="100", user=manager)
    assert field in refusal.value.message_dict
    assert DayBookEntry.objects.count() == 0


def test_cashier_records_no_expense_and_no_cash_movement(cashier):
    with pytest.raises(PermissionDenied):
        expense_record(category="rent", amount="100", method="cash", user=cashier)
    with pytest.raises(PermissionDenied):
        cash_movement_record(kind="cash_out", reason="bank_deposit", amount="100", user=cashier)
    assert DayBookEntry.objects.count() == 0


# --- Closing: the cash position -----------------------------------------------------------------

# (entries on Monday as (kind, method, amount)), counted -> (opening, cash in, cash out, expected, difference)
CLOSING_MATH = {
    "empty first day": ([], "0", ("0", "0", "0", "0", "0")),
    "float and cash sales": ([("cash_in", "cash", "1000"), ("sale", "cash", "598"), ("sale", "cash", "402.50")],
                             "2000.50", ("0", "2000.50", "0", "2000.50", "0")),
    "cash short": ([("sale", "cash", "500")], "450", ("0", "500", "0", "500", "-50")),
    "cash over": ([("sale", "cash", "500")], "510.25", ("0", "500", "0", "500", "10.25")),
    "UPI, card and credit stay out of the drawer": (
        [("sale", "cash", "100"), ("sale", "upi", "300"), ("sale", "card", "250"), ("sale", "credit", "80"),
         ("expense", "upi", "-40")], "100", ("0", "100", "0", "100", "0")),
    "expenses, refunds and cancellations paid in cash go out": (
        [("sale", "cash", "1000"), ("expense", "cash", "-120"), ("sale_reversal", "cash", "-200"),
         ("refund", "cash", "-30"), ("cash_out", "cash", "-500")], "150", ("0", "1000", "850", "150", "0")),
    "repayments in cash come in": ([("credit_received", "cash", "250"), ("credit_received", "upi", "99")], "250",
                                   ("0", "250", "0", "250", "0")),
    "paise add up exactly": ([("sale", "cash", "0.10"), ("sale", "cash", "0.20"), ("sale", "cash", "0.70")], "1",
                             ("0", "1.00", "0", "1.00", "0")),
}


@pytest.mark.parametrize(("posted", "counted", "expected"), CLOSING_MATH.values(), ids=CLOSING_MATH.keys())
def test_closing_records_opening_cash_in_out_expected_and_difference(manager, posted, counted, expected):
    for kind, method, amount in posted:
        post(MONDAY, kind, method, amount)
    closing = day_close(day=MONDAY, counted_cash=counted, user=manager)
    recorded = (closing.opening_cash, closing.cash_in, closing.cash_out, closing.expected_cash, closing.difference)
    assert recorded == tuple(D(value) for value in expected)
    assert closing.counted_cash == D(counted)
    assert closing_in_force(day=MONDAY) == closing


def test_next_day_opens_with_the_counted_cash_not_the_expected(manager):
    post(MONDAY, "sale", "cash", "1000")
    day_close(day=MONDAY, counted_cash="980", user=manager)  # ₹20 short
    post(TUESDAY, "sale", "cash", "500")
    closing = day_close(day=TUESDAY, counted_cash="1480", user=manager)
    assert (closing.opening_cash, closing.expected_cash, closing.difference) == (D("980"), D("1480"), D("0"))


def test_a_day_left_open_carries_its_expected_cash_forward(manager):
    post(MONDAY, "sale", "cash", "1000")
    day_close(day=MONDAY, counted_cash="1000", user=manager)
    post(TUESDAY, "sale", "cash", "300")  # Tuesday never closed
    post(TUESDAY, "cash_out", "cash", "-100")
    post(WEDNESDAY, "sale", "cash", "50")
    assert opening_cash(day=WEDNESDAY) == D("1200")
    closing = day_close(day=WEDNESDAY, counted_cash="1250", user=manager)
    assert (closing.opening_cash, closing.expected_cash, closing.difference) == (D("1200"), D("1250"), D("0"))


def test_first_day_opens_with_nothing_and_a_float_is_cash_in(manager):
    assert opening_cash(day=MONDAY) == 0
    cash_movement_record(kind="cash_in", reason="float_added", amount="1500", user=manager, day=MONDAY)
    assert day_close(day=MONDAY, counted_cash="1500", user=manager).expected_cash == D("1500")


# --- Closing: the count ---------------------------------------------------------------------------


def test_closing_by_denominations_keeps_the_count(manager):
    post(MONDAY, "sale", "cash", "2192.50")
    count = {"500": 3, "200": "2", 100: 1, "50": 3, "20": 0, "10": 2, "coins": "22.50"}
    closing = day_close(day=MONDAY, counted_cash="2192.50", user=manager, denominations=count, note="Counted twice")
    assert closing.denominations == {"500": 3, "200": 2, "100": 1, "50": 3, "10": 2, "coins": "22.50"}
    assert (closing.difference, closing.note, closing.closed_by) == (D("0"), "Counted twice", manager)


def test_closing_refuses_a_total_that_differs_from_the_notes_counted(manager):
    with pytest.raises(ValidationError) as refusal:
        day_close(day=MONDAY, counted_cash="1000", user=manager, denominations={"500": 1, "coins": "5"})
    assert refusal.value.message_dict["counted_cash"] == ["The notes and coins add up to ₹505.00, not ₹1,000.00."]
    assert not DayClosing.objects.exists() and closing_in_force(day=MONDAY) is None


@pytest.mark.parametrize("count", [
    {"2000": 1}, {"500": -1}, {"500": "two"}, {"500": 1.5}, {"coins": "-1"}, {"coins": "1.005"}, {"500": 10**9},
    ["500", 1],
])
def test_closing_refuses_a_count_it_cannot_read(manager, count):
    with pytest.raises(ValidationError) as refusal:
        day_close(day=MONDAY, counted_cash="500", user=manager, denominations=count)
    assert "denominations" in refusal.value.message_dict
    assert not DayClosing.objects.exists()


@pytest.mark.parametrize(("counted", "field"), [("-1", "counted_cash"), ("ten", "counted_cash"), ("", "counted_cash")])
def test_closing_refuses_a_counted_cash_that_is_not_an_amount(manager, counted, field):
    with pytest.raises(ValidationError) as refusal:
        day_close(day=MONDAY, counted_cash=counted, user=manager)
    assert field in refusal.value.message_dict


def test_a_day_closes_once(manager):
    day_close(day=MONDAY, counted_cash="0", user=manager)
    with pytest.raises(ValidationError, match="already closed"):
        day_close(day=MONDAY, counted_cash="0", user=manager)
    assert DayClosing.objects.count() == 1


def test_a_day_that_has_not_begun_cannot_be_closed(manager):
    with pytest.raises(ValidationError) as refusal:
        day_close(day=timezone.localdate() + timedelta(days=1), counted_cash="0", user=manager)
    assert "day" in refusal.value.message_dict


def test_cashier_cannot_close_the_day(cashier):
    with pytest.raises(PermissionDenied):
        day_close(day=MONDAY, counted_cash="0", user=cashier)
    assert not BookDay.objects.filter(closing__isnull=False).exists()


# --- A closed day refuses every money event -------------------------------------------------------


@pytest.fixture
def closed_today(manager):
    return day_close(day=timezone.localdate(), counted_cash="0", user=manager)


def test_a_sale_after_closing_is_refused_and_leaves_nothing_behind(shop, stocked, cashier, closed_today):
    product = stocked(quantity="5")
    for payments in ([{"method": "cash", "amount": D("100")}], [{"method": "upi", "amount": D("100")}]):
        with pytest.raises(DayClosed, match="is closed"):
            checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}], payments=payments)
    assert not Invoice.objects.exists() and not Payment.objects.exists()
    assert Stock.objects.get(product=product).quantity == 5
    assert DayBookEntry.objects.count() == 0


def test_an_expense_or_cash_movement_on_a_closed_day_is_refused(manager, closed_today):
    with pytest.raises(DayClosed):
        expense_record(category="rent", amount="100", method="cash", user=manager)
    with pytest.raises(DayClosed):
        cash_movement_record(kind="cash_in", reason="float_added", amount="100", user=manager)
    assert DayBookEntry.objects.count() == 0


def test_a_upi_confirmation_on_a_closed_day_is_refused(shop, stocked, cashier, manager):
    invoice = checkout(cashier=cashier, lines=[{"product": stocked(), "quantity": D("1")}],
                       payments=[{"method": "upi", "amount": D("100")}])
    day_close(day=timezone.localdate(), counted_cash="0", user=manager)
    with pytest.raises(DayClosed):
        upi_payment_confirm(payment=invoice.payments.get(), utr="412345678901", via="reference", user=cashier)
    assert invoice.payments.get().status == "awaiting"
    assert DayBookEntry.objects.count() == 0


def test_a_cancellation_on_a_closed_day_is_refused(shop, stocked, cashier, manager):
    product = stocked(quantity="5")
    invoice = checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                       payments=[{"method": "cash", "amount": D("100")}])
    day_close(day=timezone.localdate(), counted_cash="100", user=manager)
    with pytest.raises(DayClosed):
        invoice_cancel(invoice=invoice, user=manager, reason="Wrong item")
    invoice.refresh_from_db()
    assert invoice.status == "completed" and Stock.objects.get(product=product).quantity == 4


def test_an_earlier_closed_day_refuses_backdated_entries_while_today_stays_open(manager):
    day_close(day=MONDAY, counted_cash="0", user=manager)
    with pytest.raises(DayClosed, match="02-11-2026 is closed"):
        expense_record(category="rent", amount="100", method="cash", user=manager, day=MONDAY)
    assert expense_record(category="rent", amount="100", method="cash", user=manager).date == timezone.localdate()


# --- Reopening --------------------------------------------------------------------------------------


def test_owner_reopens_a_closed_day_with_a_reason_and_it_takes_entries_again(shop, stocked, cashier, owner,
                                                                             closed_today):
    reopening = day_reopen(day=timezone.localdate(), user=owner, reason="  Sold after counting  ")
    assert (reopening.closing, reopening.reason, reopening.reopened_by) == (closed_today, "Sold after counting", owner)
    assert closing_in_force(day=timezone.localdate()) is None
    invoice = checkout(cashier=cashier, lines=[{"product": stocked(), "quantity": D("1")}],
                       payments=[{"method": "cash", "amount": D("100")}])
    assert invoice.payments.get().amount == D("100")


def test_manager_and_cashier_cannot_reopen_a_day(manager, cashier, closed_today):
    for user in (manager, cashier):
        with pytest.raises(PermissionDenied, match="Only an owner"):
            day_reopen(day=timezone.localdate(), user=user, reason="Mistake")
    assert closing_in_force(day=timezone.localdate()) == closed_today
    assert not DayReopening.objects.exists()


def test_reopening_needs_a_reason(owner, closed_today):
    with pytest.raises(ValidationError) as refusal:
        day_reopen(day=timezone.localdate(), user=owner, reason="   ")
    assert "reason" in refusal.value.message_dict
    assert closing_in_force(day=timezone.localdate()) == closed_today


def test_an_open_day_cannot_be_reopened(owner):
    with pytest.raises(ValidationError, match="not closed"):
        day_reopen(day=MONDAY, user=owner, reason="Mistake")


def test_closing_again_after_a_reopening_keeps_both_counts(owner, manager):
    post(MONDAY, "sale", "cash", "500")
    first = day_close(day=MONDAY, counted_cash="450", user=manager)
    day_reopen(day=MONDAY, user=owner, reason="Found a missed expense")
    expense_record(category="transport", amount="50", method="cash", user=manager, day=MONDAY)
    second = day_close(day=MONDAY, counted_cash="450", user=manager)
    assert (first.expected_cash, first.difference) == (D("500"), D("-50"))
    assert (second.expected_cash, second.difference) == (D("450"), D("0"))
    assert closing_in_force(day=MONDAY) == second
    assert first.reopening.reason == "Found a missed expense"
    assert not hasattr(second, "reopening") or second.reopening is None


def test_closings_and_reopenings_cannot_be_changed_or_deleted(owner, manager):
    closing = day_close(day=MONDAY, counted_cash="0", user=manager)
    reopening = day_reopen(day=MONDAY, user=owner, reason="Mistake")
    for record in (closing, reopening):
        with pytest.raises(ValidationError, match="cannot be changed"):
            record.save()
        with pytest.raises(ValidationError, match="cannot be deleted"):
            record.delete()
