"""The big changelists do not count their whole table on every page view (shop.paginator.EstimatingPaginator)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import StockMovement
from ledger.models import CreditEntry
from sales.models import Invoice, Payment
from shop.paginator import EstimatingPaginator
from tests.reports.shop_history import at, sell_at

pytestmark = pytest.mark.django_db
BIG_LISTS = [Invoice, Payment, StockMovement, CreditEntry]
# A count of the table with no WHERE: what the estimate replaces.
BARE_COUNT = re.compile(r'SELECT COUNT\(\*\) AS "__count" FROM "sales_invoice"\s*$')


@pytest.mark.parametrize("model", BIG_LISTS, ids=lambda m: m.__name__)
def test_big_changelists_skip_the_full_count_and_estimate(model):
    model_admin = admin.site._registry[model]
    assert model_admin.show_full_result_count is False
    assert model_admin.paginator is EstimatingPaginator


@pytest.fixture
def invoices(shop, stocked, cashier):
    product = stocked()
    for hour in (9, 10, 11):
        sell_at(at(date(2026, 11, 2), hour), cashier, (product, "1"))


def changelist_queries(client, owner, query: str = "") -> list[str]:
    client.force_login(owner)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("admin:sales_invoice_changelist") + query)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.postgres
def test_the_unfiltered_invoice_list_takes_the_planners_estimate_on_postgresql(invoices, client, owner, monkeypatch):
    monkeypatch.setattr(EstimatingPaginator, "estimate_from", 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sales_invoice")
    queries = changelist_queries(client, owner)
    assert not [sql for sql in queries if BARE_COUNT.search(sql)], queries
    assert any("reltuples" in sql for sql in queries)


@pytest.mark.postgres
def test_a_filtered_invoice_list_is_counted_exactly(invoices, client, owner, monkeypatch):
    monkeypatch.setattr(EstimatingPaginator, "estimate_from", 1)
    queries = changelist_queries(client, owner, "?status__exact=completed")
    assert any("COUNT(*)" in sql and "WHERE" in sql for sql in queries)
    assert not any("reltuples" in sql for sql in queries)


def test_small_or_unanalysed_tables_and_sqlite_are_counted_exactly(invoices, client, owner):
    queries = changelist_queries(client, owner)
    assert any(BARE_COUNT.search(sql) for sql in queries), queries  # 3 invoices: below estimate_from
    assert EstimatingPaginator(Invoice.objects.all(), 10).count == 3
    assert EstimatingPaginator([Decimal(1)] * 4, 10).count == 4
