"""GST figures (reports.gst): a hand-worked month of sales, returns and a cancellation (tests/reports/gst_data.py)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.gst import (
    Amounts,
    b2cl_limit,
    documents_issued,
    gst_summary,
    gstr1,
    gstr3b,
    total_of,
    uqc_codes,
    uqc_of,
)
from sales.models import CreditNote, Invoice
from shop.money import money_sum
from tests import factories
from tests.reports.gst_data import BENGALURU_GSTIN, KUMAR_GSTIN, give_back, make_month, sell

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def month(shop, stocked, cashier, manager):
    return make_month(stocked=stocked, cashier=cashier, manager=manager)


def today() -> date:
    return timezone.localdate()


def rates(document) -> list[tuple]:
    return [(row.rate, row.amounts.taxable, row.amounts.cgst, row.amounts.sgst, row.amounts.igst)
            for row in document.rates]


def move_to(day: date, *records) -> None:
    """Date invoices and credit notes on another day (at noon, shop time)."""
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=12)))
    for record in records:
        type(record).objects.filter(pk=record.pk).update(issued_at=moment)


def everything(month) -> list:
    return [month.sale1, month.sale2, month.sale3, month.sale4, month.sale5, month.cancelled, month.return1,
            month.return2, month.return5]


def test_b2b_lists_each_invoice_to_a_gstin_with_its_taxes_per_rate(month):
    report = gstr1(month=today())
    assert [(doc.gstin, doc.number, doc.value, doc.place_of_supply) for doc in report.b2b] == [
        (KUMAR_GSTIN, month.sale2.number, D("1098.00"), "27"),
        (BENGALURU_GSTIN, month.sale3.number, D("1000.00"), "29")]
    kumar, bengaluru = report.b2b
    # ghee exclusive at 5% after its 45.45 share of the bill discount; the biscuit inclusive at 18%
    assert rates(kumar) == [(D("5"), D("954.55"), D("23.86"), D("23.86"), D("0")),
                            (D("18"), D("80.89"), D("7.28"), D("7.28"), D("0"))]
    assert rates(bengaluru) == [(D("18"), D("847.46"), D("0"), D("0"), D("152.54"))]


def test_b2cl_holds_an_inter_state_sale_to_an_unregistered_buyer_above_one_lakh(month):
    report = gstr1(month=today())
    assert [(doc.number, doc.place_of_supply, doc.value, rates(doc)) for doc in report.b2cl] == [
        (month.sale5.number, "29", D("120000.00"), [(D("18"), D("101694.92"), D("0"), D("0"), D("18305.08"))])]


def test_b2cs_adds_up_the_other_unregistered_sales_by_state_and_rate_net_of_their_returns(month):
    report = gstr1(month=today())
    assert [(row.supply_type, row.place_of_supply, row.rate, row.amounts) for row in report.b2cs] == [
        # 245.76 / 22.12 sold, 81.93 / 7.37 back
        ("INTRA", "27", D("18"), Amounts(taxable=D("163.83"), cgst=D("14.75"), sgst=D("14.75"))),
        ("INTER", "29", D("18"), Amounts(taxable=D("84.75"), igst=D("15.25")))]


def test_nil_rated_lines_are_reported_apart_net_of_returns(month):
    report = gstr1(month=today())
    assert [(row.supply_type, row.amount) for row in report.nil] == [("INTRAB2C", D("60.00"))]
    assert all(row.rate for doc in report.b2b + report.b2cl + report.cdnr + report.cdnur for row in doc.rates)
    assert all(row.rate for row in report.b2cs)


def test_credit_notes_go_to_cdnr_for_a_gstin_and_to_cdnur_against_a_b2cl_invoice(month):
    report = gstr1(month=today())
    assert [(doc.gstin, doc.number, doc.invoice_number, doc.value, rates(doc)) for doc in report.cdnr] == [
        (KUMAR_GSTIN, month.return2.number, month.sale2.number, D("501.00"),
         [(D("5"), D("477.28"), D("11.93"), D("11.93"), D("0"))])]
    assert [(doc.number, doc.place_of_supply, doc.value, rates(doc)) for doc in report.cdnur] == [
        (month.return5.number, "29", D("120000.00"), [(D("18"), D("101694.92"), D("0"), D("0"), D("18305.08"))])]
    # the walk-in's return lowers B2CS instead of being listed
    assert month.return1.number not in {doc.number for doc in report.cdnr + report.cdnur}


def _documents_total(queryset) -> Amounts:
    return Amounts(*(money_sum(queryset, column) for column in
                     ("taxable_total", "cgst_total", "sgst_total", "igst_total", "cess_total")))


def test_gst_totals_equal_the_completed_invoices_minus_the_credit_notes_to_the_paisa(month):
    summary = gst_summary(start=today(), end=today())
    invoices = _documents_total(Invoice.objects.filter(status="completed"))
    notes = _documents_total(CreditNote.objects.all())
    assert summary.sales == invoices and summary.returns == notes
    assert summary.net == invoices - notes == Amounts(
        taxable=D("1714.20"), cgst=D("33.96"), sgst=D("33.96"), igst=D("167.79"))
    assert total_of(summary.by_rate) == summary.net
    assert [(row.rate, row.amounts.taxable) for row in summary.by_rate] == [
        (D("0"), D("60.00")), (D("5"), D("477.27")), (D("18"), D("1176.93"))]


def test_every_return_adds_up_the_same_way(month):
    report, liability = gstr1(month=today()), gstr3b(month=today())
    summary = gst_summary(start=today(), end=today())
    assert report.outward == liability.outward_taxable
    assert liability.outward_taxable + Amounts(taxable=liability.nil_rated) == liability.total == summary.net
    assert liability.nil_rated == sum(row.amount for row in report.nil) == D("60.00")
    assert total_of(report.hsn_b2b) + total_of(report.hsn_b2c) == summary.net


def test_gstr3b_lists_inter_state_supplies_to_unregistered_buyers_by_state(month):
    liability = gstr3b(month=today())
    assert liability.outward_taxable == Amounts(taxable=D("1654.20"), cgst=D("33.96"), sgst=D("33.96"),
                                                igst=D("167.79"))
    # Ravi's biscuit; his television came back within the month
    assert liability.unregistered_inter_state == [("29", Amounts(taxable=D("84.75"), igst=D("15.25")))]


def test_hsn_summary_equals_the_lines_split_by_buyer(month):
    report = gstr1(month=today())
    assert [(r.hsn, r.uqc, r.rate, r.quantity, r.amounts.taxable) for r in report.hsn_b2b] == [
        ("0405", "LTR", D("5"), D("1"), D("477.27")),  # 954.55 sold, 477.28 back
        ("1905", "NOS", D("18"), D("11"), D("928.35"))]  # 80.89 + 847.46
    assert [(r.hsn, r.uqc, r.rate, r.quantity, r.amounts.taxable) for r in report.hsn_b2c] == [
        ("1006", "KGS", D("0"), D("1"), D("60.00")),
        ("1905", "NOS", D("18"), D("3"), D("248.58"))]  # the television came back whole: no row
    assert report.hsn_b2b[1].description == "Parle-G 800 g"


def test_document_summary_counts_every_number_used_and_the_cancelled_one(month):
    rows = documents_issued(start=today(), end=today())
    assert [(r.nature, r.first, r.last, r.total, r.cancelled, r.net_issued) for r in rows] == [
        (1, month.sale1.number, month.cancelled.number, 6, 1, 5),
        (5, month.return1.number, month.return5.number, 3, 0, 3)]


def test_a_cancelled_invoice_counts_only_as_a_cancelled_number(month):
    report = gstr1(month=today())
    listed = {doc.number for doc in report.b2b + report.b2cl}
    assert month.cancelled.number not in listed and month.cancelled.status == "cancelled"
    assert gst_summary(start=today(), end=today()).sales.taxable == D("104028.33")  # without its 84.75


def test_sales_and_returns_of_another_month_are_left_out(month):
    last_month = today().replace(day=1) - timedelta(days=1)
    move_to(last_month, month.sale3)
    report = gstr1(month=today())
    assert [doc.number for doc in report.b2b] == [month.sale2.number]
    earlier = gstr1(month=last_month)
    assert [doc.number for doc in earlier.b2b] == [month.sale3.number]
    assert [(r.first, r.last, r.total) for r in earlier.documents] == [(month.sale3.number,) * 2 + (1,)]


def test_before_may_2025_the_hsn_summary_is_one_table(month):
    move_to(date(2025, 4, 10), *everything(month))
    report = gstr1(month=date(2025, 4, 1))
    assert not report.hsn_split and report.hsn_b2b == []
    assert [(r.hsn, r.quantity) for r in report.hsn_b2c] == [("0405", 1), ("1006", 1), ("1905", 14)]


def test_before_august_2024_an_inter_state_bill_is_b2cl_only_above_two_and_a_half_lakh(month):
    move_to(date(2024, 7, 15), *everything(month))
    report = gstr1(month=date(2024, 7, 1))
    assert report.b2cl == [] and report.cdnur == []
    # the television and its return both land in B2CS and cancel out
    assert [(r.supply_type, r.place_of_supply, r.amounts.taxable) for r in report.b2cs] == [
        ("INTRA", "27", D("163.83")), ("INTER", "29", D("84.75"))]


@pytest.mark.parametrize(("day", "limit"), [
    (date(2024, 7, 31), D("250000")), (date(2024, 8, 1), D("100000")), (date(2026, 11, 25), D("100000"))])
def test_the_b2cl_limit_by_date(day, limit):
    assert b2cl_limit(day) == limit


@pytest.mark.parametrize(("code", "uqc"), [
    ("pcs", "NOS"), ("kg", "KGS"), ("g", "GMS"), ("l", "LTR"), ("ml", "MLT"), ("m", "MTR"), ("box", "BOX"),
    ("pack", "PAC"), ("dozen", "DOZ"), ("pair", "PRS"), ("set", "SET")])
def test_galla_units_map_to_gst_unit_codes(code, uqc):
    assert uqc_of(code, uqc_codes()) == uqc


def test_a_unit_with_an_unknown_code_is_filed_as_others(db):
    factories.unit("kg").__class__.objects.create(code="thaal", name="Thaal", uqc="XYZ")
    factories.unit("kg").__class__.objects.create(code="tin", name="Tin", uqc="")
    codes = uqc_codes()
    assert (uqc_of("thaal", codes), uqc_of("tin", codes), uqc_of("gone", codes)) == ("OTH", "CAN", "OTH")


def test_the_returns_take_the_same_number_of_queries_however_many_bills(month, stocked, cashier, manager):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as first:
            gstr1(month=today())
        with CaptureQueriesContext(connection) as second:
            gstr3b(month=today())
        return len(first), len(second)

    before = queries()
    extra = stocked(name="Soap", selling_price=D("45"), hsn_code="3401")
    for buyer in (month.sale2.customer, month.sale3.customer, month.sale4.customer, None):
        give_back(sell(manager, (extra, "2", "0"), customer=buyer), manager, "1")
    assert queries() == before


def test_the_reports_seam_offers_gst_summary():
    from reports import gst, selectors

    assert selectors.gst_summary is gst.gst_summary
