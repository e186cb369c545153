"""The day book's pages: the book, its CSV, Excel and PDF, the expense and cash forms, closing and reopening,
for each role; bad input shows on the form (or a 400 for a download), never a 500, and writes nothing."""

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from ledger.day_book import day_close, expense_record
from ledger.models import DayBookEntry, DayClosing
from ledger.posting import post_day_book
from ledger.selectors import closing_in_force
from sales.services import checkout
from tests import factories
from tests.pdf import pdfium_text

pytestmark = pytest.mark.django_db
D = Decimal
BOOK = "admin:ledger_daybookentry_changelist"


def today() -> date:
    return timezone.localdate()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def sale(shop, stocked, cashier):
    return checkout(cashier=cashier, lines=[{"product": stocked(selling_price=D("250")), "quantity": D("2")}],
                    payments=[{"method": "cash", "amount": D("300")}, {"method": "upi", "amount": D("200"),
                                                                         "reference": "412345678901"}])


# --- The book ---------------------------------------------------------------------------------------


def test_manager_sees_entries_with_their_documents_totals_and_the_drawer(client, manager, sale):
    expense_record(category="electricity", amount="120", method="cash", user=manager, note="Bijli bill")
    client.force_login(manager)
    response = client.get(reverse(BOOK))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("admin:sales_invoice_change", args=[sale.pk]) in html and sale.number in html
    assert "Expense · Electricity" in html and "Bijli bill" in html
    methods = html[html.index('id="totals-by-method"'):html.index("</table>", html.index('id="totals-by-method"'))]
    assert "₹180.00" in methods and "₹200.00" in methods and "₹380.00" in methods  # cash 300 - 120, UPI, net
    drawer = html[html.index('id="cash-now"'):]
    assert "₹300.00" in drawer and "₹120.00" in drawer and "₹180.00" in drawer
    assert reverse("admin:ledger_daybookentry_expense") in html and reverse("admin:ledger_dayclosing_close") in html


def test_a_range_shows_each_days_cash(client, manager):
    monday = today() - timedelta(days=3)
    post_day_book(entries=[("sale", "cash", D("100"))], day=monday, user=manager)
    post_day_book(entries=[("sale", "cash", D("50"))], day=monday + timedelta(days=1), user=manager)
    client.force_login(manager)
    html = client.get(reverse(BOOK), {"start": monday.isoformat(), "end": today().isoformat()}).content.decode()
    position = html[html.index('id="cash-position"'):]
    assert f"{monday:%d-%m-%Y}" in position and "₹150.00" in position


@pytest.mark.parametrize("query", [
    {"start": "yesterday"}, {"start": "2026-11-20", "end": "2026-11-10"}, {"start": "2020-01-01", "end": "2026-01-01"},
    {"start": "2026-02-30"}, {"end": "99999-01-01"},
])
def test_a_bad_range_shows_on_the_form(client, manager, query):
    client.force_login(manager)
    response = client.get(reverse(BOOK), query)
    assert response.status_code == 200
    assert response.context["form"].errors and response.context["book"] is None


