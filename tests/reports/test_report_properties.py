"""After any mix of sales, discounts, returns and cancellations, every sales report adds up to the raw bills,
exactly to the paisa (on SQLite too), and the reports agree with each other."""

from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import sales_reports
from sales.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from sales.services import checkout, invoice_cancel, return_create
from tests.reports.conftest import NOVEMBER, at
from tests.sales.selling import exact_cash

pytestmark = pytest.mark.django_db

prices = st.decimals(min_value=D("1.00"), max_value=D("999.99"), places=2)
bills = st.lists(st.tuples(
    st.lists(st.tuples(st.integers(0, 2), st.integers(1, 4), st.integers(0, 9)), min_size=1, max_size=3),
    st.sampled_from(["cash", "card"]),
    st.sampled_from(["keep", "keep", "return", "cancel"]),
    st.integers(8, 21),
), min_size=1, max_size=5)


def completed_sum(field: str) -> D:
    return sum((getattr(bill, field) for bill in Invoice.objects.filter(status=Invoice.Status.COMPLETED)), D("0"))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(price_list=st.lists(prices, min_size=3, max_size=3), sales=bills)
def test_reports_add_up_to_the_raw_bills(owner, stocked, price_list, sales):
    products = [stocked("1000", selling_price=price, cost_price=(price * D("0.7")).quantize(D("0.01")))
                for price in price_list]
    for lines, method, fate, hour in sales:
        cart = [{"product": products[index], "quantity": D(quantity),
                 "discount": (products[index].selling_price * quantity * percent / 100).quantize(D("0.01"))}
                for index, quantity, percent in lines]
        with at(12, hour):
            payment = {**exact_cash(cart), "method": method}
            bill = checkout(cashier=owner, lines=cart, payments=[payment])
            if fate == "cancel":
                invoice_cancel(invoice=bill, user=owner, reason="Test")
            elif fate == "return":
                return_create(invoice=bill, lines=[{"line": bill.lines.first(), "quantity": D("1")}],
                              refund_method="cash", user=owner)

    billed = completed_sum("grand_total")
    returned = sum((note.grand_total for note in CreditNote.objects.all()), D("0"))
    taxable = completed_sum("taxable_total") - sum((note.taxable_total for note in CreditNote.objects.all()), D("0"))
    lines = InvoiceLine.objects.filter(invoice__status=Invoice.Status.COMPLETED)
    line_sales = sum((line.line_total for line in lines), D("0"))
    line_returns = sum((line.line_total for line in CreditNoteLine.objects.all()), D("0"))

    by_day = sales_reports.sales_by_period(**NOVEMBER).totals
    assert (by_day[4], by_day[5], by_day[6], by_day[7]) == (billed, returned, billed - returned, taxable)
    assert sales_reports.sales_by_product(**NOVEMBER).totals[6:9] == [line_sales, line_returns,
                                                                       line_sales - line_returns]
    assert sales_reports.sales_by_category(**NOVEMBER).totals[4] == line_sales - line_returns
    assert sales_reports.sales_by_cashier(**NOVEMBER).totals[6] == billed - returned
    assert sales_reports.sales_by_payment_mode(**NOVEMBER).totals[5] == billed - returned
    assert sales_reports.sales_heatmap(**NOVEMBER).totals[-1] == billed
    assert sales_reports.discounts_and_returns(**NOVEMBER).totals[3] == completed_sum("discount_total")
    assert sales_reports.profit_by_product(**NOVEMBER).totals[2] == taxable
