"""Import and export through the admin: the preview and confirm steps, and who may do what."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog.models import Category, Product, Stock, StockMovement
from tests import factories
from tests.catalog.test_import import DATA, make_catalogue, make_stocked_products

pytestmark = pytest.mark.django_db
FORMAT_INDEX = {"csv": "0", "xlsx": "1"}  # the order of ShopImportExportMixin.import_formats


@pytest.fixture
def catalogue(db):
    make_catalogue()


def url(model: str, view: str) -> str:
    return reverse(f"admin:catalog_{model}_{view}")


def preview(client, model: str, name: str):
    """Post the import form (the dry run that shows the preview or the errors)."""
    with (DATA / name).open("rb") as upload:
        return client.post(url(model, "import"), {
            "resource": "0", "format": FORMAT_INDEX[name.rsplit(".", 1)[1]], "import_file": upload})


def confirm(client, model: str, preview_response):
    """Post the confirm form the preview offered."""
    form = preview_response.context["confirm_form"]
    return client.post(url(model, "process_import"), form.initial)


def export_rows(client, model: str) -> list[list[str]]:
    response = client.post(url(model, "export"), {"resource": "0", "format": "0"})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_owner_imports_products_through_the_preview_and_confirm_steps(client, owner, catalogue, fmt):
    client.force_login(owner)
    response = preview(client, "product", f"products.{fmt}")
    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert "बासमती चावल 5 kg" in response.content.decode()
    assert not Product.objects.exists()  # the preview is a dry run

    response = confirm(client, "product", response)
    assert response.status_code == 302
    assert Product.objects.count() == 5
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Imported 5 rows of products: 5 new, 0 updated, 0 unchanged."]


def test_admin_preview_names_each_bad_row_and_offers_no_confirm(client, owner, catalogue):
    client.force_login(owner)
    response = preview(client, "product", "products_bad.csv")
    page = response.content.decode()
    invalid = {row.number: row.field_specific_errors for row in response.context["result"].invalid_rows}
    assert "confirm_form" not in response.context
    assert sorted(invalid) == list(range(3, 11))
    assert invalid[3]["category"][0].startswith('Unknown category "Snaks"')
    assert "Selling price cannot be negative (-5)." in page
    assert not Product.objects.exists()


def test_confirm_imports_nothing_when_a_row_went_bad_after_the_preview(client, owner, catalogue):
    client.force_login(owner)
    response = preview(client, "product", "products.csv")
    Category.objects.filter(name="Festive").delete()  # someone deletes a category before the owner confirms
    response = confirm(client, "product", response)
    assert response["Location"] == url("product", "import")
    message = str(next(iter(get_messages(response.wsgi_request))))
    assert message.startswith("Nothing was imported")
    assert 'Row 5, category: Unknown category "Festive"' in message
    assert not Product.objects.exists()


def test_unreadable_file_is_explained_on_the_import_form(client, owner, catalogue):
    client.force_login(owner)
    response = preview(client, "product", "products_latin1.csv")
    assert "CSV UTF-8" in str(response.context["form"].errors["import_file"])


def test_manager_can_import_products(client, manager, catalogue):
    client.force_login(manager)
    response = confirm(client, "product", preview(client, "product", "products.csv"))
    assert response.status_code == 302
    assert Product.objects.count() == 5


def test_cashier_gets_403_on_the_import_pages(client, cashier):
    client.force_login(cashier)
    assert client.get(url("product", "import")).status_code == 403
    assert client.post(url("product", "process_import"), {}).status_code == 403
    assert client.get(url("stock", "import")).status_code == 403


def test_cashier_sees_export_but_no_import_button(client, cashier):
    client.force_login(cashier)
    page = client.get(url("product", "changelist")).content.decode()
    assert url("product", "export") in page
    assert url("product", "import") not in page


@pytest.mark.parametrize("model", ["category", "brand", "supplier", "product", "stock"])
def test_owner_sees_import_and_export_on_each_catalogue_list(client, owner, model):
    client.force_login(owner)
    page = client.get(url(model, "changelist")).content.decode()
    assert url(model, "import") in page and url(model, "export") in page


def test_cashier_export_has_no_cost_column(client, cashier):
    factories.ProductFactory(sku="TEA-250", cost_price="71.25")
    client.force_login(cashier)
    header, *rows = export_rows(client, "product")
    assert "cost_price" not in header
    assert "71.25" not in {cell for row in rows for cell in row}


def test_owner_export_has_the_cost_column_and_a_bom_for_excel(client, owner):
    factories.ProductFactory(sku="TEA-250", name="चाय 250 g", cost_price="71.25")
    client.force_login(owner)
    response = client.post(url("product", "export"), {"resource": "0", "format": "0"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row[header.index("cost_price")] == "71.25"
    assert row[header.index("name")] == "चाय 250 g"


def test_cashier_stock_export_has_no_unit_cost(client, owner, cashier, catalogue):
    make_stocked_products()
    client.force_login(owner)
    confirm(client, "stock", preview(client, "stock", "opening_stock.csv"))
    client.force_login(cashier)
    header, *rows = export_rows(client, "stock")
    assert header == ["sku", "warehouse", "quantity"]
    assert ["RICE-5KG", "Shop floor", "12.000"] in rows


def test_owner_imports_opening_stock_on_the_stock_list(client, owner, catalogue):
    make_stocked_products()
    client.force_login(owner)
    response = confirm(client, "stock", preview(client, "stock", "opening_stock.xlsx"))
    assert response.status_code == 302
    assert Stock.objects.get(product__sku="DAL-LOOSE", warehouse__name="Godown").quantity == Decimal("1250.5")
    assert StockMovement.objects.filter(kind="opening", user=owner).count() == 3
