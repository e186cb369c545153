"""Exports neutralise spreadsheet formulas (OWASP CSV injection) and import back unchanged."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from catalog.admin_import import ShopImportExportMixin
from catalog.importing import import_file
from catalog.models import Product
from catalog.services import StockChange, stock_add_opening
from shop.spreadsheets import FORMULA_TRIGGERS, escape_dataset, escape_formula, unescape_formula
from tests import factories

pytestmark = pytest.mark.django_db
FORMATS = {"csv": "0", "xlsx": "1"}  # the order of ShopImportExportMixin.export_formats
PAYLOADS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+91 98200 12345", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\tTabbed", "\rReturned"]


@pytest.mark.parametrize(("value", "escaped"), [
    ("=1+1", "'=1+1"),
    ("+91 98200 12345", "'+91 98200 12345"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("-", "'-"),
    ("-5", "-5"),  # a plain number is no formula: it stays, and stays a number in Excel
    ("+2.50", "+2.50"),
    ("-0.125", "-0.125"),
    ("-٣", "'-٣"),  # only ASCII digits make a number
    ("Rice = 5 kg", "Rice = 5 kg"),
    ("'=already quoted", "'=already quoted"),
    ("", ""),
    (Decimal("-5"), Decimal("-5")),
    (-5, -5),
    (None, None),
])
def test_escape_formula_quotes_text_a_spreadsheet_would_run(value, escaped):
    assert escape_formula(value) == escaped


@given(st.text())
def test_escaped_text_never_starts_a_formula_and_reads_back(text):
    escaped = escape_formula(text)
    if escaped.startswith(FORMULA_TRIGGERS):
        assert re.fullmatch(r"[+-][0-9]*\.?[0-9]*", escaped) and escaped == text  # only a plain number
    if not text.startswith("'"):
        assert unescape_formula(escaped) == text


def test_escape_dataset_keeps_numbers_as_numbers():
    import tablib

    dataset = tablib.Dataset(["=1+1", Decimal("-5"), "-5", 7], headers=["name", "quantity", "text", "count"])
    assert list(escape_dataset(dataset)[0]) == ["'=1+1", Decimal("-5"), "-5", 7]


# --- Every admin export ---------------------------------------------------------------------------


def exporting_admins() -> list[str]:
    """Every admin with import-export buttons: a new one is tested without touching this file."""
    return sorted(f"{model._meta.app_label}_{model._meta.model_name}"
                  for model, model_admin in admin.site._registry.items()
                  if isinstance(model_admin, ShopImportExportMixin))


@pytest.fixture
def hostile_catalogue(db):
    """One record per catalogue list (and a customer), every text field holding a formula."""
    parent = factories.CategoryFactory(name=PAYLOADS[3])
    category = factories.CategoryFactory(name=PAYLOADS[2], parent=parent)
    brand = factories.BrandFactory(name=PAYLOADS[1])
    factories.SupplierFactory(name=PAYLOADS[4], address=PAYLOADS[5], phone="+91 98200 12345")
    product = factories.ProductFactory(sku="=SKU()", name=PAYLOADS[0], category=category, brand=brand,
                                       barcode="-8901", selling_price=Decimal("99.50"))
    warehouse = factories.WarehouseFactory(name="@Godown")
    stock_add_opening(entries=[StockChange(product, warehouse, Decimal("5"), Decimal("80"))], user=None,
                      reference="test")
    factories.CustomerFactory(name=PAYLOADS[0], phone="+919820012345", address=PAYLOADS[5], notes=PAYLOADS[4])


def export_cells(client, name: str, fmt: str) -> list[list]:
    response = client.post(reverse(f"admin:{name}_export"), {"resource": "0", "format": FORMATS[fmt]})
    assert response.status_code == 200, response.content[:500]
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_every_catalogue_list_exports():
    assert exporting_admins() == ["catalog_brand", "catalog_category", "catalog_product", "catalog_stock",
                                  "catalog_supplier", "ledger_customer"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", exporting_admins())
def test_no_exported_cell_starts_a_formula(client, owner, hostile_catalogue, name, fmt):
    client.force_login(owner)
    header, *rows = export_cells(client, name, fmt)
    texts = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert rows and texts
    for cell in texts:
        assert not cell.startswith(FORMULA_TRIGGERS) or escape_formula(cell) == cell, (name, cell)
    assert any(cell.startswith("'") and cell[1:2] in FORMULA_TRIGGERS for cell in texts)


@pytest.mark.parametrize("fmt", FORMATS)
def test_exported_formula_keeps_its_text_after_the_quote(client, owner, hostile_catalogue, fmt):
    client.force_login(owner)
    header, *rows = export_cells(client, "catalog_product", fmt)
    row = dict(zip(header, rows[0], strict=True))
    assert row["name"] == "'" + PAYLOADS[0]  # neither stripped of its "=" nor changed otherwise
    assert row["sku"] == "'=SKU()"
    assert row["barcode"] == "-8901"  # text, but a plain number: no formula, left as it is


def test_xlsx_export_keeps_prices_and_quantities_as_numbers(client, owner, hostile_catalogue):
    client.force_login(owner)
    header, *rows = export_cells(client, "catalog_product", "xlsx")
    assert dict(zip(header, rows[0], strict=True))["selling_price"] == 99.5
    header, *rows = export_cells(client, "catalog_stock", "xlsx")
    assert dict(zip(header, rows[0], strict=True))["quantity"] == 5


def test_xlsx_export_holds_no_formula_cells(client, owner, hostile_catalogue):
    client.force_login(owner)
    response = client.post(reverse("admin:catalog_product_export"), {"resource": "0", "format": "1"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert "f" not in {cell.data_type for row in sheet.iter_rows() for cell in row}


@pytest.mark.parametrize("fmt", FORMATS)
def test_exported_products_import_back_unchanged(client, owner, hostile_catalogue, fmt):
    client.force_login(owner)
    response = client.post(reverse("admin:catalog_product_export"), {"resource": "0", "format": FORMATS[fmt]})
    before = list(Product.objects.values_list("sku", "name", "barcode"))
    report = import_file(kind="products", path_or_bytes=response.content, user=owner, file_name=f"export.{fmt}")
    assert (report.unchanged, report.new, report.updated) == (1, 0, 0), report.errors
    assert list(Product.objects.values_list("sku", "name", "barcode")) == before == [
        ("=SKU()", PAYLOADS[0], "-8901")]
