"""Stock reports against the November history (tests/reports/conftest.py).

Stock now: shop floor Atta 47 (50 − 2 − 1 + 1 cancelled − 1), Soap 98 (100 − 3 − 1 + 1 cancelled + 1 returned),
Old stock 10; godown Atta 20. Costs: Atta ₹200, Soap ₹30, Old stock ₹60.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from reports import stock_reports
from reports.pages import Grouping
from tests.reports.conftest import NOVEMBER

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)


def test_stock_on_hand_with_value_at_cost(november):
    table = stock_reports.stock_on_hand(with_cost=True)
    assert [list(row) for row in table.rows] == [
        ["Godown", "Atta 5 kg", "ATTA-5", D("20"), "pcs", D("200.00"), D("4000.00")],
        ["Shop floor", "Atta 5 kg", "ATTA-5", D("47"), "pcs", D("200.00"), D("9400.00")],
        ["Shop floor", "Old stock", "OLD", D("10"), "pcs", D("60.00"), D("600.00")],
        ["Shop floor", "Soap", "SOAP", D("98"), "pcs", D("30.00"), D("2940.00")],
    ]
    assert table.totals[-1] == D("16940.00")


def test_stock_on_hand_without_cost_has_no_cost_column(november):
    table = stock_reports.stock_on_hand(with_cost=False)
    assert [column.label for column in table.columns] == ["Warehouse", "Product", "SKU", "Quantity", "Unit"]
    assert all(len(row) == 5 for row in table.rows)


def test_stock_on_hand_per_warehouse(november):
    table = stock_reports.stock_on_hand(group=Grouping.WAREHOUSE, with_cost=True)
    assert [list(row) for row in table.rows] == [["Godown", 1, D("4000.00")], ["Shop floor", 3, D("12940.00")]]
    assert table.totals == ["Total", 4, D("16940.00")]


def test_stock_on_hand_filters(november):
    assert [row[1] for row in stock_reports.stock_on_hand(warehouse=november.godown).rows] == ["Atta 5 kg"]
    assert [row[1] for row in stock_reports.stock_on_hand(brand=november.soap.brand).rows] == ["Soap"]
    assert [row[1] for row in stock_reports.stock_on_hand(category=november.grocery).rows] == [
        "Atta 5 kg", "Atta 5 kg", "Old stock"]


def test_stock_value_is_exact_to_the_paisa(db, stocked):
    """Three thousandths of a kilo at ₹333.33 a kilo: ₹1.00 (0.99999 rounded), not a float's 0.99999."""
    from tests import factories

    stocked("0.003", name="Saffron", cost_price=D("333.33"), unit=factories.unit("kg"))
    table = stock_reports.stock_on_hand(with_cost=True)
    assert table.rows[0][3:] == [D("0.003"), "kg", D("333.33"), D("1.00")]


def test_movements_over_the_sales_days(november):
    """Opening stock came in on the 1st, before the period: it is the stock at the start."""
    table = stock_reports.stock_movements(start=date(2026, 11, 2), end=date(2026, 11, 5))
    z = D("0")
    assert [list(row) for row in table.rows] == [
        # product, sku, at start, opening, purchases, returns, transfers in, up, sales, transfers out, down, at end
        ["Atta 5 kg", "ATTA-5", D("70"), z, z, D("1"), z, z, D("4"), z, z, D("67")],
        ["Old stock", "OLD", D("10"), z, z, z, z, z, z, z, z, D("10")],
        ["Soap", "SOAP", D("100"), z, z, D("2"), z, z, D("4"), z, z, D("98")],
    ]


def test_movements_of_the_month_start_from_nothing(november):
    table = stock_reports.stock_movements(**NOVEMBER, warehouse=november.godown)
    z = D("0")
    assert [list(row) for row in table.rows] == [["Atta 5 kg", "ATTA-5", z, D("20"), z, z, z, z, z, z, z, D("20")]]


def test_movements_after_the_sales_carry_the_stock_unchanged(november):
    table = stock_reports.stock_movements(start=date(2026, 11, 6), end=date(2026, 11, 30),
                                          warehouse=november.shop_floor)
    assert [(row[0], row[2], row[-1]) for row in table.rows] == [
        ("Atta 5 kg", D("47"), D("47")), ("Old stock", D("10"), D("10")), ("Soap", D("98"), D("98"))]
    assert all(not any(row[3:-1]) for row in table.rows)


def test_movements_split_adjustments_by_direction(november, owner):
    from catalog.services import stock_adjust
    from tests.reports.conftest import at

    with at(6, 10):
        stock_adjust(product=november.soap, warehouse=november.shop_floor, quantity=D("-3"), reason="damage",
                     user=owner)
        stock_adjust(product=november.soap, warehouse=november.shop_floor, quantity=D("1"), reason="count",
                     user=owner)
    soap = stock_reports.stock_movements(start=date(2026, 11, 6), end=date(2026, 11, 6)).rows[-1]
    assert soap[0] == "Soap" and soap[7] == D("1") and soap[10] == D("3") and soap[-1] == D("96")


def test_slow_stock_lists_products_unsold_for_the_days_asked(november):
    table = stock_reports.slow_stock(days=21, today=TODAY, with_cost=True)
    # Atta sold on the 5th (within 21 days); Soap last sold on the 2nd: its bill of the 3rd was cancelled.
    assert [list(row) for row in table.rows] == [
        ["Old stock", "OLD", "Grocery", None, 24, D("10"), D("60.00"), D("600.00")],
        ["Soap", "SOAP", "Personal care", date(2026, 11, 2), 23, D("98"), D("30.00"), D("2940.00")],
    ]
    assert table.totals[-1] == D("3540.00")


def test_slow_stock_with_a_shorter_window_adds_more_products(november):
    table = stock_reports.slow_stock(days=10, today=TODAY)
    assert [(row[0], row[4], row[5]) for row in table.rows] == [
        ("Old stock", 24, D("10")), ("Soap", 23, D("98")), ("Atta 5 kg", 20, D("67"))]
    assert [column.label for column in table.columns][-1] == "In stock"  # no money without the cost permission


def test_slow_stock_per_warehouse_counts_that_warehouses_sales(november):
    table = stock_reports.slow_stock(days=10, today=TODAY, warehouse=november.godown)
    assert [(row[0], row[3], row[5]) for row in table.rows] == [("Atta 5 kg", None, D("20"))]
