"""Importing catalogue files through the service layer (catalog.importing.import_file) and the resources.

The files are real ones under tests/data/; a bad file must import nothing and name each bad row
(the header is row 1) and column in plain words.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from catalog import resources
from catalog.import_widgets import parse_decimal
from catalog.importing import RowError, import_file, read_dataset
from catalog.models import Brand, Category, Product, Stock, StockMovement, Supplier, Warehouse
from catalog.resources import OpeningStockResource, ProductResource
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
DATA = Path(__file__).resolve().parent.parent / "data"
FORMATS = ["csv", "xlsx"]


def make_catalogue() -> None:
    """Create the categories, brands and warehouse the files under tests/data refer to."""
    groceries = factories.CategoryFactory(name="Groceries")
    factories.CategoryFactory(name="Rice", parent=groceries)
    factories.CategoryFactory(name="Dal", parent=groceries)
    factories.CategoryFactory(name="Snacks")
    factories.CategoryFactory(name="Festive")
    factories.BrandFactory(name="India Gate")
    factories.BrandFactory(name="Amul")
    factories.WarehouseFactory(name="Godown")


def make_stocked_products() -> None:
    """Create the products the opening-stock files refer to: rice by the piece, dal loose by the kg."""
    factories.ProductFactory(sku="RICE-5KG", name="Basmati rice 5 kg", unit=factories.unit("pcs"))
    factories.ProductFactory(sku="DAL-LOOSE", name="Toor dal", unit=factories.unit("kg"))


@pytest.fixture
def catalogue(db):
    make_catalogue()


@pytest.fixture
def stocked_products(catalogue):
    make_stocked_products()


def run(kind: str, name: str, *, user=None, dry_run: bool = False):
    return import_file(kind=kind, path_or_bytes=DATA / name, user=user, dry_run=dry_run)


def error_at(report, row: int, column: str) -> RowError:
    matches = [error for error in report.errors if error.row == row and error.column == column]
    assert matches, f"no error at row {row}, {column}: {report.errors}"
    return matches[0]


# --- Reading numbers and files -------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    ("1250.50", D("1250.50")),
    ("1,250.50", D("1250.50")),
    ("1,25,000", D("125000")),
    ("12,34,567.89", D("1234567.89")),
    ("1,250,000", D("1250000")),
    ("₹ 99", D("99")),
    ("Rs. 250/-", D("250")),
    (" 42 ", D("42")),
    ("-5", D("-5")),
    (1200, D("1200")),
    (19.99, D("19.99")),
    (18.0, D("18")),
    ("", None),
    (None, None),
])
def test_parse_decimal_reads_numbers_as_shops_write_them(cell, expected):
    assert parse_decimal(cell) == expected


@pytest.mark.parametrize("cell", ["ten", "1,25", "1,2,3", "12.5.1", "1.250,50", True])
def test_parse_decimal_refuses_what_is_not_clearly_a_number(cell):
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(cell)


def test_csv_with_a_bom_reads_its_first_header():
    dataset = read_dataset((DATA / "products.csv").read_bytes(), file_name="products.csv")
    assert dataset.headers[0] == "sku"


def test_csv_not_saved_as_utf8_is_refused_with_advice():
    report = run("products", "products_latin1.csv")
    assert not report.ok
    assert "CSV UTF-8" in report.errors[0].message
    assert not Product.objects.exists()


def test_unknown_and_missing_columns_are_named_on_the_header_row(catalogue):
    report = run("products", "products_wrong_columns.csv")
    assert {(e.row, e.column) for e in report.errors} == {(1, "code"), (1, "seling_price"), (1, "sku")}
    assert "Unknown column" in error_at(report, 1, "seling_price").message
    assert 'no "sku" column' in error_at(report, 1, "sku").message


# --- Products -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_products_file_imports_hindi_names_and_separated_numbers(catalogue, fmt):
    report = run("products", f"products.{fmt}")
    assert report.saved, report.errors
    assert report.new == 5
    rice = Product.objects.get(sku="RICE-5KG")
    assert rice.name == "बासमती चावल 5 kg"
    assert (rice.mrp, rice.selling_price, rice.cost_price) == (D("1250.50"), D("1200"), D("950.75"))
    assert (rice.category.name, rice.brand.name, rice.unit.code, rice.tax_rate.rate) == ("Rice", "India Gate", "pcs",
                                                                                          D("5"))
    assert rice.barcode == "8901030865275"
    gold = Product.objects.get(sku="GOLD-10G")
    assert (gold.mrp, gold.selling_price, gold.cost_price, gold.tax_rate.rate) == (D("125000"), D("125000"),
                                                                                  D("110000"), D("3"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_products_file_reads_codes_paths_and_yes_no_columns(catalogue, fmt):
    run("products", f"products.{fmt}")
    ghee = Product.objects.get(sku="GHEE-1L")
    dal = Product.objects.get(sku="DAL-LOOSE")
    chips = Product.objects.get(sku="CHIPS-50")
    assert (ghee.name, ghee.hsn_code, ghee.tax_rate.name) == ("நெய் 1 லி", "0405", "GST 5%")
    assert (dal.category.parent.name, dal.category.name, dal.unit.code) == ("Groceries", "Dal", "kg")
    assert (dal.tax_inclusive, dal.reorder_level, dal.mrp, dal.brand) == (False, D("1000"), None, None)
    assert (chips.tax_rate.rate, chips.barcode, chips.hsn_code) == (D("18"), "8904000000010", "1905")


def test_importing_the_same_file_again_leaves_every_product_unchanged(catalogue):
    run("products", "products.csv")
    report = run("products", "products.csv")
    assert (report.new, report.updated, report.unchanged) == (0, 0, 5)
    assert Product.objects.count() == 5


def test_import_updates_the_product_with_the_same_sku(catalogue):
    chips = factories.ProductFactory(sku="CHIPS-50", name="Old chips", selling_price=D("10"))
    report = run("products", "products.csv")
    assert (report.new, report.updated) == (4, 1)
    chips.refresh_from_db()
    assert (chips.name, chips.selling_price) == ("Chips 50 g", D("20"))


def test_price_list_with_only_some_columns_changes_only_those(catalogue):
    chips = factories.ProductFactory(sku="CHIPS-50", name="Chips", barcode="8904000000010", cost_price=D("15"))
    report = run("products", "products_price_list.csv")
    assert report.updated == 1, report.errors
    chips.refresh_from_db()
    assert (chips.selling_price, chips.name, chips.barcode, chips.cost_price) == (D("1022.50"), "Chips",
                                                                                 "8904000000010", D("15"))


def test_import_records_history_with_the_importing_user(catalogue, owner):
    run("products", "products.csv", user=owner)
    history = Product.history.filter(sku="RICE-5KG").get()
    assert (history.history_type, history.history_user) == ("+", owner)


def test_dry_run_checks_the_file_and_saves_nothing(catalogue):
    report = run("products", "products.csv", dry_run=True)
    assert report.ok and not report.saved
    assert report.new == 5
    assert not Product.objects.exists()


def test_import_with_one_bad_row_imports_nothing_and_names_the_row(catalogue):
    report = run("products", "products_one_bad_row.csv")
    assert [(e.row, e.column) for e in report.errors] == [(4, "category")]
    assert report.errors[0].message.startswith('Unknown category "Biscuts"')
    assert not Product.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("row", "column", "message"), [
    (3, "category", 'Unknown category "Snaks"'),
    (4, "selling_price", "Selling price cannot be negative (-5)."),
    (5, "sku", 'SKU "GOOD-1" is already on row 2 of this file.'),
    (6, "barcode", "Barcode 8901234567891 has a wrong check digit (expected 0)"),
    (7, "unit", 'Unknown unit "kilo". Use one of: box, dozen, g, kg, l, m, ml, pack, pair, pcs, set.'),
    (8, "tax_rate", 'Unknown GST rate "17". Use one of: 0, 0.25, 3, 5, 18, 40'),
    (9, "hsn_code", "An HSN code has 4, 6 or 8 digits."),
    (10, "selling_price", '"ten" is not a number.'),
])
def test_bad_products_file_names_each_bad_row_column_and_problem(catalogue, fmt, row, column, message):
    report = run("products", f"products_bad.{fmt}")
    assert error_at(report, row, column).message.startswith(message)
    assert not Product.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_products_file_blames_only_the_bad_rows(catalogue, fmt):
    report = run("products", f"products_bad.{fmt}")
    assert {error.row for error in report.errors} == set(range(3, 11))


def test_barcode_of_another_product_is_refused(catalogue):
    factories.ProductFactory(sku="OLD-RICE", barcode="8901030865275")
    report = run("products", "products.csv")
    assert error_at(report, 2, "barcode").message == (
        'Barcode 8901030865275 already belongs to the product with SKU "OLD-RICE".')
    assert Product.objects.count() == 1


def test_cashier_may_not_import(catalogue, cashier):
    with pytest.raises(PermissionDenied):
        run("products", "products.csv", user=cashier)
    assert not Product.objects.exists()


def test_manager_may_import(catalogue, manager):
    assert run("products", "products.csv", user=manager).saved


# --- Bulk mode ------------------------------------------------------------------------------------


def test_each_referenced_table_is_read_once_per_import(catalogue):
    with CaptureQueriesContext(connection) as queries:
        report = run("products", "products.csv")
    assert report.saved
    for table in ("catalog_category", "catalog_brand", "catalog_unit", "catalog_taxrate"):
        reads = [q["sql"] for q in queries.captured_queries
                 if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]]
        assert len(reads) == 1, (table, reads)


def test_a_failing_batch_leaves_no_partial_import(catalogue, monkeypatch):
    monkeypatch.setattr(ProductResource._meta, "batch_size", 2)
    real_bulk_create = resources.bulk_create_with_history
    batches = []

    def second_batch_fails(objs, model, **kwargs):
        batches.append(len(objs))
        if len(batches) == 2:
            raise IntegrityError("the database refused this batch")
        return real_bulk_create(objs, model, **kwargs)

    monkeypatch.setattr(resources, "bulk_create_with_history", second_batch_fails)
    report = run("products", "products.csv")
    assert batches[:2] == [2, 2]
    assert not report.ok
    assert "the database refused this batch" in report.errors[0].message
    assert not Product.objects.exists()


# --- Opening stock ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_opening_stock_is_written_as_opening_movements(stocked_products, fmt):
    report = run("opening-stock", f"opening_stock.{fmt}")
    assert report.saved, report.errors
    rows = Stock.objects.select_related("product", "warehouse")
    stock = {(row.product.sku, row.warehouse.name): row.quantity for row in rows}
    assert stock == {("RICE-5KG", "Shop floor"): D("12"), ("DAL-LOOSE", "Godown"): D("1250.5"),
                     ("DAL-LOOSE", "Shop floor"): D("25.25")}
    assert set(StockMovement.objects.values_list("kind", flat=True)) == {StockMovement.Kind.OPENING}


def test_imported_opening_stock_equals_the_sum_of_its_movements(stocked_products):
    run("opening-stock", "opening_stock.csv")
    for row in Stock.objects.all():
        moved = StockMovement.objects.filter(product=row.product, warehouse=row.warehouse).aggregate(t=Sum("quantity"))
        assert row.quantity == moved["t"]


def test_opening_stock_movements_keep_unit_cost_and_user(stocked_products, owner):
    run("opening-stock", "opening_stock.csv", user=owner)
    movement = StockMovement.objects.get(product__sku="RICE-5KG")
    assert (movement.unit_cost, movement.user, movement.reference) == (D("950.75"), owner,
                                                                       "Opening stock opening_stock.csv")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("row", "column", "message"), [
    (3, "sku", 'Unknown SKU "NO-SUCH". Import the product first'),
    (4, "warehouse", 'Unknown warehouse "Back room". Use one of: Godown, Shop floor.'),
    (5, "quantity", '"ten" is not a number.'),
    (6, "quantity", "Basmati rice 5 kg is counted in whole pcs: 1.5 is not a whole number."),
    (7, "sku", 'SKU "RICE-5KG" in Shop floor is already on row 2 of this file.'),
    (8, "quantity", "Opening stock must be more than zero."),
])
def test_bad_opening_stock_file_names_each_bad_row(stocked_products, fmt, row, column, message):
    report = run("opening-stock", f"opening_stock_bad.{fmt}")
    assert error_at(report, row, column).message.startswith(message)
    assert not StockMovement.objects.exists()
    assert not Stock.objects.filter(quantity__gt=0).exists()


def test_opening_stock_is_refused_where_stock_has_already_moved(stocked_products):
    run("opening-stock", "opening_stock.csv")
    report = run("opening-stock", "opening_stock.csv")
    assert "already has stock movements in Shop floor" in error_at(report, 2, "sku").message
    assert Stock.objects.get(product__sku="RICE-5KG").quantity == D("12")


# --- Categories, brands, suppliers -----------------------------------------------------------------


def test_categories_file_creates_parents_before_their_children():
    report = run("categories", "categories.csv")
    assert report.saved, report.errors
    assert Category.objects.get(name="Rice").parent.name == "Groceries"
    assert Category.objects.get(name="दालें").parent.name == "Groceries"
    assert Category.objects.get(name="Snacks").parent is None


@pytest.mark.parametrize(("row", "column", "message"), [
    (4, "parent", "Categories go two levels deep at most"),
    (5, "parent", 'Unknown parent category "Snaks"'),
    (6, "name", 'Category "Groceries" is already on row 2 of this file.'),
])
def test_bad_categories_file_names_each_bad_row(db, row, column, message):
    report = run("categories", "categories_bad.csv")
    assert error_at(report, row, column).message.startswith(message)
    assert not Category.objects.exists()


def test_brands_file_imports_each_brand_once(db):
    factories.BrandFactory(name="Amul")
    report = run("brands", "brands.csv")
    assert (report.new, report.unchanged) == (2, 1)
    assert sorted(Brand.objects.values_list("name", flat=True)) == ["Amul", "Haldiram's", "India Gate"]


def test_suppliers_file_reads_gstin_state_and_a_two_line_address(db):
    report = run("suppliers", "suppliers.csv")
    assert report.saved, report.errors
    sharma = Supplier.objects.get(name="Sharma Traders")
    karnataka = Supplier.objects.get(name="Karnataka Foods")
    assert (sharma.state, sharma.address) == ("27", "Shop 4,\nAPMC Market, Vashi")
    assert (karnataka.gstin, karnataka.state) == ("29ABCDE1234F1ZW", "29")


def test_bad_gstin_is_named_by_the_row_the_spreadsheet_shows(db):
    report = run("suppliers", "suppliers_bad.csv")
    assert [(e.row, e.column) for e in report.errors] == [(3, "gstin")]
    assert "check digit is wrong" in report.errors[0].message
    assert not Supplier.objects.exists()


# --- Export ---------------------------------------------------------------------------------------


def test_product_export_leaves_out_cost_for_users_without_cost_rights(catalogue):
    run("products", "products.csv")
    assert "cost_price" in ProductResource().export().headers
    assert "cost_price" not in ProductResource(show_costs=False).export().headers


def test_exported_products_import_back_unchanged(catalogue):
    run("products", "products.csv")
    exported = ProductResource().export().export("csv").encode()
    report = import_file(kind="products", path_or_bytes=exported, user=None, file_name="export.csv")
    assert (report.unchanged, report.new, report.updated) == (5, 0, 0), report.errors


def test_stock_exports_as_an_opening_stock_sheet(stocked_products):
    run("opening-stock", "opening_stock.csv")
    dataset = OpeningStockResource().export(Stock.objects.all())
    assert dataset.headers == ["sku", "warehouse", "quantity", "unit_cost"]
    assert ["RICE-5KG", "Shop floor", "12.000", D("80.00")] in [list(row) for row in dataset]
    assert Warehouse.objects.count() == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_shop_needing_six_digit_hsn_refuses_four_digit_codes(catalogue, fmt):
    from shop.models import ShopProfile

    ShopProfile.objects.filter(pk=ShopProfile.objects.get_profile().pk).update(hsn_min_digits=6)
    report = run("products", f"products.{fmt}")
    assert not report.ok and not Product.objects.exists()
    assert "at least 6 digits" in error_at(report, 2, "hsn_code").message
