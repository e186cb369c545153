"""reports.selectors.sales_summary against a small history worked out by hand, on both of its sources."""

from datetime import date
from decimal import Decimal

import pytest

from ledger.services import credit_payment_receive
from reports.selectors import DaySales, TopProduct, sales_summary
from tests import factories
from tests.reports.shop_history import at, cancel_at, clock, return_at, sell_at

pytestmark = pytest.mark.django_db
D = Decimal
MONDAY, TUESDAY = date(2026, 11, 2), date(2026, 11, 3)
SOURCES = pytest.mark.parametrize("use_rollups", [False], ids=["raw"])


@pytest.fixture
def history(shop, stocked, cashier, manager):
    """Monday: two bills (one part UPI awaiting, one on credit), one cancelled. Tuesday: a return of Monday's
    first bill, a khata repayment, a bill. Prices carry paise; 5% and 18% GST, tax-inclusive."""
    shop.round_off = False  # totals in paise, so the sums are tested to the paisa
    shop.save()
    soap = stocked(name="Soap", selling_price=D("10.01"), cost_price=D("7.33"), tax_rate=factories.tax_rate("18"))
    rice = stocked(name="Rice", selling_price=D("99.99"), cost_price=D("81.17"), tax_rate=factories.tax_rate("5"))
    customer = factories.CustomerFactory(credit_limit=D("5000"))
    first = sell_at(at(MONDAY, 10, 30), cashier, (soap, "3"), (rice, "1"))
    second = sell_at(at(MONDAY, 18, 15), cashier, (rice, "2"),
                     payments=[{"method": "cash", "amount": D("100")}, {"method": "upi", "amount": D("99.98")}])
    on_credit = sell_at(at(MONDAY, 18, 40), cashier, (soap, "1"), customer=customer,
                        payments=[{"method": "credit", "amount": D("10.01")}])
    cancelled = sell_at(at(MONDAY, 19, 0), cashier, (soap, "5"))
    cancel_at(at(MONDAY, 19, 5), cancelled, manager)
    credit_note = return_at(at(TUESDAY, 9, 10), first, manager, "1", "0")
    with clock(at(TUESDAY, 11, 0)):
        credit_payment_receive(customer=customer, amount=D("4.01"), method="cash", user=manager)
    tuesday = sell_at(at(TUESDAY, 20, 0), cashier, (rice, "1"))
    return {"soap": soap, "rice": rice, "bills": [first, second, on_credit, tuesday], "credit_note": credit_note}


@SOURCES
def test_summary_of_two_days_counts_completed_bills_payments_returns_and_khata(history, use_rollups):
    first, second, on_credit, tuesday = history["bills"]
    summary = sales_summary(start=MONDAY, end=TUESDAY, use_rollups=use_rollups)
    assert summary.bills == 4 and summary.cancelled_count == 1
    sales = first.grand_total + second.grand_total + on_credit.grand_total + tuesday.grand_total
    assert summary.sales_total == sales
    assert summary.average_bill == (sales / 4).quantize(D("0.01"))
    assert summary.taxable_total == sum(i.taxable_total for i in history["bills"])
    assert summary.cgst == sum(i.cgst_total for i in history["bills"]) and summary.igst == 0
    assert summary.gst_total == summary.cgst + summary.sgst + summary.igst + summary.cess
    assert summary.by_method == {"cash": sales - D("99.98") - D("10.01"), "credit": D("10.01")}
    assert summary.upi_awaiting == D("99.98")
    assert summary.credit_given == D("10.01") and summary.credit_collected == D("4.01")
    assert summary.returns_count == 1 and summary.returns_total == history["credit_note"].grand_total
    assert summary.net_sales == sales - history["credit_note"].grand_total


@SOURCES
def test_summary_places_bills_by_hour_and_day_in_the_shops_time_zone(history, use_rollups):
    first, second, on_credit, tuesday = history["bills"]
    summary = sales_summary(start=MONDAY, end=TUESDAY, use_rollups=use_rollups)
    assert len(summary.by_hour) == 24
    assert summary.by_hour[10] == first.grand_total
    assert summary.by_hour[18] == second.grand_total + on_credit.grand_total
    assert summary.by_hour[19] == 0  # the cancelled bill
    assert summary.by_hour[20] == tuesday.grand_total
    assert summary.by_day == (
        DaySales(MONDAY, first.grand_total + second.grand_total + on_credit.grand_total, 3),
        DaySales(TUESDAY, tuesday.grand_total, 1),
    )


@SOURCES
def test_top_products_rank_by_amount_sold(history, use_rollups):
    soap, rice = history["soap"], history["rice"]
    summary = sales_summary(start=MONDAY, end=TUESDAY, use_rollups=use_rollups)
    assert summary.top_products == (
        TopProduct(rice.pk, "Rice", D("4.000"), D("399.96")),
        TopProduct(soap.pk, "Soap", D("4.000"), D("40.04")),
    )


@SOURCES
def test_cost_and_margin_come_from_the_lines_cost_less_returns(history, use_rollups):
    summary = sales_summary(start=MONDAY, end=TUESDAY, use_rollups=use_rollups)
    # Sold: soap 3 + 1 at 7.33, rice 1 + 2 + 1 at 81.17; returned: soap 1.
    assert summary.cost_total == D("7.33") * 3 + D("81.17") * 4
    returned_taxable = history["credit_note"].taxable_total
    assert summary.gross_margin == summary.taxable_total - returned_taxable - summary.cost_total


@SOURCES
def test_one_day_leaves_out_the_other(history, use_rollups):
    summary = sales_summary(start=TUESDAY, end=TUESDAY, use_rollups=use_rollups)
    assert summary.bills == 1 and summary.cancelled_count == 0 and summary.returns_count == 1
    assert summary.by_day == (DaySales(TUESDAY, history["bills"][3].grand_total, 1),)
    assert summary.credit_given == 0 and summary.credit_collected == D("4.01")


def test_a_cashiers_summary_has_only_their_bills(history, cashier, manager):
    mine = sales_summary(start=MONDAY, end=TUESDAY, cashier=cashier)
    theirs = sales_summary(start=MONDAY, end=TUESDAY, cashier=manager)
    assert mine.bills == 4 and mine.returns_count == 0 and mine.credit_collected == 0
    assert theirs.bills == 0 and theirs.returns_count == 1 and theirs.credit_collected == D("4.01")
    assert theirs.by_day == (DaySales(MONDAY, D("0.00"), 0), DaySales(TUESDAY, D("0.00"), 0))


@SOURCES
def test_a_range_without_sales_is_all_zero(shop, use_rollups):
    summary = sales_summary(start=MONDAY, end=MONDAY, use_rollups=use_rollups)
    assert (summary.bills, summary.sales_total, summary.average_bill, summary.by_method) == (0, 0, 0, {})
    assert summary.by_hour == (D("0.00"),) * 24 and summary.top_products == ()


def test_an_end_before_the_start_is_refused(shop):
    with pytest.raises(ValueError):
        sales_summary(start=TUESDAY, end=MONDAY)
