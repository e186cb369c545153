from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from catalog.models import (
    PurchaseLine,
    PurchaseReceipt,
    Stock,
    StockCount,
    StockCountLine,
    StockMovement,
    StockTransfer,
    StockTransferLine,
    Warehouse,
)
from catalog.services import (
    InsufficientStock,
    StockChange,
    stock_add_opening,
    stock_adjust,
    stock_count_apply,
    stock_move,
    stock_receive,
    stock_transfer,
)
from shop.models import ShopProfile
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def shop_floor():
    return Warehouse.objects.get(is_default=True)


@pytest.fixture
def store_room():
    return factories.WarehouseFactory(name="Store room")


def on_hand(product, warehouse) -> Decimal:
    return Stock.objects.get(product=product, warehouse=warehouse).quantity


def test_opening_stock_creates_the_row_and_one_movement(shop_floor, owner):
    product = factories.ProductFactory()
    [movement] = stock_add_opening(entries=[StockChange(product, shop_floor, D("12"))], user=owner)
    assert on_hand(product, shop_floor) == 12
    assert (movement.kind, movement.quantity, movement.balance_after, movement.user) == ("opening", 12, 12, owner)


def test_adjustment_records_reason_and_signed_quantity(shop_floor, owner):
    product = factories.ProductFactory()
    stock_add_opening(entries=[StockChange(product, shop_floor, D("10"))], user=owner)
    movement = stock_adjust(product=product, warehouse=shop_floor, quantity=D("-3"), reason="damage", user=owner,
                            note="Torn packets")
    assert on_hand(product, shop_floor) == 7
    assert (movement.reason, movement.quantity, movement.balance_after, movement.note) == (
        "damage", -3, 7, "Torn packets")


def test_adjustment_without_a_known_reason_is_refused(shop_floor, owner):
    product = factories.ProductFactory()
    with pytest.raises(ValidationError, match="Pick a reason"):
        stock_adjust(product=product, warehouse=shop_floor, quantity=D("1"), reason="", user=owner)


def test_sale_refuses_to_oversell_and_names_product_and_availability(shop_floor, owner):
    product = factories.ProductFactory(name="Surf Excel 1 kg")
    stock_add_opening(entries=[StockChange(product, shop_floor, D("3"))], user=owner)
    with pytest.raises(InsufficientStock) as refused:
        stock_move(changes=[StockChange(product, shop_floor, D("-5"))], kind="sale", user=owner)
    assert refused.value.messages == ["Only 3 pcs of Surf Excel 1 kg in Shop floor; this needs 5 pcs."]
    assert on_hand(product, shop_floor) == 3
    assert StockMovement.objects.filter(product=product).count() == 1


def test_a_refused_line_leaves_every_other_line_untouched(shop_floor, owner):
    plenty, scarce = factories.ProductFactory(), factories.ProductFactory()
    stock_add_opening(entries=[StockChange(plenty, shop_floor, D("50")), StockChange(scarce, shop_floor, D("1"))],
                      user=owner)
    with pytest.raises(InsufficientStock) as refused:
        stock_move(changes=[StockChange(plenty, shop_floor, D("-5")), StockChange(scarce, shop_floor, D("-2"))],
                   kind="sale", user=owner)
    assert [s.product for s in refused.value.shortages] == [scarce]
    assert (on_hand(plenty, shop_floor), on_hand(scarce, shop_floor)) == (50, 1)


def test_the_same_product_twice_is_checked_on_the_total(shop_floor, owner):
    product = factories.ProductFactory()
    stock_add_opening(entries=[StockChange(product, shop_floor, D("4"))], user=owner)
    with pytest.raises(InsufficientStock):
        stock_move(changes=[StockChange(product, shop_floor, D("-3")), StockChange(product, shop_floor, D("-2"))],
                   kind="sale", user=owner)


def test_shop_that_allows_negative_stock_can_sell_below_zero(shop_floor, owner):
    ShopProfile.objects.filter(pk=ShopProfile.objects.get_profile().pk).update(allow_negative_stock=True)
    product = factories.ProductFactory()
    [movement] = stock_move(changes=[StockChange(product, shop_floor, D("-2"))], kind="sale", user=owner)
    assert on_hand(product, shop_floor) == -2 == movement.balance_after


def test_receiving_goods_into_negative_stock_is_always_allowed(shop_floor, owner):
    product = factories.ProductFactory()
    stock_move(changes=[StockChange(product, shop_floor, D("-2"))], kind="sale", user=owner, allow_negative=True)
    stock_move(changes=[StockChange(product, shop_floor, D("1"))], kind="purchase", user=owner, allow_negative=False)
    assert on_hand(product, shop_floor) == -1


