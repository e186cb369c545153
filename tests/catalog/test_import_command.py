"""python manage.py import_catalog: the same all-or-nothing import from the shell."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Product, Stock
from tests.catalog.test_import import DATA, make_catalogue, make_stocked_products

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    make_catalogue()


def import_catalog(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_catalog", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_command_imports_a_file_and_shows_progress(catalogue, fmt):
    out, err = import_catalog("products", str(DATA / f"products.{fmt}"))
    assert "Imported 5 rows of products: 5 new, 0 updated, 0 unchanged." in out
    assert "[##############################] 100%  5/5 rows" in err
    assert Product.objects.count() == 5


def test_command_dry_run_saves_nothing(catalogue):
    out, _err = import_catalog("products", str(DATA / "products.csv"), "--dry-run")
    assert "Nothing was saved (dry run)" in out
    assert not Product.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_command_with_bad_rows_imports_nothing_and_lists_them(catalogue, fmt):
    with pytest.raises(CommandError) as raised:
        import_catalog("products", str(DATA / f"products_bad.{fmt}"))
    message = str(raised.value)
    assert message.startswith("Nothing was imported: 8 problem(s)")
    assert 'Row 3, category: Unknown category "Snaks"' in message
    assert "Row 10, selling_price: \"ten\" is not a number." in message
    assert not Product.objects.exists()


def test_command_imports_opening_stock(catalogue):
    make_stocked_products()
    import_catalog("opening-stock", str(DATA / "opening_stock.csv"))
    assert Stock.objects.get(product__sku="RICE-5KG", warehouse__name="Shop floor").quantity == 12


def test_command_refuses_other_file_types(tmp_path):
    (tmp_path / "products.ods").write_bytes(b"")
    with pytest.raises(CommandError, match=r"Import a \.csv or \.xlsx file"):
        import_catalog("products", str(tmp_path / "products.ods"))


def test_command_refuses_a_user_without_import_rights(catalogue, cashier):
    with pytest.raises(CommandError, match="Only an owner or a manager may import files."):
        import_catalog("products", str(DATA / "products.csv"), "--user", cashier.username)
    assert not Product.objects.exists()
