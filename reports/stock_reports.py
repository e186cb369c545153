"""Stock reports, read from Stock and the append-only StockMovement: plain keyword-only selectors.

Quantities are added exactly (in thousandths), money at cost to the paisa. Cost figures (valuation,
money tied up) are built only when the caller says the viewer may see them (`with_cost`), so a page,
an export and a PDF for a manager never carry them. Each selector runs a fixed number of queries.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from catalog.models import Brand, Category, Product, Stock, StockMovement, Warehouse
from reports.pages import (
    COUNT,
    DATE,
    MONEY,
    QUANTITY,
    Column,
    Grouping,
    QuantitySum,
    ReportTable,
    add_columns,
    day_span,
)
from sales.models import Invoice, InvoiceLine
from shop.money import to_paise

ZERO = Decimal("0.00")


def _products(prefix: str, *, category: Category | None, brand: Brand | None) -> Q:
    condition = Q()
    if category is not None:
        condition &= Q(**{f"{prefix}category": category}) | Q(**{f"{prefix}category__parent": category})
    if brand is not None:
        condition &= Q(**{f"{prefix}brand": brand})
    return condition


def stock_rows(*, warehouse: Warehouse | None = None, category: Category | None = None,
               brand: Brand | None = None) -> QuerySet[Stock]:
    """Return the Stock rows holding something (or owing, when negative stock is allowed)."""
    rows = Stock.objects.exclude(quantity=0).filter(_products("product__", category=category, brand=brand))
    if warehouse is not None:
        rows = rows.filter(warehouse=warehouse)
    return rows


# --- On hand and valuation ------------------------------------------------------------------------


def stock_on_hand(*, warehouse: Warehouse | None = None, category: Category | None = None, brand: Brand | None = None,
                  group: str = Grouping.PRODUCT, with_cost: bool = False) -> ReportTable:
    """Return what each warehouse holds now; with_cost adds the value at cost (quantity × the average cost).

    Grouped by product: one row per product and warehouse. By warehouse: how many products each holds
    (and their value).
    """
    rows_in = stock_rows(warehouse=warehouse, category=category, brand=brand).values_list(
        "warehouse__name", "product__name", "product__sku", "product__unit__code", "quantity", "product__cost_price")
    if group == Grouping.WAREHOUSE:
        summary: dict[str, list] = {}
        for warehouse_name, _name, _sku, _unit, quantity, cost in rows_in:
            entry = summary.setdefault(warehouse_name, [0, ZERO])
            entry[0] += 1
            entry[1] += to_paise(quantity * cost)
        columns = [Column("Warehouse"), Column("Products", COUNT)]
        rows = [[name, count] for name, (count, _value) in sorted(summary.items())]
        if with_cost:
            columns.append(Column("Value at cost", MONEY))
            rows = [[name, count, value] for name, (count, value) in sorted(summary.items())]
        return ReportTable(columns, rows, add_columns(rows, columns), note="Stock in hand now.")

    columns = [Column("Warehouse"), Column("Product"), Column("SKU"), Column("Quantity", QUANTITY), Column("Unit")]
    if with_cost:
        columns += [Column("Cost per unit", MONEY), Column("Value at cost", MONEY)]
    rows = []
    for warehouse_name, name, sku, unit, quantity, cost in sorted(rows_in, key=lambda row: (row[0], row[1])):
        row = [warehouse_name, name, sku, quantity, unit]
        if with_cost:
            row += [cost, to_paise(quantity * cost)]
        rows.append(row)
    totals = add_columns(rows, columns)
    totals[3] = None  # kilograms and pieces do not add up
    if with_cost:
        totals[5] = None
    return ReportTable(columns, rows, totals,
                       note="Stock in hand now" + (", valued at each product's average cost." if with_cost else "."))


# --- Movements over a period ----------------------------------------------------------------------

Kind = StockMovement.Kind
MOVEMENT_COLUMNS = [
    Column("Product"), Column("SKU"), Column("At start", QUANTITY), Column("Opening stock", QUANTITY),
    Column("Purchases", QUANTITY), Column("Returns", QUANTITY), Column("Transfers in", QUANTITY),
    Column("Adjusted up", QUANTITY), Column("Sales", QUANTITY), Column("Transfers out", QUANTITY),
    Column("Adjusted down", QUANTITY), Column("At end", QUANTITY),
]


def stock_movements(*, start: date, end: date, warehouse: Warehouse | None = None, category: Category | None = None,
                    brand: Brand | None = None) -> ReportTable:
    """Return per product the stock at the start, what came in and went out by kind, and the stock at the end.

    At end = at start + everything in − everything out, as the movements record it; out is shown positive.
    """
    since, until = day_span(start, end)
    moves = StockMovement.objects.filter(created_at__lt=until).filter(
        _products("product__", category=category, brand=brand))
    if warehouse is not None:
        moves = moves.filter(warehouse=warehouse)
    during = Q(created_at__gte=since)

    def kind_sum(*kinds: str, sign: Q | None = None) -> QuantitySum:
        return QuantitySum("quantity", filter=during & Q(kind__in=kinds) & (sign or Q()))

    figures = moves.values("product").annotate(
        before=QuantitySum("quantity", filter=Q(created_at__lt=since)),
        opening=kind_sum(Kind.OPENING), purchase=kind_sum(Kind.PURCHASE), returned=kind_sum(Kind.RETURN),
        transfer_in=kind_sum(Kind.TRANSFER_IN), up=kind_sum(Kind.ADJUSTMENT, sign=Q(quantity__gt=0)),
        sale=kind_sum(Kind.SALE), transfer_out=kind_sum(Kind.TRANSFER_OUT),
        down=kind_sum(Kind.ADJUSTMENT, sign=Q(quantity__lt=0)),
    ).order_by()
    by_product = {row.pop("product"): row for row in figures}
    products = Product.objects.only("name", "sku").in_bulk(by_product.keys())
    rows = []
    for pk, f in by_product.items():
        came_in = [f["opening"], f["purchase"], f["returned"], f["transfer_in"], f["up"]]
        went_out = [-f["sale"], -f["transfer_out"], -f["down"]]
        if not any(came_in) and not any(went_out) and not f["before"]:
            continue
        closing = f["before"] + sum(came_in, ZERO) - sum(went_out, ZERO)
        rows.append([products[pk].name, products[pk].sku, f["before"], *came_in, *went_out, closing])
    rows.sort(key=lambda row: row[0])
    return ReportTable(MOVEMENT_COLUMNS, rows, None,
                       note="Quantities in each product's unit; out is shown as a positive quantity.")


# --- Slow and dead stock --------------------------------------------------------------------------


def slow_stock(*, days: int = 90, warehouse: Warehouse | None = None, category: Category | None = None,
               brand: Brand | None = None, with_cost: bool = False, today: date | None = None) -> ReportTable:
    """Return the products in stock with no completed sale in the last `days` days, longest unsold first.

    A product never sold counts from the last time stock of it came in. With with_cost, the money
    tied up: quantity × average cost.
    """
    today = today or timezone.localdate()
    since, _until = day_span(today - timedelta(days=days - 1), today)
    held: dict[int, Decimal] = {}
    for product, quantity in stock_rows(warehouse=warehouse, category=category, brand=brand).filter(
            quantity__gt=0).values_list("product", "quantity"):
        held[product] = held.get(product, ZERO) + quantity
    lines = InvoiceLine.objects.filter(invoice__status=Invoice.Status.COMPLETED, product__in=held.keys())
    if warehouse is not None:
        lines = lines.filter(invoice__warehouse=warehouse)
    last_sold = dict(lines.values("product").annotate(last=Max("invoice__issued_at")).values_list("product", "last")
                     .order_by())
    moves = StockMovement.objects.filter(product__in=held.keys())
    if warehouse is not None:
        moves = moves.filter(warehouse=warehouse)
    first_in = dict(moves.values("product").annotate(first=Max("created_at", filter=Q(quantity__gt=0)))
                    .values_list("product", "first").order_by())
    products = Product.objects.select_related("category", "unit").in_bulk(held.keys())
    columns = [Column("Product"), Column("SKU"), Column("Category"), Column("Last sold", DATE),
               Column("Days without a sale", COUNT), Column("In stock", QUANTITY)]
    if with_cost:
        columns += [Column("Cost per unit", MONEY), Column("Money tied up", MONEY)]
    rows = []
    for pk, quantity in held.items():
        sold_at = last_sold.get(pk)
        if sold_at is not None and sold_at >= since:
            continue
        since_when = sold_at or first_in.get(pk)
        idle = (today - timezone.localtime(since_when).date()).days if since_when else None
        product = products[pk]
        row = [product.name, product.sku, str(product.category) if product.category else "",
               timezone.localtime(sold_at).date() if sold_at else None, idle, quantity]
        if with_cost:
            row += [product.cost_price, to_paise(quantity * product.cost_price)]
        rows.append(row)
    rows.sort(key=lambda row: (-(row[4] or 0), row[0]))
    totals = add_columns(rows, columns)
    totals[4] = totals[5] = None
    if with_cost:
        totals[6] = None
    return ReportTable(columns, rows, totals,
                       note=f"Products in stock with no sale in the last {days} days; never sold: counted from "
                            f"the last time stock came in.")
