"""Cashiers selling the same products at the same moment, on PostgreSQL: the rollup upserts neither lose an
update nor deadlock (rows are written in key order), and the rows equal the raw tables afterwards."""

from decimal import Decimal

import pytest
from django.utils import timezone

from reports.selectors import sales_summary
from sales.models import Invoice
from sales.services import checkout, invoice_cancel
from tests.catalog.test_stock_concurrency import THREADS, run_in_threads
from tests.conftest import transactional_db
from tests.reports.test_rollups_property import live_rows, rebuilt_rows

pytestmark = [pytest.mark.postgres, transactional_db]
D = Decimal


def test_concurrent_checkouts_of_the_same_products_add_up_in_the_rollups(shop, stocked, cashier, manager):
    shop.round_off = False
    shop.save()
    products = [stocked("10000", selling_price=D(price)) for price in ("10.01", "0.07", "99.99")]

    def sell_five(index):
        # Each thread lists the products in another order; the rollups are written in key order regardless.
        ordered = products[index % 3:] + products[:index % 3]
        for _ in range(5):
            checkout(cashier=cashier, lines=[{"product": p, "quantity": D("1")} for p in ordered],
                     payments=[{"method": "cash", "amount": D("110.07")}])
        return "ok"

    results = run_in_threads(sell_five)
    assert results == ["ok"] * THREADS
    cancelled = Invoice.objects.order_by("pk").first()
    invoice_cancel(invoice=cancelled, user=manager, reason="Test")
    assert live_rows() == rebuilt_rows()
    today = timezone.localdate(cancelled.issued_at)
    summary = sales_summary(start=today, end=today)
    assert summary.bills == THREADS * 5 - 1 and summary.cancelled_count == 1
    assert summary.sales_total == D("110.07") * (THREADS * 5 - 1)
    assert summary == sales_summary(start=today, end=today, use_rollups=False)
