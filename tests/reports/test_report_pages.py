"""The report pages in the admin: who opens which, what a page shows, bad filters, and query counts."""

import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.pages import Viewer
from reports.report_list import BY_SLUG, REPORTS
from tests.reports.conftest import NOVEMBER

pytestmark = pytest.mark.django_db
MONTH = {"start": "2026-11-01", "end": "2026-11-30"}
PROFIT = [report for report in REPORTS if "reports.view_profit" in report.permissions]
COST_TEXTS = ("Value at cost", "Money tied up", "Cost per unit")


def urls(report) -> list[str]:
    name = f"admin:{report.url_name}"
    return [reverse(name), reverse(f"{name}_export") + "?format=csv", reverse(f"{name}_export") + "?format=xlsx",
            reverse(f"{name}_pdf")]


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Who may open what ----------------------------------------------------------------------------


@pytest.mark.parametrize("report", REPORTS, ids=lambda report: report.slug)
def test_cashier_is_refused_every_report_and_its_files(client, cashier, report):
    client.force_login(cashier)
    assert [client.get(url).status_code for url in urls(report)] == [403, 403, 403, 403]


def test_cashier_is_refused_the_reports_index(client, cashier):
    client.force_login(cashier)
    assert client.get(reverse("admin:reports_report_changelist")).status_code == 403


@pytest.mark.parametrize("report", PROFIT, ids=lambda report: report.slug)
def test_manager_is_refused_profit_and_its_files(client, manager, report):
    client.force_login(manager)
    assert [client.get(url).status_code for url in urls(report)] == [403, 403, 403, 403]


@pytest.mark.parametrize("slug", ["stock-on-hand", "slow-stock"])
def test_manager_sees_stock_reports_without_cost_figures(client, manager, november, slug):
    client.force_login(manager)
    report = BY_SLUG[slug]
    query = {"days": "10"} if slug == "slow-stock" else {}
    page = page_text(client.get(reverse(f"admin:{report.url_name}"), query))
    csv = client.get(reverse(f"admin:{report.url_name}_export"), {**query, "format": "csv"}).content.decode("utf-8-sig")
    assert "Soap" in page and "Soap" in csv
    for text in (*COST_TEXTS, "₹30.00", "2940"):
        assert text not in page and text not in csv


def test_owner_sees_the_stock_value_at_cost(client, owner, november):
    client.force_login(owner)
    page = page_text(client.get(reverse("admin:reports_report_stock_on_hand")))
    assert "Value at cost" in page and "₹16,940.00" in page


@pytest.mark.parametrize(("role", "seen", "unseen"), [
    ("owner", {"sales-by-period", "stock-on-hand", "profit-by-product", "profit-by-category"}, set()),
    ("manager", {"sales-by-period", "stock-on-hand", "slow-stock"}, {"profit-by-product", "profit-by-category"}),
])
def test_index_shows_a_card_for_each_report_the_user_may_open(client, request, role, seen, unseen):
    client.force_login(request.getfixturevalue(role))
    cards = set(re.findall(r'data-report="([\w-]+)"', client.get(reverse("admin:reports_report_changelist"))
                           .content.decode()))
    assert seen <= cards and not unseen & cards


@pytest.mark.parametrize(("role", "shown", "hidden"), [
    ("owner", {"All reports", "Profit by product", "Stock on hand"}, set()),
    ("manager", {"All reports", "Stock on hand"}, {"Profit by product"}),
    ("cashier", set(), {"All reports", "Stock on hand", "Profit by product"}),
])
def test_sidebar_shows_the_reports_each_role_may_open(client, request, role, shown, hidden):
    from tests.shop.test_users_and_sidebar import sidebar_titles

    client.force_login(request.getfixturevalue(role))
    titles = sidebar_titles(client)
    assert shown <= titles and not hidden & titles


def test_the_admin_has_no_add_change_or_delete_for_reports(rf, owner):
    from django.contrib import admin

    from reports.models import Report

    request = rf.get("/")
    request.user = owner
    model_admin = admin.site._registry[Report]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_no_report_page_reads_the_report_table(client, owner, november):
    """Report has no table: a query of it would fail on a real database."""
    client.force_login(owner)
    for url in [reverse("admin:reports_report_changelist"), reverse("admin:index"), "/admin/reports/",
                *(reverse(f"admin:{report.url_name}") for report in REPORTS)]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, MONTH if "report/" in url else {}).status_code == 200, url
        assert not [q["sql"] for q in queries if "reports_report" in q["sql"]], url


# --- What a page shows ----------------------------------------------------------------------------


@pytest.mark.parametrize("report", REPORTS, ids=lambda report: report.slug)
def test_owner_opens_every_report_with_its_files(client, owner, november, report):
    client.force_login(owner)
    responses = [client.get(url, MONTH) for url in urls(report)]
    assert [response.status_code for response in responses] == [200, 200, 200, 200]
    assert report.title in page_text(responses[0])
    assert responses[3]["Content-Type"] == "application/pdf"


def test_page_shows_rupees_with_indian_grouping_and_the_totals(client, owner, db, stocked):
    stocked("10", name="Gold coin", cost_price=D("12345.67"))
    client.force_login(owner)
    page = page_text(client.get(reverse("admin:reports_report_stock_on_hand")))
    assert "₹1,23,456.70" in page
    assert 'id="report-totals"' in page


