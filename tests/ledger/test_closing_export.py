"""The cash closing history as CSV and Excel: the rows the list shows, with its filters, formulas defused."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.day_book import day_close, day_reopen
from ledger.posting import post_day_book

pytestmark = pytest.mark.django_db
D = Decimal
EXPORT = "admin:ledger_dayclosing_export"


def back(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def closings(manager, owner):
    post_day_book(entries=[("sale", "cash", D("100.50"))], day=back(2), user=manager)
    day_close(day=back(2), counted_cash="90", user=manager, note="=cmd|' /C calc'!A0")
    day_close(day=back(1), counted_cash="95.50", user=manager, denominations={"50": 1, "20": 2, "coins": "5.50"})
    day_reopen(day=back(1), user=owner, reason="A late sale")
    return back(2), back(1)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_closing_list_links_to_its_csv_and_excel(client, manager, closings):
    client.force_login(manager)
    html = client.get(reverse("admin:ledger_dayclosing_changelist")).content.decode()
    assert f'href="{reverse(EXPORT)}?format=csv"' in html and f'href="{reverse(EXPORT)}?format=xlsx"' in html


def test_the_csv_holds_each_closing_with_its_difference_count_and_status(client, manager, closings):
    client.force_login(manager)
    rows = csv_rows(client.get(reverse(EXPORT), {"format": "csv"}))
    assert rows[0] == ["Day", "Opening cash", "Cash in", "Cash out", "Expected", "Counted", "Difference", "Count",
                       "Closed by", "Closed at", "Status", "Note"]
    by_day = {row[0]: row for row in rows[1:]}
    older, newer = (day.isoformat() for day in closings)
    assert by_day[older][4:7] == ["100.50", "90.00", "-10.50"]
    assert by_day[older][11] == "'=cmd|' /C calc'!A0"  # a formula in a note stays text
    assert by_day[newer][5:8] == ["95.50", "5.50", "₹50 × 1, ₹20 × 2, coins ₹5.50"]
    assert by_day[newer][10].startswith("Reopened by")


def test_the_export_keeps_the_lists_day_filter(client, manager, closings):
    client.force_login(manager)
    day = closings[1].isoformat()
    rows = csv_rows(client.get(reverse(EXPORT), {"format": "csv", "day_from": day, "day_to": day}))
    assert [row[0] for row in rows[1:]] == [day]
    html = client.get(reverse("admin:ledger_dayclosing_changelist"), {"day_from": day, "day_to": day}).content
    assert f"day_from={day}&amp;day_to={day}&amp;format=xlsx".encode() in html


def test_the_excel_file_keeps_amounts_as_numbers(client, owner, closings):
    client.force_login(owner)
    response = client.get(reverse(EXPORT), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert sorted(D(str(row[6])) for row in rows) == [D("-10.50"), D("5.50")]


def test_a_cashier_cannot_export_the_closings(client, cashier, closings):
    client.force_login(cashier)
    assert client.get(reverse(EXPORT), {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("query", [{"format": "pdf"}, {"format": "csv", "nonsense": "1"},
                                   {"format": "csv", "day__gt": "x"}])
def test_a_bad_export_request_is_a_400_not_a_500(client, manager, closings, query):
    client.force_login(manager)
    assert client.get(reverse(EXPORT), query).status_code == 400


TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FF, blacklist_categories=("Cs",)),
               max_size=20)


@given(query=st.dictionaries(st.sampled_from(["format", "day_from", "day_to", "o", "p", "q"]) | TEXT, TEXT,
                             max_size=4))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_query_gets_a_file_or_a_400_never_a_500(client, manager, query):
    client.force_login(manager)
    assert client.get(reverse(EXPORT), query).status_code in (200, 400)