def test_database_refuses_negative_stock_written_around_the_service(shop_floor, owner):
    product = factories.ProductFactory()
    stock_add_opening(entries=[StockChange(product, shop_floor, D("1"))], user=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(product=product).update(quantity=F("quantity") - 5)


@pytest.mark.parametrize(("unit", "quantity", "message"), [
    ("pcs", "1.5", "whole pcs"),
    ("kg", "0.0005", "at most 3 decimals"),
    ("pcs", "0", "cannot be zero"),
])
def test_bad_quantities_are_refused(shop_floor, owner, unit, quantity, message):
    product = factories.ProductFactory(unit=factories.unit(unit))
    with pytest.raises(ValidationError, match=message):
        stock_move(changes=[StockChange(product, shop_floor, D(quantity))], kind="adjustment", user=owner)


def test_loose_goods_take_fractional_quantities(shop_floor, owner):
    rice = factories.ProductFactory(unit=factories.unit("kg"))
    stock_add_opening(entries=[StockChange(rice, shop_floor, D("25"))], user=owner)
    stock_move(changes=[StockChange(rice, shop_floor, D("-0.250"))], kind="sale", user=owner)
    assert on_hand(rice, shop_floor) == D("24.750")


def test_movements_cannot_be_edited_or_deleted(shop_floor, owner):
    product = factories.ProductFactory()
    [movement] = stock_add_opening(entries=[StockChange(product, shop_floor, D("2"))], user=owner)
    movement.quantity = D("20")
    with pytest.raises(ValidationError):
        movement.save()
    with pytest.raises(ValidationError):
        movement.delete()


def make_receipt(warehouse, lines, bill="B-1"):
    receipt = PurchaseReceipt.objects.create(supplier=factories.SupplierFactory(), bill_number=bill,
                                             warehouse=warehouse)
    for product, quantity, cost in lines:
        PurchaseLine.objects.create(receipt=receipt, product=product, quantity=D(quantity), unit_cost=D(cost))
    return receipt


def test_receipt_takes_goods_in_and_averages_the_cost(shop_floor, owner):
    product = factories.ProductFactory(cost_price=D("80"))
    stock_add_opening(entries=[StockChange(product, shop_floor, D("10"))], user=owner)
    receipt = make_receipt(shop_floor, [(product, "30", "100")])
    [movement] = stock_receive(receipt=receipt, user=owner)
    product.refresh_from_db()
    receipt.refresh_from_db()
    assert on_hand(product, shop_floor) == 40
    assert product.cost_price == D("95.00")  # (10 × 80 + 30 × 100) / 40
    assert (movement.kind, movement.unit_cost, movement.reference) == (
        "purchase", D("100"), f"Bill B-1 ({receipt.supplier.name})")
    assert (receipt.status, receipt.done_by) == ("done", owner)


def test_receipt_cannot_be_received_twice(shop_floor, owner):
    receipt = make_receipt(shop_floor, [(factories.ProductFactory(), "5", "10")])
    stock_receive(receipt=receipt, user=owner)
    with pytest.raises(ValidationError, match="already received"):
        stock_receive(receipt=receipt, user=owner)
    assert StockMovement.objects.filter(kind="purchase").count() == 1


def test_average_cost_ignores_negative_stock(shop_floor, owner):
    product = factories.ProductFactory(cost_price=D("50"))
    stock_move(changes=[StockChange(product, shop_floor, D("-4"))], kind="sale", user=owner, allow_negative=True)
    stock_receive(receipt=make_receipt(shop_floor, [(product, "10", "60")]), user=owner)
    product.refresh_from_db()
    assert product.cost_price == D("60.00")


def test_transfer_moves_both_legs_in_one_go(shop_floor, store_room, owner):
    product = factories.ProductFactory()
    stock_add_opening(entries=[StockChange(product, store_room, D("24"))], user=owner)
    transfer = StockTransfer.objects.create(from_warehouse=store_room, to_warehouse=shop_floor)
    StockTransferLine.objects.create(transfer=transfer, product=product, quantity=D("10"))
    movements = stock_transfer(transfer=transfer, user=owner)
    assert [(m.kind, m.warehouse, m.quantity) for m in movements] == [
        ("transfer_out", store_room, -10), ("transfer_in", shop_floor, 10)]
    assert (on_hand(product, store_room), on_hand(product, shop_floor)) == (14, 10)


def test_transfer_of_more_than_is_there_moves_nothing(shop_floor, store_room, owner):
    product = factories.ProductFactory()
    stock_add_opening(entries=[StockChange(product, store_room, D("2"))], user=owner)
    transfer = StockTransfer.objects.create(from_warehouse=store_room, to_warehouse=shop_floor)
    StockTransferLine.objects.create(transfer=transfer, product=product, quantity=D("5"))
    with pytest.raises(InsufficientStock):
        stock_transfer(transfer=transfer, user=owner)
    transfer.refresh_from_db()
    assert transfer.is_draft and on_hand(product, store_room) == 2
    assert not Stock.objects.filter(product=product, warehouse=shop_floor, quantity__gt=0).exists()


def test_count_turns_differences_into_adjustments(shop_floor, owner):
    short, exact, extra = factories.ProductFactory(), factories.ProductFactory(), factories.ProductFactory()
    stock_add_opening(entries=[StockChange(p, shop_floor, D("10")) for p in (short, exact, extra)], user=owner)
    count = StockCount.objects.create(warehouse=shop_floor)
    for product, counted in ((short, "7"), (exact, "10"), (extra, "12")):
        StockCountLine.objects.create(count=count, product=product, counted_quantity=D(counted))
    movements = stock_count_apply(count=count, user=owner)
    assert sorted((m.product_id, m.quantity, m.reason) for m in movements) == sorted(
        [(short.pk, -3, "count"), (extra.pk, 2, "count")])
    assert [on_hand(p, shop_floor) for p in (short, exact, extra)] == [7, 10, 12]
    assert [line.difference for line in count.lines.order_by("product_id")] == [-3, 0, 2]
