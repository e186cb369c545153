"""Concurrent cashiers on PostgreSQL: real threads, each on its own database connection."""

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum

from catalog.models import Stock, StockMovement, Warehouse
from catalog.services import InsufficientStock, StockChange, stock_add_opening, stock_move
from tests import factories
from tests.conftest import transactional_db

pytestmark = [pytest.mark.postgres, transactional_db]
THREADS = 8


def run_in_threads(work, count: int = THREADS) -> list:
    """Run work(index) in `count` threads started together; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001  (collected for the assertions)
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results


def test_eight_cashiers_selling_the_last_twenty_units_sell_exactly_twenty(owner):
    assert connection.vendor == "postgresql"
    warehouse = Warehouse.objects.get(is_default=True)
    product = factories.ProductFactory()
    stock_add_opening(entries=[StockChange(product, warehouse, Decimal("20"))], user=owner)

    def sell_one_at_a_time(_index):
        sold = refused = 0
        for _ in range(5):  # 8 threads x 5 tries = 40 tries for 20 units
            try:
                stock_move(changes=[StockChange(product, warehouse, Decimal("-1"))], kind="sale", user=owner)
                sold += 1
            except InsufficientStock:
                refused += 1
        return sold, refused

    results = run_in_threads(sell_one_at_a_time)
    assert all(isinstance(r, tuple) for r in results), results
    assert sum(sold for sold, _ in results) == 20
    assert sum(refused for _, refused in results) == 20
    assert Stock.objects.get(product=product, warehouse=warehouse).quantity == 0
    assert StockMovement.objects.filter(product=product, kind="sale").count() == 20


def test_bills_touching_the_same_products_in_any_order_never_deadlock(owner):
    warehouse = Warehouse.objects.get(is_default=True)
    products = [factories.ProductFactory() for _ in range(5)]
    stock_add_opening(entries=[StockChange(p, warehouse, Decimal("1000")) for p in products], user=owner)

    def sell_in_a_shuffled_order(index):
        rng = random.Random(index)
        for _ in range(10):
            basket = rng.sample(products, k=len(products))
            stock_move(changes=[StockChange(p, warehouse, Decimal("-1")) for p in basket], kind="sale", user=owner)
        return "ok"

    results = run_in_threads(sell_in_a_shuffled_order)
    assert results == ["ok"] * THREADS
    totals = StockMovement.objects.filter(product__in=products).values("product").annotate(total=Sum("quantity"))
    assert {row["total"] for row in totals} == {Decimal("1000") - THREADS * 10}


def test_first_movement_of_a_product_creates_its_stock_row_once(owner):
    warehouse = Warehouse.objects.get(is_default=True)
    product = factories.ProductFactory()

    def receive(_index):
        return stock_move(changes=[StockChange(product, warehouse, Decimal("3"))], kind="purchase", user=owner)

    results = run_in_threads(receive)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Stock.objects.get(product=product, warehouse=warehouse).quantity == 3 * THREADS