def test_a_cashier_sees_only_their_own_entries_of_today_whatever_they_ask(client, cashier, manager, sale):
    other = factories.UserFactory(username="cashier2", role="Cashier")
    post_day_book(entries=[("sale", "card", D("777"))], day=today(), user=other)
    post_day_book(entries=[("sale", "cash", D("888"))], day=today() - timedelta(days=1), user=cashier)
    expense_record(category="rent", amount="999", method="cash", user=manager)
    client.force_login(cashier)
    response = client.get(reverse(BOOK), {"start": (today() - timedelta(days=5)).isoformat(),
                                          "end": today().isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    assert sale.number in html and "₹500.00" in html
    assert not any(amount in html for amount in ("777", "888", "999"))
    for hidden in ('id="cash-now"', 'id="day-range"', "expense/", "close/"):
        assert hidden not in html


def test_an_entry_opens_read_only_with_a_link_to_its_document(client, manager, sale):
    entry = DayBookEntry.objects.filter(method="cash").get()
    client.force_login(manager)
    html = client.get(reverse("admin:ledger_daybookentry_change", args=[entry.pk])).content.decode()
    assert reverse("admin:sales_invoice_change", args=[sale.pk]) in html and 'name="_save"' not in html


# --- Downloads ------------------------------------------------------------------------------------


@pytest.fixture
def risky_expense(manager):
    return expense_record(category="other", amount="45.50", method="cash", user=manager,
                          note='=HYPERLINK("http://evil.example","click")', reference="+91 call")


def test_csv_export_lists_the_entries_with_formulas_defused(client, manager, risky_expense):
    client.force_login(manager)
    response = client.get(reverse("admin:ledger_daybookentry_export"), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="day-book-{today().isoformat()}.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Date", "Time", "Kind", "Category", "Method", "Amount", "Reference", "Note", "By"]
    assert rows[1][2:8] == ["Expense", "Other expense", "Cash", "-45.50", "'+91 call",
                            '\'=HYPERLINK("http://evil.example","click")']


def test_excel_export_keeps_amounts_as_numbers_and_formulas_as_text(client, manager, risky_expense):
    client.force_login(manager)
    response = client.get(reverse("admin:ledger_daybookentry_export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, row = [cell.value for cell in sheet[1]], [cell.value for cell in sheet[2]]
    assert header[5] == "Amount" and row[5] == -45.5
    assert row[7].startswith("'=HYPERLINK") and sheet.cell(row=2, column=8).data_type == "s"


def test_a_cashiers_export_holds_only_their_own_entries_of_today(client, cashier, manager, sale, risky_expense):
    client.force_login(cashier)
    rows = list(csv.reader(io.StringIO(client.get(reverse("admin:ledger_daybookentry_export"),
                                                  {"format": "csv"}).content.decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["Sale", "Sale"] and all(row[8] for row in rows[1:])


@pytest.mark.parametrize(("query", "message"), [
    ({"format": "pdf"}, "format=csv or format=xlsx"),
    ({"format": "csv", "start": "2026-13-01"}, "Choose the days again"),
    ({"format": "xlsx", "start": "2026-11-20", "end": "2026-11-01"}, "Choose the days again"),
])
def test_a_bad_export_request_answers_400_saying_why(client, manager, query, message):
    client.force_login(manager)
    response = client.get(reverse("admin:ledger_daybookentry_export"), query)
    assert response.status_code == 400 and message in response.content.decode()


def test_pdf_prints_totals_the_drawer_and_every_entry(client, manager, sale, risky_expense):
    day_close(day=today(), counted_cash="250", user=manager)
    client.force_login(manager)
    response = client.get(reverse("admin:ledger_daybookentry_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdfium_text(response.content)
    for expected in ("DAY BOOK", f"{today():%d-%m-%Y}", "₹254.50", "₹200.00", sale.number, "Other expense",
                     "Closed", "−₹4.50", "Page 1 of 1"):
        assert expected.replace("−", "-") in text, expected


def test_pdf_refuses_a_bad_range_with_400(client, manager):
    client.force_login(manager)
    assert client.get(reverse("admin:ledger_daybookentry_pdf"), {"start": "x"}).status_code == 400


# --- Expense and cash forms -------------------------------------------------------------------------


def test_expense_form_records_it_and_shows_the_day_book(client, manager):
    client.force_login(manager)
    response = client.post(reverse("admin:ledger_daybookentry_expense"), {
        "day": today().isoformat(), "category": "salary", "method": "upi", "amount": "8000", "reference": "",
        "note": "Ramesh, November"})
    assert response.status_code == 302 and response["Location"].startswith(reverse(BOOK))
    entry = DayBookEntry.objects.get()
    assert (entry.kind, entry.category, entry.method, entry.amount, entry.note) == (
        "expense", "salary", "upi", D("-8000"), "Ramesh, November")
    assert messages_of(response) == [f"Recorded: Expense · Salary, ₹8,000.00 on {today():%d-%m-%Y}."]


@pytest.mark.parametrize(("changes", "field"), [
    ({"amount": "abc"}, "amount"), ({"amount": "-5"}, "amount"), ({"amount": "0"}, "amount"),
    ({"amount": "1.999"}, "amount"), ({"amount": "1" * 20}, "amount"), ({"category": "bribe"}, "category"),
    ({"method": "credit"}, "method"), ({"day": "someday"}, "day"),
    ({"day": (date.today() + timedelta(days=3)).isoformat()}, "day"), ({"note": "x" * 300}, "note"),
])
def test_expense_form_shows_bad_input_on_its_field_and_records_nothing(client, manager, changes, field):
    client.force_login(manager)
    data = {"day": today().isoformat(), "category": "rent", "method": "cash", "amount": "100", **changes}
    response = client.post(reverse("admin:ledger_daybookentry_expense"), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not DayBookEntry.objects.exists()


def test_expense_form_on_a_closed_day_says_so(client, manager):
    day_close(day=today(), counted_cash="0", user=manager)
    client.force_login(manager)
    response = client.post(reverse("admin:ledger_daybookentry_expense"), {
        "day": today().isoformat(), "category": "rent", "method": "cash", "amount": "100"})
    assert response.status_code == 200
    assert "is closed" in " ".join(response.context["form"].non_field_errors())
    assert not DayBookEntry.objects.exists()


def test_cash_form_records_a_bank_deposit_and_refuses_a_reason_going_the_wrong_way(client, manager):
    client.force_login(manager)
    url = reverse("admin:ledger_daybookentry_cash")
    wrong = client.post(url, {"day": today().isoformat(), "kind": "cash_in", "reason": "bank_deposit",
                              "amount": "5000"})
    assert wrong.status_code == 200 and "reason" in wrong.context["form"].errors
    right = client.post(url, {"day": today().isoformat(), "kind": "cash_out", "reason": "bank_deposit",
                              "amount": "5000"})
    assert right.status_code == 302
    assert [(e.kind, e.category, e.amount) for e in DayBookEntry.objects.all()] == [
        ("cash_out", "bank_deposit", D("-5000"))]


# --- Closing and reopening ----------------------------------------------------------------------------


def test_close_page_shows_the_expected_cash_and_closes_with_the_notes_counted(client, manager, sale):
    client.force_login(manager)
    url = reverse("admin:ledger_dayclosing_close")
    page = client.get(url).content.decode()
    assert "₹300.00" in page[page.index('id="expected-cash"'):]
    response = client.post(url, {"day": today().isoformat(), "notes_200": "1", "notes_50": "1", "notes_10": "4",
                                 "coins": "7.50", "note": "Evening count"})
    assert response.status_code == 302 and response["Location"] == reverse("admin:ledger_dayclosing_changelist")
    closing = closing_in_force(day=today())
    assert (closing.counted_cash, closing.difference, closing.note) == (D("297.50"), D("-2.50"), "Evening count")
    assert closing.denominations == {"200": 1, "50": 1, "10": 4, "coins": "7.50"}
    assert messages_of(response) == [
        f"Closed {today():%d-%m-%Y}: expected ₹300.00, counted ₹297.50, ₹2.50 short."]


def test_close_page_takes_a_total_without_notes(client, manager, sale):
    client.force_login(manager)
    client.post(reverse("admin:ledger_dayclosing_close"), {"day": today().isoformat(), "counted_cash": "310"})
    assert closing_in_force(day=today()).difference == D("10")


@pytest.mark.parametrize(("data", "field"), [
    ({}, None),
    ({"notes_500": "1", "counted_cash": "600"}, "counted_cash"),
    ({"notes_500": "-1"}, "notes_500"),
    ({"notes_100": "two"}, "notes_100"),
    ({"coins": "1.234"}, "coins"),
    ({"counted_cash": "-10"}, "counted_cash"),
    ({"counted_cash": "lots"}, "counted_cash"),
    ({"counted_cash": "10", "day": (date.today() + timedelta(days=1)).isoformat()}, None),
    ({"counted_cash": "10", "day": "not a day"}, "day"),
])
def test_close_page_shows_a_bad_count_and_closes_nothing(client, manager, data, field):
    client.force_login(manager)
    response = client.post(reverse("admin:ledger_dayclosing_close"), {"day": today().isoformat(), **data})
    assert response.status_code == 200
    form = response.context["form"]
    assert (field in form.errors) if field else form.non_field_errors() or form.errors
    assert not DayClosing.objects.exists()


def test_close_page_for_an_unreadable_day_shows_today(client, manager):
    client.force_login(manager)
    response = client.get(reverse("admin:ledger_dayclosing_close"), {"day": "31-02-2026"})
    assert response.status_code == 200 and response.context["day"] == today()


def test_closing_history_shows_each_days_difference(client, owner, manager):
    post_day_book(entries=[("sale", "cash", D("100"))], day=today() - timedelta(days=1), user=manager)
    day_close(day=today() - timedelta(days=1), counted_cash="90", user=manager)
    day_close(day=today(), counted_cash="95", user=manager)
    client.force_login(owner)
    html = client.get(reverse("admin:ledger_dayclosing_changelist")).content.decode()
    assert "-₹10.00 short" in html and "+₹5.00 over" in html


def test_owner_reopens_a_day_from_its_closing(client, owner, manager):
    closing = day_close(day=today(), counted_cash="0", user=manager)
    client.force_login(owner)
    url = reverse("admin:ledger_dayclosing_reopen", args=[closing.pk])
    assert client.post(url, {"reason": " "}).context["form"].errors["reason"]
    assert closing_in_force(day=today()) == closing
    response = client.post(url, {"reason": "A sale came after the count"})
    assert response.status_code == 302 and closing_in_force(day=today()) is None
    assert closing.reopening.reason == "A sale came after the count"
    again = client.post(url, {"reason": "twice"})
    assert again.status_code == 200 and "already reopened" in again.content.decode()


def test_manager_and_cashier_cannot_open_the_reopen_page(client, manager, cashier):
    closing = day_close(day=today(), counted_cash="0", user=manager)
    for user in (manager, cashier):
        client.force_login(user)
        assert client.post(reverse("admin:ledger_dayclosing_reopen", args=[closing.pk]),
                           {"reason": "x"}).status_code == 403
    assert closing_in_force(day=today()) == closing


@pytest.mark.parametrize("name", ["ledger_daybookentry_expense", "ledger_daybookentry_cash",
                                  "ledger_dayclosing_close", "ledger_dayclosing_changelist"])
def test_a_cashier_cannot_record_close_or_see_closings(client, cashier, name):
    client.force_login(cashier)
    assert client.get(reverse(f"admin:{name}")).status_code == 403
    assert client.post(reverse(f"admin:{name}"), {"amount": "1", "counted_cash": "1"}).status_code == 403
    assert not DayBookEntry.objects.exists() and not DayClosing.objects.exists()


# --- A closed day, as the counter and the UPI statement see it ---------------------------------------


def test_the_counter_refuses_a_sale_after_closing_with_the_reason(client, cashier, manager, shop, stocked):
    product = stocked()
    day_close(day=today(), counted_cash="0", user=manager)
    client.force_login(cashier)
    response = client.post(reverse("admin:sales_counter_checkout"), json.dumps({
        "idempotency_key": "after-close", "lines": [{"product_id": product.pk, "quantity": 1}],
        "payments": [{"method": "cash", "amount": "100"}]}), content_type="application/json")
    assert response.status_code == 400
    assert "is closed" in response.json()["errors"]["__all__"][0]


def test_confirming_upi_from_a_statement_on_a_closed_day_says_why(client, owner, manager, shop, stocked, cashier):
    from tests.sales.test_upi import stamp, statement

    invoice = checkout(cashier=cashier, lines=[{"product": stocked(selling_price=D("310")), "quantity": D("1")}],
                       payments=[{"method": "upi", "amount": D("310")}])
    payment = invoice.payments.get()
    client.force_login(owner)
    url = reverse("admin:sales_payment_statement")
    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = client.post(url, {"statement": SimpleUploadedFile(
        "upi.csv", statement(f"{stamp(payment, 2)},310.00,400000000001,Meena"))})
    day_close(day=today(), counted_cash="0", user=manager)
    response = client.post(url, {"rows": preview.context["rows"]})
    assert response.status_code == 302 and any("is closed" in m for m in messages_of(response))
    payment.refresh_from_db()
    assert payment.status == "awaiting"


# --- Sidebar ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "shown", "hidden"), [
    ("owner", {"Day book", "Record expense", "Cash in / out", "Close the day", "Closing history"}, set()),
    ("manager", {"Day book", "Record expense", "Cash in / out", "Close the day", "Closing history"}, set()),
    ("cashier", {"Day book"}, {"Record expense", "Cash in / out", "Close the day", "Closing history"}),
])
def test_sidebar_shows_the_day_book_entries_of_each_role(client, request, role, shown, hidden):
    from tests.shop.test_users_and_sidebar import sidebar_titles

    client.force_login(request.getfixturevalue(role))
    titles = sidebar_titles(client)
    assert shown <= titles and not hidden & titles
