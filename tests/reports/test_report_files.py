"""A report's CSV, Excel and PDF: the page's figures, numbers as numbers, text safe from formulas."""

import csv
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from shop.spreadsheets import FORMULA_TRIGGERS
from tests.pdf import drawn_fonts, pdfium_text, pypdf_text, render_page

pytestmark = pytest.mark.django_db
MONTH = {"start": "2026-11-01", "end": "2026-11-30"}
HOSTILE = '=HYPERLINK("http://evil.example","Click")'


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def export(client, name: str, fmt: str, **query):
    return client.get(reverse(f"admin:reports_report_{name}_export"), {**MONTH, **query, "format": fmt})


def test_csv_holds_the_rows_and_the_totals(client, owner, november):
    client.force_login(owner)
    response = export(client, "sales_by_product", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="sales-by-product-20261101-20261130.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    assert csv_rows(response) == [
        ["Product", "SKU", "Sold", "Returned", "Net quantity", "Discount", "Sales", "Returns", "Net sales"],
        ["Atta 5 kg", "ATTA-5", "3.000", "0.00", "3.000", "30.00", "720.00", "0.00", "720.00"],
        ["Soap", "SOAP", "3.000", "1.000", "2.000", "0.00", "120.00", "40.00", "80.00"],
        ["Total", "", "", "", "", "30.00", "840.00", "40.00", "800.00"],
    ]


def test_xlsx_keeps_money_and_quantities_as_numbers(client, owner, november):
    client.force_login(owner)
    header, *rows = xlsx_rows(export(client, "sales_by_period", "xlsx"))
    assert header[:5] == ["Period", "Bills", "Gross", "Discount", "Billed"]
    assert rows[0] == ["02-11-2026 Mon", 2, 620, 20, 600, 0, 600, 558.84, 41.16]
    assert rows[-1][0] == "Total" and rows[-1][6] == 800


def test_slow_stock_file_writes_a_date_as_a_date_and_never_as_empty(client, owner, november):
    client.force_login(owner)
    rows = csv_rows(export(client, "slow_stock", "csv", days="10"))
    soap = next(row for row in rows if row[0] == "Soap")
    assert soap[3] == "2026-11-02"


@pytest.fixture
def hostile_sale(owner, stocked, shop):
    """A sale of a product whose name, SKU and category are formulas."""
    from sales.services import checkout
    from tests import factories
    from tests.reports.conftest import at

    product = stocked("5", name=HOSTILE, sku="@SUM(A1)", category=factories.CategoryFactory(name="+cmd|calc"),
                      brand=factories.BrandFactory(name="-2+3"))
    with at(10, 11):
        checkout(cashier=owner, lines=[{"product": product, "quantity": D("1")}],
                 payments=[{"method": "cash", "amount": D("100")}])
    return product


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ["sales_by_product", "sales_by_category", "sales_by_brand", "profit_by_product",
                                  "stock_on_hand", "stock_movements", "slow_stock"])
def test_no_exported_cell_starts_a_formula(client, owner, hostile_sale, name, fmt):
    client.force_login(owner)
    response = export(client, name, fmt, days="1")
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    texts = [cell for row in rows[1:] for cell in row if isinstance(cell, str) and cell]
    assert texts
    assert not [cell for cell in texts if cell.startswith(FORMULA_TRIGGERS)]
    assert any(cell.startswith("'") and cell[1:2] in FORMULA_TRIGGERS for cell in texts)


def test_exported_formula_keeps_its_text_after_the_quote(client, owner, hostile_sale):
    client.force_login(owner)
    rows = csv_rows(export(client, "sales_by_product", "csv"))
    assert rows[1][:2] == ["'" + HOSTILE, "'@SUM(A1)"]


def test_xlsx_export_holds_no_formula_cells(client, owner, hostile_sale):
    client.force_login(owner)
    response = export(client, "sales_by_product", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert "f" not in {cell.data_type for row in sheet.iter_rows() for cell in row}


# --- PDF ------------------------------------------------------------------------------------------


def pdf(client, name: str, **query) -> bytes:
    response = client.get(reverse(f"admin:reports_report_{name}_pdf"), {**MONTH, **query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_pdf_prints_the_figures_in_rupees_with_the_invoice_fonts(client, owner, november):
    client.force_login(owner)
    content = pdf(client, "sales_by_period")
    text = pdfium_text(content)
    for expected in ("Sharma Kirana Store", "SALES BY DAY, WEEK OR MONTH", "01-11-2026 to 30-11-2026",
                     "02-11-2026 Mon", "₹600.00", "-₹40.00", "₹753.52", "₹46.48", "₹800.00", "Page 1 of 1"):
        assert expected in text, expected
    assert "03-11-2026" not in text
    assert {font.name for font in drawn_fonts(content)} <= {"Mukta-Regular", "Mukta-Bold"}
    assert all(font.embedded for font in drawn_fonts(content))
    assert "₹800.00" in pypdf_text(content)


def test_pdf_groups_lakhs_the_indian_way(client, owner, stocked):
    stocked("10", name="Gold coin", cost_price=D("12345.67"))
    client.force_login(owner)
    assert "₹1,23,456.70" in pdfium_text(pdf(client, "stock_on_hand"))


def test_pdf_for_a_manager_has_no_cost_figures(client, manager, november):
    client.force_login(manager)
    text = pdfium_text(pdf(client, "stock_on_hand"))
    assert "Soap" in text and "Value at cost" not in text and "₹2,940.00" not in text


def test_pdf_of_many_rows_runs_onto_numbered_pages(client, owner, db, stocked):
    for number in range(90):
        stocked("1", name=f"Product {number:03d}")
    client.force_login(owner)
    text = pdfium_text(pdf(client, "stock_on_hand"))
    assert "Page 1 of 2" in text and "Page 2 of 2" in text and "(continued)" in text
    assert "Product 089" in text


def test_wide_reports_print_in_landscape(client, owner, november, tmp_path):
    client.force_login(owner)
    content = pdf(client, "stock_movements")
    page = render_page(content, dpi=50)
    assert page.width > page.height
    assert "At start" in pdfium_text(content)
