"""The khata ageing report: who owes what by how old the debt is, its filters, totals, downloads and roles."""

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

from ledger.posting import post_credit
from ledger.selectors import Ageing, customer_ageing, customer_balance, khata_ageing_report
from ledger.services import credit_opening_balance, credit_payment_receive
from tests import factories
from tests.pdf import pdfium_text

pytestmark = pytest.mark.django_db
D = Decimal


def back(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def book(shop, owner):
    """Four customers: one owing for 100 days, one for 40 days and over the limit, one with nothing owed,
    one paid in advance; and one who never bought on credit."""
    old = factories.CustomerFactory(name="Old Debt", phone="9876500011", credit_limit=D("5000"))
    credit_opening_balance(customer=old, amount="1000", user=owner, day=back(100))
    post_credit(customer=old, kind="sale", amount=D("250.50"), user=owner)
    credit_payment_receive(customer=old, amount="400", method="cash", user=owner)  # pays off the oldest first
    over = factories.CustomerFactory(name="=HYPERLINK(\"x\")", phone="9876500012", credit_limit=D("100"))
    credit_opening_balance(customer=over, amount="300", user=owner, day=back(40))
    clear = factories.CustomerFactory(name="Clear Sharma", phone="9876500013")
    credit_opening_balance(customer=clear, amount="200", user=owner, day=back(10))
    credit_payment_receive(customer=clear, amount="200", method="cash", user=owner)
    ahead = factories.CustomerFactory(name="Advance Wala", phone="9876500014")
    post_credit(customer=ahead, kind="adjustment", amount=D("-75.25"), user=owner)
    factories.CustomerFactory(name="Never Bought", phone="9876500015")
    return {"old": old, "over": over, "clear": clear, "ahead": ahead}


def names(report) -> list[str]:
    return [row.customer.name for row in report.rows]


def test_the_report_lists_everyone_with_a_balance_most_owed_first_with_fifo_buckets(book):
    report = khata_ageing_report()
    assert names(report) == ["Old Debt", '=HYPERLINK("x")', "Advance Wala"]
    old = report.rows[0].ageing
    # 1000 from 100 days ago less the 400 paid = 600 over 90; today's 250.50 in 0-30
    assert (old.days_0_30, old.days_31_60, old.days_61_90, old.over_90) == (D("250.50"), 0, 0, D("600.00"))
    assert report.rows[1].ageing.days_31_60 == D("300.00") and report.rows[1].over_limit
    assert report.rows[2].ageing.advance == D("75.25") and report.rows[2].ageing.balance == D("-75.25")


def test_each_row_agrees_with_the_customers_own_ageing_and_balance(book):
    for row in khata_ageing_report().rows:
        assert row.ageing == customer_ageing(row.customer)
        assert row.ageing.balance == customer_balance(row.customer)


def test_the_totals_are_the_sums_of_the_rows_to_the_paisa(book):
    report = khata_ageing_report()
    totals = report.totals
    assert (totals.days_0_30, totals.days_31_60, totals.days_61_90, totals.over_90) == (
        D("250.50"), D("300.00"), D("0"), D("600.00"))
    assert totals.advance == D("75.25")
    assert totals.balance == D("850.50") + D("300") - D("75.25")


@pytest.mark.parametrize(("show", "listed"), [
    ("", ["Old Debt", '=HYPERLINK("x")', "Advance Wala"]),
    ("owes", ["Old Debt", '=HYPERLINK("x")']),
    ("30", ["Old Debt", '=HYPERLINK("x")']),
    ("60", ["Old Debt"]),
    ("90", ["Old Debt"]),
])
def test_the_filters_list_who_owes_and_for_how_long(book, show, listed):
    assert names(khata_ageing_report(show=show)) == listed


def test_an_unknown_filter_is_refused(book):
    with pytest.raises(ValueError, match="Unknown"):
        khata_ageing_report(show="7")


@given(amounts=st.lists(st.tuples(st.integers(0, 200), st.decimals("0.01", "9999.99", places=2),
                                  st.decimals("0", "1", places=2)), min_size=1, max_size=6))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_buckets_of_every_row_and_the_totals_add_up_to_the_balances(shop, owner, amounts):
    """For any customers, debts of any age and part payments: each row's buckets less its advance are
    its balance, and the totals row is the sum of the rows."""
    from ledger.models import Customer, CustomerBalance

    before = set(Customer.objects.values_list("pk", flat=True))
    for days, debt, share in amounts:
        customer = factories.CustomerFactory()
        credit_opening_balance(customer=customer, amount=str(debt), user=owner, day=back(days))
        paid = (debt * share).quantize(D("0.01"))
        if paid:
            credit_payment_receive(customer=customer, amount=str(paid), method="cash", user=owner)
    report = khata_ageing_report()
    mine = [row for row in report.rows if row.customer.pk not in before]
    assert len(mine) == sum(1 for _days, debt, share in amounts if (debt * share).quantize(D("0.01")) != debt)
    for row in report.rows:
        assert row.ageing.balance == CustomerBalance.objects.get(customer=row.customer).balance
    assert report.totals == Ageing(report.as_of, *(sum((getattr(r.ageing, name) for r in report.rows), D(0))
                                                   for name in ("days_0_30", "days_31_60", "days_61_90", "over_90")),
                                   advance=sum((r.ageing.advance for r in report.rows), D(0)))


# --- the page, its downloads, and who may see them ------------------------------------------------------------

AGEING = "admin:ledger_customer_ageing"
EXPORT = "admin:ledger_customer_ageing_export"
PDF = "admin:ledger_customer_ageing_pdf"


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_see_the_report_with_its_totals(client, request, book, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(AGEING))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Old Debt" in html and "₹600.00" in html and "₹250.50" in html
    assert 'id="ageing-totals"' in html and "₹1,075.25" in html  # 850.50 + 300 - 75.25
    assert "Clear Sharma" not in html and "Never Bought" not in html
    assert "&amp;format=csv" in html


def test_the_page_filter_narrows_the_list_and_the_downloads(client, owner, book):
    client.force_login(owner)
    html = client.get(reverse(AGEING), {"show": "60"}).content.decode()
    assert "Old Debt" in html and "HYPERLINK" not in html
    assert "show=60&amp;format=xlsx" in html


def test_a_bad_filter_is_a_form_error_on_the_page_and_a_400_for_the_downloads(client, owner, book):
    client.force_login(owner)
    response = client.get(reverse(AGEING), {"show": "1000"})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get(reverse(EXPORT), {"show": "1000"}).status_code == 400
    assert client.get(reverse(PDF), {"show": "x"}).status_code == 400
    assert client.get(reverse(EXPORT), {"format": "exe"}).status_code == 400


def test_the_csv_has_every_row_a_totals_row_and_no_formula(client, owner, book):
    client.force_login(owner)
    response = client.get(reverse(EXPORT), {"format": "csv"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:8] == ["Customer", "Phone", "Credit limit", "0–30 days", "31–60 days", "61–90 days",
                           "Over 90 days", "Advance"]
    assert rows[1][0] == "Old Debt" and rows[1][3] == "250.50" and rows[1][6] == "600.00"
    assert rows[2][0] == "'=HYPERLINK(\"x\")"  # escaped: the spreadsheet shows it as text
    assert rows[-1][0] == "Total (3 customers)" and rows[-1][8] == "1075.25"


def test_the_excel_file_holds_the_same_rows(client, manager, book):
    client.force_login(manager)
    response = client.get(reverse(EXPORT), {"format": "xlsx", "show": "owes"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[0] for row in values[1:]] == ["Old Debt", "'=HYPERLINK(\"x\")", "Total (2 customers)"]
    assert D(str(values[-1][8])) == D("1150.50")


def test_the_pdf_prints_the_customers_their_buckets_and_the_totals(client, owner, book):
    client.force_login(owner)
    response = client.get(reverse(PDF))
    assert response["Content-Type"] == "application/pdf"
    text = pdfium_text(response.content)
    for expected in ("KHATA AGEING", "Old Debt", "₹600.00", "₹250.50", "Total (3 customers)", "₹1,075.25",
                     "Everyone with a balance"):
        assert expected in text, expected


def test_a_cashier_is_refused_the_report_and_its_downloads(client, cashier, book):
    client.force_login(cashier)
    for name in (AGEING, EXPORT, PDF):
        assert client.get(reverse(name)).status_code == 403


def test_the_report_costs_the_same_queries_for_more_customers(client, owner, book, django_assert_max_num_queries):
    client.force_login(owner)
    for index in range(30):
        customer = factories.CustomerFactory(phone=f"91234{index:05d}")
        credit_opening_balance(customer=customer, amount="10", user=owner, day=back(index * 5))
    with django_assert_max_num_queries(25):
        assert client.get(reverse(AGEING)).status_code == 200


ASCII_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FF, blacklist_categories=("Cs",)),
                     max_size=30)


@given(show=ASCII_TEXT, export_format=ASCII_TEXT, extra=st.dictionaries(ASCII_TEXT, ASCII_TEXT, max_size=2))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_query_gets_the_report_a_form_error_or_a_400_never_a_500(client, owner, shop, show, export_format,
                                                                        extra):
    client.force_login(owner)
    query = {**extra, "show": show, "format": export_format}
    for name in (AGEING, EXPORT, PDF):
        assert client.get(reverse(name), query).status_code in (200, 400)
