from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import PurchaseReceipt, Stock, StockMovement, StockTransfer, Warehouse
from catalog.selectors import suggested_order_quantity
from catalog.services import StockChange, stock_add_opening
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def shop_floor():
    return Warehouse.objects.get(is_default=True)


def with_opening_stock(product, warehouse, quantity, user=None):
    stock_add_opening(entries=[StockChange(product, warehouse, D(quantity))], user=user)
    return product


def inline(prefix: str, rows: list[dict]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_product_list_shows_stock_on_hand_without_a_query_per_row(client, owner, shop_floor):
    client.force_login(owner)
    url = reverse("admin:catalog_product_changelist")
    with_opening_stock(factories.ProductFactory(name="Rice", unit=factories.unit("kg")), shop_floor, "12.5", owner)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert "12.5 kg" in response.content.decode()
    for _ in range(30):
        with_opening_stock(factories.ProductFactory(), shop_floor, "3", owner)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


@pytest.mark.parametrize(("choice", "expected"), [("low", {"Low", "Empty"}), ("out", {"Empty"})])
def test_product_list_filters_by_stock_level(client, owner, shop_floor, choice, expected):
    client.force_login(owner)
    with_opening_stock(factories.ProductFactory(name="Plenty", reorder_level=D("5")), shop_floor, "50")
    with_opening_stock(factories.ProductFactory(name="Low", reorder_level=D("5")), shop_floor, "5")
    factories.ProductFactory(name="Empty", reorder_level=D("5"))
    response = client.get(reverse("admin:catalog_product_changelist"), {"stock": choice})
    assert {p.name for p in response.context["cl"].result_list} == expected


def test_product_page_shows_its_stock_and_last_movements(client, owner, shop_floor):
    client.force_login(owner)
    product = with_opening_stock(factories.ProductFactory(), shop_floor, "7", owner)
    page = client.get(reverse("admin:catalog_product_change", args=[product.pk])).content.decode()
    assert 'id="last-movements"' in page and "Opening stock" in page and "+7" in page


def test_low_stock_page_lists_products_at_or_below_their_level_with_a_suggestion(client, cashier, shop_floor):
    client.force_login(cashier)
    with_opening_stock(factories.ProductFactory(name="Atta", reorder_level=D("10"), reorder_quantity=D("24")),
                       shop_floor, "4")
    with_opening_stock(factories.ProductFactory(name="Salt", reorder_level=D("10")), shop_floor, "30")
    response = client.get(reverse("admin:catalog_product_low_stock"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Atta" in html and "Salt" not in html
    assert [(p.name, p.suggested) for p in response.context["page"]] == [("Atta", D("24"))]


@pytest.mark.parametrize(("on_hand", "level", "reorder_quantity", "whole", "expected"), [
    ("4", "10", "24", True, "24"),       # the product's own reorder quantity
    ("4", "10", "0", True, "16"),        # none set: up to twice the level
    ("-6", "10", "12", True, "16"),      # oversold: at least back to the level
    ("2.5", "5", "0", False, "7.5"),     # loose goods keep fractions
    ("2.5", "5", "0", True, "8"),        # whole units round up
    ("0", "0", "0", True, "0"),          # no level, nothing to order
])
def test_suggested_order_quantity(on_hand, level, reorder_quantity, whole, expected):
    assert suggested_order_quantity(on_hand=D(on_hand), level=D(level), reorder_quantity=D(reorder_quantity),
                                    whole_units=whole) == D(expected)


def test_purchase_receipt_is_drafted_then_received_in_the_admin(client, manager, shop_floor):
    client.force_login(manager)
    product = factories.ProductFactory(cost_price=D("0"))
    supplier = factories.SupplierFactory()
    data = {"supplier": supplier.pk, "bill_number": "GST/778", "bill_date": "2026-11-20", "warehouse": shop_floor.pk,
            "note": "", **inline("lines", [{"product": product.pk, "quantity": "10", "unit_cost": "42.50"}])}
    response = client.post(reverse("admin:catalog_purchasereceipt_add"), data)
    assert response.status_code == 302
    receipt = PurchaseReceipt.objects.get(bill_number="GST/778")
    assert receipt.is_draft and receipt.created_by == manager
    assert not Stock.objects.filter(product=product).exists()

    change_url = reverse("admin:catalog_purchasereceipt_change", args=[receipt.pk])
    assert b"Receive stock" in client.get(change_url).content
    line = receipt.lines.get()
    data.update({"lines-INITIAL_FORMS": "1", "lines-TOTAL_FORMS": "1", "lines-0-id": line.pk,
                 "lines-0-receipt": receipt.pk, "_apply": "1"})
    response = client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    receipt.refresh_from_db()
    product.refresh_from_db()
    assert receipt.status == "done"
    assert Stock.objects.get(product=product, warehouse=shop_floor).quantity == 10
    assert product.cost_price == D("42.50")
    page = client.get(change_url).content.decode()
    assert "Receive stock" not in page and 'name="_save"' not in page  # read-only once received


def test_transfer_that_would_oversell_shows_the_reason_and_stays_a_draft(client, owner, shop_floor):
    client.force_login(owner)
    store_room = factories.WarehouseFactory(name="Godown")
    product = with_opening_stock(factories.ProductFactory(name="Ghee 1 l"), store_room, "2")
    transfer = StockTransfer.objects.create(from_warehouse=store_room, to_warehouse=shop_floor)
    data = {"from_warehouse": store_room.pk, "to_warehouse": shop_floor.pk, "note": "", "_apply": "1",
            **inline("lines", [{"product": product.pk, "quantity": "5"}])}
    response = client.post(reverse("admin:catalog_stocktransfer_change", args=[transfer.pk]), data, follow=True)
    assert "Only 2 pcs of Ghee 1 l in Godown; this needs 5 pcs." in messages_of(response)
    transfer.refresh_from_db()
    assert transfer.is_draft and transfer.lines.count() == 1
    assert not StockMovement.objects.filter(kind__startswith="transfer").exists()


def test_stock_page_records_an_adjustment_with_its_reason(client, manager, shop_floor):
    client.force_login(manager)
    product = with_opening_stock(factories.ProductFactory(), shop_floor, "10")
    stock = Stock.objects.get(product=product)
    response = client.post(reverse("admin:catalog_stock_change", args=[stock.pk]),
                           {"location": "Rack 3", "adjust_by": "-2", "reason": "expiry", "note": "Batch 44"})
    assert response.status_code == 302
    stock.refresh_from_db()
    assert (stock.quantity, stock.location) == (8, "Rack 3")
    movement = StockMovement.objects.get(kind="adjustment")
    assert (movement.quantity, movement.reason, movement.note, movement.user) == (-2, "expiry", "Batch 44", manager)


def test_stock_page_asks_why_before_adjusting(client, manager, shop_floor):
    client.force_login(manager)
    product = with_opening_stock(factories.ProductFactory(), shop_floor, "10")
    stock = Stock.objects.get(product=product)
    response = client.post(reverse("admin:catalog_stock_change", args=[stock.pk]), {"adjust_by": "-2"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reason"] == ["Say why the stock changes."]
    stock.refresh_from_db()
    assert stock.quantity == 10


def test_movement_list_filters_by_kind_and_product(client, owner, shop_floor):
    client.force_login(owner)
    wanted = with_opening_stock(factories.ProductFactory(), shop_floor, "5")
    with_opening_stock(factories.ProductFactory(), shop_floor, "5")
    url = reverse("admin:catalog_stockmovement_changelist")
    response = client.get(url, {"kind__exact": "opening", "product__id__exact": wanted.pk})
    assert [m.product for m in response.context["cl"].result_list] == [wanted]


@pytest.mark.postgres
def test_postgres_has_trigram_indexes_for_product_search():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'catalog_product' AND indexname LIKE %s",
                       ["%trgm"])
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"product_name_upper_trgm", "product_sku_upper_trgm", "product_barcode_upper_trgm"}


@pytest.mark.parametrize(("min_digits", "hsn", "accepted"), [(4, "1905", True), (6, "1905", False),
                                                              (6, "190590", True), (6, "", True)])
def test_product_form_enforces_the_shops_hsn_length(client, owner, min_digits, hsn, accepted):
    from shop.models import ShopProfile

    ShopProfile.objects.filter(pk=ShopProfile.objects.get_profile().pk).update(hsn_min_digits=min_digits)
    client.force_login(owner)
    data = {"name": "Marie Gold", "sku": "MG-1", "barcode": "", "hsn_code": hsn, "unit": factories.unit("pcs").pk,
            "selling_price": "30", "tax_inclusive": "on", "tax_rate": factories.tax_rate("5").pk, "cost_price": "25",
            "reorder_quantity": "0", "is_active": "on", **inline("stocks", [])}
    response = client.post(reverse("admin:catalog_product_add"), data)
    assert (response.status_code == 302) is accepted
    if not accepted:
        assert "at least 6 digits" in response.context["adminform"].form.errors["hsn_code"][0]
