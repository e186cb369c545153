"""Property: whatever happens, every stock row equals the sum of its movements and never goes negative."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import Stock, StockMovement, StockTransfer, StockTransferLine, Warehouse
from catalog.services import StockChange, stock_adjust, stock_move, stock_transfer
from tests import factories

quantities = st.integers(min_value=1, max_value=40).map(Decimal)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("purchase"), st.integers(0, 2), st.integers(0, 1), quantities),
        st.tuples(st.just("sale"), st.integers(0, 2), st.integers(0, 1), quantities),
        st.tuples(st.just("adjust"), st.integers(0, 2), st.integers(0, 1),
                  st.integers(-15, 15).filter(bool).map(Decimal)),
        st.tuples(st.just("transfer"), st.integers(0, 2), st.integers(0, 1), quantities),
    ),
    min_size=1, max_size=25,
)


def apply(operation, products, warehouses, user) -> None:
    kind, product_index, warehouse_index, quantity = operation
    product, warehouse = products[product_index], warehouses[warehouse_index]
    if kind == "purchase":
        stock_move(changes=[StockChange(product, warehouse, quantity, Decimal("10"))], kind="purchase", user=user)
    elif kind == "sale":
        stock_move(changes=[StockChange(product, warehouse, -quantity)], kind="sale", user=user)
    elif kind == "adjust":
        stock_adjust(product=product, warehouse=warehouse, quantity=quantity, reason="count", user=user)
    else:
        transfer = StockTransfer.objects.create(from_warehouse=warehouse, to_warehouse=warehouses[1 - warehouse_index])
        StockTransferLine.objects.create(transfer=transfer, product=product, quantity=quantity)
        stock_transfer(transfer=transfer, user=user)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=operations)
def test_stock_always_equals_the_sum_of_its_movements(owner, operations):
    with transaction.atomic():
        products = [factories.ProductFactory() for _ in range(3)]
        warehouses = [Warehouse.objects.get(is_default=True), factories.WarehouseFactory()]
        refused = 0
        for operation in operations:
            try:
                apply(operation, products, warehouses, owner)
            except ValidationError:
                refused += 1  # an oversell, refused whole
        sums = {
            (row["product_id"], row["warehouse_id"]): row["total"]
            for row in StockMovement.objects.filter(product__in=products)
            .values("product_id", "warehouse_id").annotate(total=Sum("quantity"))
        }
        stock = {(s.product_id, s.warehouse_id): s.quantity for s in Stock.objects.filter(product__in=products)}
        assert {k: v for k, v in stock.items() if v or k in sums} == sums
        assert all(quantity >= 0 for quantity in stock.values())
        running = {}
        for movement in StockMovement.objects.filter(product__in=products).order_by("pk"):
            key = (movement.product_id, movement.warehouse_id)
            running[key] = running.get(key, 0) + movement.quantity
            assert movement.balance_after == running[key] >= 0
        transaction.set_rollback(True)
