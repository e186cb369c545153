"""The GSTR-1 JSON for the GST portal's offline tool: its field names, formats and figures."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.gst import gstr1
from reports.gst_json import gstr1_portal_data, gstr1_portal_json
from tests.reports.gst_data import BENGALURU_GSTIN, KUMAR_GSTIN, make_month
from tests.reports.test_gst import everything, move_to

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def month(shop, stocked, cashier, manager):
    return make_month(stocked=stocked, cashier=cashier, manager=manager)


@pytest.fixture
def portal(month) -> dict:
    """The JSON as the offline tool reads it, amounts as Decimals (exactly what the text says)."""
    return json.loads(gstr1_portal_json(gstr1(month=timezone.localdate())), parse_float=Decimal)


def test_the_return_names_the_shop_and_the_period(portal, shop):
    today = timezone.localdate()
    assert (portal["gstin"], portal["fp"]) == ("27AAPFU0939F1ZV", f"{today:%m%Y}")
    assert set(portal) == {"gstin", "fp", "version", "hash", "b2b", "b2cl", "b2cs", "nil", "cdnr", "cdnur", "hsn",
                           "doc_issue"}


def test_b2b_invoices_are_grouped_by_the_buyers_gstin(portal, month):
    assert [group["ctin"] for group in portal["b2b"]] == [KUMAR_GSTIN, BENGALURU_GSTIN]
    kumar = portal["b2b"][0]["inv"][0]
    assert kumar == {
        "inum": month.sale2.number, "idt": f"{timezone.localdate():%d-%m-%Y}", "val": D("1098.00"), "pos": "27",
        "rchrg": "N", "inv_typ": "R",
        "itms": [{"num": 1, "itm_det": {"rt": 5, "txval": D("954.55"), "camt": D("23.86"), "samt": D("23.86"),
                                        "csamt": D("0.00")}},
                 {"num": 2, "itm_det": {"rt": 18, "txval": D("80.89"), "camt": D("7.28"), "samt": D("7.28"),
                                        "csamt": D("0.00")}}]}
    inter_state = portal["b2b"][1]["inv"][0]["itms"][0]["itm_det"]
    assert inter_state == {"rt": 18, "txval": D("847.46"), "iamt": D("152.54"), "csamt": D("0.00")}


def test_b2cl_b2cs_and_nil_sections(portal, month):
    assert portal["b2cl"] == [{"pos": "29", "inv": [{
        "inum": month.sale5.number, "idt": f"{timezone.localdate():%d-%m-%Y}", "val": D("120000.00"),
        "itms": [{"num": 1, "itm_det": {"rt": 18, "txval": D("101694.92"), "iamt": D("18305.08"),
                                        "csamt": D("0.00")}}]}]}]
    assert portal["b2cs"] == [
        {"sply_ty": "INTRA", "pos": "27", "typ": "OE", "rt": 18, "txval": D("163.83"), "camt": D("14.75"),
         "samt": D("14.75"), "csamt": D("0.00")},
        {"sply_ty": "INTER", "pos": "29", "typ": "OE", "rt": 18, "txval": D("84.75"), "iamt": D("15.25"),
         "csamt": D("0.00")}]
    assert portal["nil"] == {"inv": [{"sply_ty": "INTRAB2C", "expt_amt": D("0.00"), "nil_amt": D("60.00"),
                                      "ngsup_amt": D("0.00")}]}


def test_credit_notes_are_unsigned_and_marked_c(portal, month):
    day = f"{timezone.localdate():%d-%m-%Y}"
    assert portal["cdnr"] == [{"ctin": KUMAR_GSTIN, "nt": [{
        "ntty": "C", "nt_num": month.return2.number, "nt_dt": day, "val": D("501.00"), "pos": "27", "rchrg": "N",
        "inv_typ": "R", "itms": [{"num": 1, "itm_det": {"rt": 5, "txval": D("477.28"), "camt": D("11.93"),
                                                        "samt": D("11.93"), "csamt": D("0.00")}}]}]}]
    assert portal["cdnur"] == [{
        "typ": "B2CL", "ntty": "C", "nt_num": month.return5.number, "nt_dt": day, "val": D("120000.00"), "pos": "29",
        "itms": [{"num": 1, "itm_det": {"rt": 18, "txval": D("101694.92"), "iamt": D("18305.08"),
                                        "csamt": D("0.00")}}]}]


def test_hsn_summary_is_split_between_registered_and_unregistered_buyers(portal):
    assert set(portal["hsn"]) == {"hsn_b2b", "hsn_b2c"}
    assert portal["hsn"]["hsn_b2b"][1] == {
        "num": 2, "hsn_sc": "1905", "desc": "Parle-G 800 g", "uqc": "NOS", "qty": 11, "rt": 18, "txval": D("928.35"),
        "iamt": D("152.54"), "camt": D("7.28"), "samt": D("7.28"), "csamt": D("0.00")}
    assert [(row["num"], row["hsn_sc"], row["uqc"], row["qty"]) for row in portal["hsn"]["hsn_b2c"]] == [
        (1, "1006", "KGS", 1), (2, "1905", "NOS", 3)]


def test_document_summary_per_nature(portal, month):
    assert portal["doc_issue"] == {"doc_det": [
        {"doc_num": 1, "docs": [{"num": 1, "from": month.sale1.number, "to": month.cancelled.number, "totnum": 6,
                                 "cancel": 1, "net_issue": 5}]},
        {"doc_num": 5, "docs": [{"num": 1, "from": month.return1.number, "to": month.return5.number, "totnum": 3,
                                 "cancel": 0, "net_issue": 3}]}]}


def test_amounts_are_written_with_two_decimals_and_dates_day_first(month):
    text = gstr1_portal_json(gstr1(month=timezone.localdate()))
    assert '"val":1098.00' in text and '"csamt":0.00' in text
    amounts = re.findall(r'"(?:val|txval|iamt|camt|samt|csamt|nil_amt|expt_amt|ngsup_amt)":(-?[0-9.]+)', text)
    assert amounts and all(re.fullmatch(r"-?\d+\.\d\d", amount) for amount in amounts)
    dates = re.findall(r'"(?:idt|nt_dt)":"([^"]*)"', text)
    assert dates and all(re.fullmatch(r"\d\d-\d\d-\d{4}", day) for day in dates)


def test_before_may_2025_the_hsn_summary_is_under_data(month):
    move_to(date(2025, 4, 10), *everything(month))
    data = gstr1_portal_data(gstr1(month=date(2025, 4, 1)))
    assert data["fp"] == "042025" and set(data["hsn"]) == {"data"}
    assert [row["hsn_sc"] for row in data["hsn"]["data"]] == ["0405", "1006", "1905"]


def test_an_empty_month_has_only_the_mandatory_parts(shop):
    data = gstr1_portal_data(gstr1(month=date(2026, 1, 1)))
    assert data == {"gstin": "27AAPFU0939F1ZV", "fp": "012026", "version": data["version"], "hash": "hash",
                    "hsn": {"hsn_b2b": [], "hsn_b2c": []}}
