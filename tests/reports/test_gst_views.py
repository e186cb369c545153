"""The GST report pages: who may open them, the month picker, the downloads, and junk in the query string."""

import csv
import io
import json
from datetime import timedelta

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.pdf import drawn_fonts, pdfium_text
from tests.reports.gst_data import KUMAR_GSTIN, make_month

pytestmark = pytest.mark.django_db
PAGES = ("reports_gstr1", "reports_gstr3b", "reports_gstr1_json", "reports_gstr1_export", "reports_gstr1_pdf")


@pytest.fixture
def month(shop, stocked, cashier, manager):
    return make_month(stocked=stocked, cashier=cashier, manager=manager)


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def get(client, name: str, **query):
    return client.get(reverse(f"admin:{name}"), query)


@pytest.mark.parametrize("name", PAGES)
def test_a_cashier_never_opens_a_gst_report(client, shop, cashier, name):
    client.force_login(cashier)
    assert get(client, name, month=this_month()).status_code == 403


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_see_gstr1_sections_with_their_figures(client, month, request, role):
    client.force_login(request.getfixturevalue(role))
    page = get(client, "reports_gstr1", month=this_month())
    assert page.status_code == 200
    html = page.content.decode()
    for section in ("b2b", "b2cl", "b2cs", "nil", "cdnr", "cdnur", "hsn_b2b", "hsn_b2c", "docs"):
        assert f'id="section-{section}"' in html
    for figure in (KUMAR_GSTIN, month.sale2.number, "₹1,098.00", "₹1,01,694.92", "₹163.83", "₹14.75",
                   month.return2.number, "SKS/26-27/", "27-Maharashtra", "29-Karnataka"):
        assert figure in html, figure


def test_gstr3b_shows_the_liability_net_of_credit_notes(client, month, owner):
    client.force_login(owner)
    html = get(client, "reports_gstr3b", month=this_month()).content.decode()
    assert "(a) Outward taxable supplies" in html
    for figure in ("₹1,654.20", "₹33.96", "₹167.79", "₹60.00", "₹84.75", "₹15.25"):
        assert figure in html, figure


def test_without_a_month_the_page_shows_last_month(client, shop, owner):
    client.force_login(owner)
    last = timezone.localdate().replace(day=1) - timedelta(days=1)
    html = get(client, "reports_gstr1").content.decode()
    assert f"{last:%B %Y}" in html


@pytest.mark.parametrize("bad", ["2026-13", "26-11", "1999-01", "2017-06", "2999-01", "november", "2026-1",
                                 "\x00", "9" * 400])
def test_a_bad_month_is_a_form_error_and_a_400_for_downloads(client, shop, owner, bad):
    client.force_login(owner)
    page = get(client, "reports_gstr1", month=bad)
    assert page.status_code == 200 and page.context["form"].errors
    assert 'id="section-b2b"' not in page.content.decode()
    for name in ("reports_gstr1_json", "reports_gstr1_export", "reports_gstr1_pdf"):
        assert get(client, name, month=bad).status_code == 400


def test_the_json_download_is_the_portal_file(client, month, owner):
    client.force_login(owner)
    response = get(client, "reports_gstr1_json", month=this_month())
    fp = f"{timezone.localdate():%m%Y}"
    assert response["Content-Type"] == "application/json"
    assert f'filename="GSTR1_27AAPFU0939F1ZV_{fp}.json"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert (data["gstin"], data["fp"]) == ("27AAPFU0939F1ZV", fp) and data["b2b"][0]["ctin"] == KUMAR_GSTIN


def test_without_a_shop_gstin_there_is_no_json(client, shop, owner):
    shop.gstin = ""
    shop.save()
    client.force_login(owner)
    response = get(client, "reports_gstr1_json", month=this_month())
    assert response.status_code == 400 and b"no GSTIN" in response.content
    assert 'id="no-gstin"' in get(client, "reports_gstr1", month=this_month()).content.decode()


def test_a_section_exports_as_csv_with_its_totals(client, month, owner):
    client.force_login(owner)
    response = get(client, "reports_gstr1_export", month=this_month(), section="b2cs", format="csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Supply", "Place of supply", "Rate", "Taxable value", "IGST", "CGST", "SGST", "Cess"]
    assert rows[1] == ["Intra-state", "27-Maharashtra", "18.00", "163.83", "0.00", "14.75", "14.75", "0.00"]
    assert rows[-1][0] == "Total" and rows[-1][3] == "248.58"


def test_all_sections_export_as_one_workbook(client, month, owner):
    client.force_login(owner)
    response = get(client, "reports_gstr1_export", month=this_month(), section="all", format="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["b2b", "b2cl", "b2cs", "nil", "cdnr", "cdnur", "hsn_b2b", "hsn_b2c", "docs"]
    hsn = list(book["hsn_b2b"].iter_rows(values_only=True))
    assert hsn[2][:4] == ("1905", "Parle-G 800 g", "NOS", 11)


def test_a_customer_name_that_looks_like_a_formula_is_exported_as_text(client, month, owner):
    month.sale2.customer.name = "=HYPERLINK(1)"
    month.sale2.customer.save()
    client.force_login(owner)
    body = get(client, "reports_gstr1_export", month=this_month(), section="b2b", format="csv").content.decode()
    assert "'=HYPERLINK(1)" in body


@pytest.mark.parametrize(("query", "problem"), [
    ({"section": "b2b", "format": "pdf"}, b"format"), ({"section": "nope", "format": "csv"}, b"section"),
    ({"section": "all", "format": "csv"}, b"section")])
def test_an_unknown_section_or_format_is_a_400(client, shop, owner, query, problem):
    client.force_login(owner)
    response = get(client, "reports_gstr1_export", month=this_month(), **query)
    assert response.status_code == 400 and problem in response.content


def test_the_printed_gstr1_uses_the_invoice_fonts(client, month, owner):
    client.force_login(owner)
    response = get(client, "reports_gstr1_pdf", month=this_month())
    assert response["Content-Type"] == "application/pdf"
    text = pdfium_text(response.content)
    for expected in ("Sharma Kirana Store", "GSTR-1", f"{timezone.localdate():%B %Y}", "B2B invoices", KUMAR_GSTIN,
                     "₹1,098.00", "Documents issued", "Page 1 of"):
        assert expected in text, expected
    assert {font.name for font in drawn_fonts(response.content)} <= {"Mukta-Regular", "Mukta-Bold"}


def test_the_reports_page_lists_the_gst_returns(client, shop, owner):
    client.force_login(owner)
    html = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert reverse("admin:reports_gstr1") in html and reverse("admin:reports_gstr3b") in html
    assert reverse("admin:ledger_customer_ageing") in html and reverse("admin:ledger_dayclosing_changelist") in html


QUERY_JUNK = st.dictionaries(
    st.sampled_from(["month", "section", "format", "page"]),
    st.one_of(st.text(max_size=20), st.sampled_from(["2026-02", "2017-07", "0000-00", "2026-00", "-1", "", "%00",
                                                      "2026-02-30", "٢٠٢٦-٠٢", "2026-02\n", "all", "xlsx", "csv"])),
    max_size=4)


@given(query=QUERY_JUNK)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_junk_in_the_query_string_is_never_a_server_error(client, shop, owner, query):
    client.force_login(owner)
    with transaction.atomic():
        for name in PAGES:
            response = get(client, name, **query)
            assert response.status_code in (200, 400), (name, query, response.status_code)
        transaction.set_rollback(True)
