"""Property: whatever is sold, cancelled and returned in a month, every GST figure adds up to the invoices
minus the credit notes, to the paisa, and the document summary counts every number."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from catalog.models import Unit
from reports.gst import Amounts, gst_summary, gstr1, gstr3b, total_of
from sales.models import CreditNote, Invoice
from sales.services import invoice_cancel
from tests import factories
from tests.reports.gst_data import BENGALURU_GSTIN, KUMAR_GSTIN, give_back, sell
from tests.reports.test_gst import _documents_total

pytestmark = pytest.mark.django_db
D = Decimal

sales = st.lists(st.fixed_dictionaries({
    "lines": st.lists(st.tuples(st.integers(0, 3), st.integers(1, 3), st.sampled_from(["0", "0.01", "3.33", "9"])),
                      min_size=1, max_size=3, unique_by=lambda line: line[0]),
    "buyer": st.sampled_from(["walk-in", "kumar", "bengaluru", "ravi"]),
    "bill_discount": st.sampled_from(["0", "0.07", "5"]),
    "after": st.sampled_from(["keep", "keep", "cancel", "return one", "return all"]),
}), min_size=1, max_size=6)


@pytest.fixture
def goods(shop, stocked):
    kg = Unit.objects.get(code="kg")
    return [stocked(name="Biscuits", selling_price=D("99.99"), hsn_code="1905", quantity="10000"),
            stocked(name="Ghee", selling_price=D("555.55"), hsn_code="0405", tax_inclusive=False,
                    tax_rate=factories.tax_rate("5"), quantity="10000"),
            stocked(name="Rice", selling_price=D("61.30"), hsn_code="1006", tax_rate=factories.tax_rate("0"), unit=kg,
                    quantity="10000"),
            stocked(name="Perfume", selling_price=D("1234.50"), hsn_code="3303", tax_rate=factories.tax_rate("40"),
                    quantity="10000")]


@pytest.fixture
def buyers(db):
    return {"walk-in": None,
            "kumar": factories.CustomerFactory(name="Kumar Traders", gstin=KUMAR_GSTIN, state="27"),
            "bengaluru": factories.CustomerFactory(name="Bengaluru Retail", gstin=BENGALURU_GSTIN, state="29"),
            "ravi": factories.CustomerFactory(name="Ravi", state="29")}


@given(month=sales)
@example(month=[{"lines": [(2, 1, "9"), (1, 1, "3.33")], "buyer": "ravi", "bill_discount": "5", "after": "return one"},
                {"lines": [(3, 3, "0.01")], "buyer": "bengaluru", "bill_discount": "0.07", "after": "return all"},
                {"lines": [(0, 2, "0")], "buyer": "walk-in", "bill_discount": "0", "after": "cancel"}])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
def test_every_gst_figure_adds_up_to_the_invoices_minus_the_credit_notes(goods, buyers, manager, month):
    with transaction.atomic():
        for sale in month:
            invoice = sell(manager, *[(goods[index], str(quantity), discount)  # a manager: any discount goes
                                      for index, quantity, discount in sale["lines"]],
                           customer=buyers[sale["buyer"]], bill_discount=sale["bill_discount"])
            if sale["after"] == "cancel":
                invoice_cancel(invoice=invoice, user=manager, reason="Wrong bill")
            elif sale["after"].startswith("return"):
                whole = sale["after"] == "return all"
                give_back(invoice, manager, *[line.quantity if whole else 1 for line in invoice.lines.all()])
        today = timezone.localdate()
        summary, report, liability = gst_summary(start=today, end=today), gstr1(month=today), gstr3b(month=today)
        expected = (_documents_total(Invoice.objects.filter(status="completed"))
                    - _documents_total(CreditNote.objects.all()))
        assert summary.net == expected == total_of(summary.by_rate) == total_of(summary.by_hsn)
        nil = sum((row.amount for row in report.nil), D("0"))
        assert report.outward + Amounts(taxable=nil) == expected
        assert liability.outward_taxable == report.outward and liability.total == expected
        assert total_of(report.hsn_b2b) + total_of(report.hsn_b2c) == expected
        invoices, notes = report.documents[0], report.documents[1:]
        assert (invoices.total, invoices.cancelled) == (len(month), sum(s["after"] == "cancel" for s in month))
        assert sum(row.total for row in notes) == CreditNote.objects.count()
        transaction.set_rollback(True)
