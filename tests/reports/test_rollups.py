"""The rollup rows each service writes, in the same transaction: sale, cancellation, return, UPI confirmation."""

from datetime import date
from decimal import Decimal

import pytest

from reports.models import DailyPaymentSales, DailyProductSales, HourlySales
from sales.payments import upi_payment_confirm
from tests.reports.shop_history import at, cancel_at, return_at, sell_at

pytestmark = pytest.mark.django_db
D = Decimal
MONDAY, TUESDAY = date(2026, 11, 2), date(2026, 11, 3)


@pytest.fixture
def no_round_off(shop):
    shop.round_off = False
    shop.save()
    return shop


def payment_row(day, method):
    return DailyPaymentSales.objects.filter(day=day, method=method).values_list(
        "confirmed_paise", "awaiting_paise").first()


def test_a_sale_adds_its_lines_payments_and_hour(no_round_off, stocked, cashier, shop_floor):
    soap = stocked(selling_price=D("10.01"), cost_price=D("7.33"))
    invoice = sell_at(at(MONDAY, 23, 59), cashier, (soap, "3"))
    row = DailyProductSales.objects.get(day=MONDAY, product=soap, warehouse=shop_floor)
    assert (row.lines, row.quantity_milli, row.amount_paise, row.cost_paise) == (1, 3000, 3003, 2199)
    assert row.taxable_paise + row.tax_paise == 3003
    hour = HourlySales.objects.get(day=MONDAY, hour=23)
    assert (hour.bills, hour.sales_paise, hour.cancelled) == (1, 3003, 0)
    assert hour.taxable_paise == int(invoice.taxable_total * 100)
    assert payment_row(MONDAY, "cash") == (3003, 0)


def test_a_cancel_takes_the_bill_out_of_its_own_day(no_round_off, stocked, cashier, manager):
    soap = stocked(selling_price=D("10.01"))
    invoice = sell_at(at(MONDAY, 10), cashier, (soap, "2"))
    cancel_at(at(TUESDAY, 9), invoice, manager)
    hour = HourlySales.objects.get(day=MONDAY, hour=10)
    assert (hour.bills, hour.sales_paise, hour.taxable_paise, hour.cancelled) == (0, 0, 0, 1)
    assert DailyProductSales.objects.get(day=MONDAY).quantity_milli == 0
    assert payment_row(MONDAY, "cash") == (0, 0)
    assert not HourlySales.objects.filter(day=TUESDAY).exists()


def test_a_return_counts_on_its_own_day_at_the_cost_it_was_sold(no_round_off, stocked, cashier, manager):
    soap = stocked(selling_price=D("10.01"), cost_price=D("7.33"))
    invoice = sell_at(at(MONDAY, 10), cashier, (soap, "3"))
    note = return_at(at(TUESDAY, 9), invoice, manager, "1")
    row = DailyProductSales.objects.get(day=TUESDAY)
    assert (row.lines, row.returned_quantity_milli, row.returned_amount_paise, row.returned_cost_paise) == (
        0, 1000, int(note.grand_total * 100), 733)
    hour = HourlySales.objects.get(day=TUESDAY, hour=9)
    assert (hour.bills, hour.returns, hour.returns_paise) == (0, 1, int(note.grand_total * 100))


def test_confirming_upi_moves_it_from_awaiting_on_the_bills_day(no_round_off, stocked, cashier, owner):
    soap = stocked(selling_price=D("10.01"))
    invoice = sell_at(at(MONDAY, 10), cashier, (soap, "1"), payments=[{"method": "upi", "amount": D("10.01")}])
    assert payment_row(MONDAY, "upi") == (0, 1001)
    upi_payment_confirm(payment=invoice.payments.get(), utr="400000000001", via="reference", user=owner)
    assert payment_row(MONDAY, "upi") == (1001, 0)


def test_the_migration_fills_the_rollups_of_sales_made_before_it(no_round_off, stocked, cashier):
    from importlib import import_module

    from django.apps import apps

    from tests.reports.test_rollups_property import live_rows

    sell_at(at(MONDAY, 10), cashier, (stocked(selling_price=D("10.01")), "2"))
    before = live_rows()
    for model in (DailyPaymentSales, DailyProductSales, HourlySales):
        model.objects.all().delete()
    import_module("reports.migrations.0003_fill_daily_rollups").fill(apps, None)
    assert live_rows() == before and before


def test_rebuild_rollups_replaces_only_the_days_asked_for(no_round_off, stocked, cashier):
    from io import StringIO

    from django.core.management import call_command

    soap = stocked(selling_price=D("10.01"))
    sell_at(at(MONDAY, 10), cashier, (soap, "1"))
    sell_at(at(TUESDAY, 10), cashier, (soap, "1"))
    HourlySales.objects.update(sales_paise=1)  # both days wrong
    out = StringIO()
    call_command("rebuild_rollups", "--start", "2026-11-03", "--end", "2026-11-03", stdout=out)
    assert HourlySales.objects.get(day=TUESDAY).sales_paise == 1001
    assert HourlySales.objects.get(day=MONDAY).sales_paise == 1
    assert "hourlysales: 1 rows" in out.getvalue()


@pytest.mark.parametrize("arguments", [["--start", "2026-13-01"], ["--start", "2026-11-03", "--end", "2026-11-02"]])
def test_rebuild_rollups_refuses_a_bad_range(shop, arguments):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("rebuild_rollups", *arguments)