def test_sales_page_shows_the_figures_of_the_period(client, owner, november):
    client.force_login(owner)
    page = page_text(client.get(reverse("admin:reports_report_sales_by_period"), MONTH))
    assert "Sales by day, week or month: 01-11-2026 to 30-11-2026" in page
    for text in ("02-11-2026 Mon", "₹600.00", "-₹40.00", "₹800.00", "₹753.52", "₹46.48"):
        assert text in page
    assert "03-11-2026" not in page  # only a cancelled bill that day


def test_preset_last_month_reads_the_calendar_month(client, owner):
    from django.utils import timezone

    client.force_login(owner)
    first = timezone.localdate().replace(day=1)
    last_month_end = first - __import__("datetime").timedelta(days=1)
    page = page_text(client.get(reverse("admin:reports_report_sales_by_period"), {"preset": "last_month"}))
    assert f"{last_month_end.replace(day=1):%d-%m-%Y} to {last_month_end:%d-%m-%Y}" in page


def test_heatmap_shades_the_busiest_cell_darkest(client, owner, november):
    client.force_login(owner)
    page = page_text(client.get(reverse("admin:reports_report_sales_by_hour"), MONTH))
    assert "rgba(22, 163, 74, 0.80)" in page  # Monday 10:00, ₹480


# --- Bad filters: a form error, never a 500 -------------------------------------------------------


@pytest.mark.parametrize(("query", "message"), [
    ({"start": "2026-11-30", "end": "2026-11-01"}, "The last day comes before the first."),
    ({"start": "2020-01-01", "end": "2026-11-01"}, "A report covers at most 732 days."),
    ({"start": "1066-10-14"}, "Pick a day between 2000 and 2099."),
    ({"start": "yesterday"}, "Enter a valid date."),
    ({"warehouse": "999999"}, "Select a valid choice."),
    ({"group": "year"}, "Select a valid choice."),
])
def test_bad_filters_show_on_the_form(client, owner, query, message):
    client.force_login(owner)
    response = client.get(reverse("admin:reports_report_sales_by_period"), query)
    assert response.status_code == 200
    assert message in page_text(response)
    assert 'id="report-table"' not in page_text(response)


def test_bad_filters_refuse_the_files_with_a_400_naming_the_field(client, owner):
    client.force_login(owner)
    for suffix in ("_export", "_pdf"):
        response = client.get(reverse(f"admin:reports_report_sales_by_period{suffix}"),
                              {"start": "2026-11-30", "end": "2026-11-01"})
        assert response.status_code == 400
        assert "end: The last day comes before the first." in response.content.decode()


def test_unknown_file_format_is_a_400(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:reports_report_sales_by_period_export"), {"format": "xml"})
    assert response.status_code == 400


FIELDS = ("preset", "start", "end", "group", "stock_group", "warehouse", "category", "brand", "cashier", "days",
          "format")
junk = st.one_of(st.text(max_size=30), st.integers(min_value=-10**20, max_value=10**20).map(str),
                 st.dates().map(str), st.sampled_from(["", "0", "-1", "1e9", "9999-12-31", "2026-02-30", "today",
                                                        "this_week", "month", "warehouse", "csv", "xlsx", "\x00"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(FIELDS), junk, max_size=5),
       report=st.sampled_from(REPORTS), suffix=st.sampled_from(["", "_export", "_pdf"]))
def test_any_query_string_gets_a_page_or_a_400_never_a_500(client, owner, query, report, suffix):
    client.force_login(owner)
    response = client.get(reverse(f"admin:{report.url_name}{suffix}"), query)
    assert response.status_code in (200, 400)


# --- Query counts ---------------------------------------------------------------------------------


def report_queries(report, user) -> int:
    values = {"start": NOVEMBER["start"], "end": NOVEMBER["end"], "group": "day", "stock_group": "product",
              "days": 10}
    with CaptureQueriesContext(connection) as queries:
        report.build(values, Viewer(user))
    return len(queries)


@pytest.mark.parametrize("report", REPORTS, ids=lambda report: report.slug)
def test_queries_do_not_grow_with_the_rows(owner, november, stocked, report):
    from sales.services import checkout
    from tests import factories
    from tests.reports.conftest import at

    before = report_queries(report, owner)
    category, brand = factories.CategoryFactory(), factories.BrandFactory()
    products = [stocked("50", category=category, brand=brand) for _ in range(4)]
    with at(7, 16):
        for product in products:
            checkout(cashier=owner, lines=[{"product": product, "quantity": D("1")}],
                     payments=[{"method": "upi", "amount": D("100")}])
    assert report_queries(report, owner) == before


def test_without_filters_a_report_shows_this_month_so_far(client, owner):
    from django.utils import timezone

    client.force_login(owner)
    today = timezone.localdate()
    page = page_text(client.get(reverse("admin:reports_report_sales_by_period")))
    period = f"{today:%d-%m-%Y}" if today.day == 1 else f"{today.replace(day=1):%d-%m-%Y} to {today:%d-%m-%Y}"
    assert f"Sales by day, week or month: {period}" in page


def test_a_long_report_shows_its_first_rows_and_says_the_files_hold_all(monkeypatch, client, owner, db, stocked):
    from reports import views

    monkeypatch.setattr(views, "MAX_PAGE_ROWS", 2)
    for number in range(3):
        stocked("1", name=f"Product {number}")
    client.force_login(owner)
    page = page_text(client.get(reverse("admin:reports_report_stock_on_hand")))
    assert "Showing the first 2 of 3 rows" in page
    assert "Product 1" in page and "Product 2" not in page
    csv = client.get(reverse("admin:reports_report_stock_on_hand_export")).content.decode("utf-8-sig")
    assert "Product 2" in csv
