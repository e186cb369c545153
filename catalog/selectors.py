"""Reads of stock: on-hand quantities, low-stock lists and reorder suggestions."""

from decimal import ROUND_CEILING, Decimal

from django.db import connection
from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from catalog.models import Product, Stock, StockMovement, Warehouse
from shop.models import ShopProfile

ZERO = Decimal("0")
_QUANTITY = DecimalField(max_digits=12, decimal_places=3)


def with_stock_on_hand(products: QuerySet[Product]) -> QuerySet[Product]:
    """Annotate each product with `on_hand`, its stock summed over all warehouses (one subquery, no N+1)."""
    total = (Stock.objects.filter(product=OuterRef("pk")).order_by().values("product")
             .annotate(total=Sum("quantity")).values("total"))
    return products.annotate(on_hand=Coalesce(Subquery(total, output_field=_QUANTITY), Value(ZERO),
                                              output_field=_QUANTITY))


def with_stock_totals(products: QuerySet[Product]) -> QuerySet[Product]:
    """Annotate `on_hand` for filtering a whole catalogue on its stock (low, out of stock).

    PostgreSQL does this twice as fast by joining and grouping the stock rows; SQLite is faster with
    the per-product subquery on the (product, warehouse) index (measured at 100,000 products).
    """
    if connection.vendor != "postgresql":
        return with_stock_on_hand(products)
    return products.annotate(on_hand=Coalesce(Sum("stocks__quantity"), Value(ZERO), output_field=_QUANTITY))


def with_reorder_level(products: QuerySet[Product]) -> QuerySet[Product]:
    """Annotate `level`: the product's reorder level, or the shop's default when it has none."""
    default = ShopProfile.objects.get_profile().low_stock_threshold
    return products.annotate(level=Coalesce(F("reorder_level"), Value(default), output_field=_QUANTITY))


def low_stock_products(products: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Return active products at or below their reorder level, emptiest first."""
    products = products if products is not None else Product.objects.filter(is_active=True)
    return (with_reorder_level(with_stock_totals(products)).filter(on_hand__lte=F("level"))
            .select_related("unit", "brand", "category").order_by("on_hand", "name"))


def out_of_stock_products(products: QuerySet[Product]) -> QuerySet[Product]:
    """Return products with nothing (or less than nothing) in stock across warehouses."""
    return with_stock_totals(products).filter(on_hand__lte=0)


def suggested_order_quantity(*, on_hand: Decimal, level: Decimal, reorder_quantity: Decimal,
                             whole_units: bool) -> Decimal:
    """Return how much to order: the product's reorder quantity, or enough to reach twice the level.

    Never less than what brings stock back above the level; rounded up for goods sold in whole units.
    """
    to_reach_level = level - on_hand
    wanted = reorder_quantity if reorder_quantity > 0 else 2 * level - on_hand
    quantity = max(wanted, to_reach_level, ZERO)
    return quantity.to_integral_value(rounding=ROUND_CEILING) if whole_units else quantity


def stock_by_product(products: list[Product], warehouse: Warehouse | None = None) -> dict[int, Decimal]:
    """Return each product's stock (in one warehouse, or summed over all) with one query; missing means none."""
    rows = Stock.objects.filter(product__in=products)
    if warehouse is not None:
        rows = rows.filter(warehouse=warehouse)
    return {row["product_id"]: row["total"]
            for row in rows.values("product_id").annotate(total=Sum("quantity")).order_by()}


def last_movements(product: Product, limit: int = 10) -> QuerySet[StockMovement]:
    return product.movements.select_related("warehouse", "user").order_by("-created_at", "-pk")[:limit]
