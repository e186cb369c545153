"""Every change of stock goes through `stock_move`; the named services below call it.

Lock order: the Stock rows a change touches are locked with SELECT ... FOR UPDATE ordered by
(product_id, warehouse_id), so two transactions that touch the same products always wait for each
other in the same order and cannot deadlock. On SQLite, where FOR UPDATE does not exist, the
IMMEDIATE transaction mode serialises writers instead.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import (
    Product,
    PurchaseReceipt,
    Stock,
    StockCount,
    StockMovement,
    StockTransfer,
    Warehouse,
)
from catalog.selectors import stock_by_product
from shop.models import ShopProfile, User
from shop.money import format_quantity, to_paise
from shop.records import source_fields

ZERO = Decimal("0")
Kind = StockMovement.Kind


@dataclass(frozen=True)
class StockChange:
    """One signed change of one product in one warehouse."""

    product: Product
    warehouse: Warehouse
    quantity: Decimal
    unit_cost: Decimal | None = None


@dataclass(frozen=True)
class Shortage:
    product: Product
    warehouse: Warehouse
    available: Decimal
    requested: Decimal

    def __str__(self) -> str:
        unit = self.product.unit.code
        return (f"Only {format_quantity(self.available)} {unit} of {self.product.name} in {self.warehouse.name}; "
                f"this needs {format_quantity(self.requested)} {unit}.")


class InsufficientStock(ValidationError):
    """Raised when a change would take stock below zero and the shop does not allow it."""

    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages
        super().__init__([str(s) for s in shortages], code="insufficient_stock")


def validate_quantity(product: Product, quantity: Decimal) -> None:
    """Refuse a zero quantity, more than 3 decimals, or a fraction of a product sold in whole units."""
    if quantity == 0:
        raise ValidationError(f"The quantity of {product.name} cannot be zero.", code="zero_quantity")
    if quantity != quantity.quantize(Decimal("0.001")):
        raise ValidationError(f"{product.name}: quantities have at most 3 decimals.", code="precision")
    if not product.unit.allows_fraction and quantity != quantity.to_integral_value():
        raise ValidationError(
            f"{product.name} is counted in whole {product.unit.code}: "
            f"{format_quantity(quantity)} is not a whole number.", code="fraction")


def _lock_stock_rows(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Stock]:
    """Lock (creating when missing) the Stock rows of (product_id, warehouse_id) pairs, in product-id order."""

    def locked() -> dict[tuple[int, int], Stock]:
        by_warehouse: dict[int, list[int]] = defaultdict(list)
        for product_id, warehouse_id in pairs:
            by_warehouse[warehouse_id].append(product_id)
        condition = reduce(or_, (Q(warehouse_id=w, product_id__in=p) for w, p in by_warehouse.items()))
        rows = Stock.objects.select_for_update().filter(condition).order_by("product_id", "warehouse_id")
        return {(row.product_id, row.warehouse_id): row for row in rows}

    rows = locked()
    missing = pairs - rows.keys()
    if missing:
        # ON CONFLICT DO NOTHING: a concurrent transaction may create the same row first.
        Stock.objects.bulk_create([Stock(product_id=p, warehouse_id=w) for p, w in sorted(missing)],
                                  ignore_conflicts=True)
        rows = locked()
    return rows


def _add_to_stock_rows(deltas: dict[int, Decimal], *, negative_allowed: bool) -> None:
    """Add each delta to its Stock row in one UPDATE: quantity = quantity + delta, relative like an F()
    expression, so nothing read earlier is written back. Rows that go down record the shop's policy
    in negative_allowed, which the check constraint reads.

    Written as SQL because Django's Case/When builds and resolves a Q object per row, which cost more
    than the rest of a sale put together (measured with bench/checkout.py).
    """
    table, quantity, pk_column, flag = map(connection.ops.quote_name,
                                           (Stock._meta.db_table, "quantity", "id", "negative_allowed"))
    ids = list(deltas)
    cases = " ".join(["WHEN %s THEN CAST(%s AS NUMERIC)"] * len(ids))
    params: list = [value for pk, delta in deltas.items() for value in (pk, str(delta))]
    # Only quoted identifiers and %s placeholders go into the text; every value is a parameter.
    sql = f"UPDATE {table} SET {quantity} = {quantity} + (CASE {pk_column} {cases} END)"  # noqa: S608
    lowered = [pk for pk, delta in deltas.items() if delta < 0]
    if lowered:
        sql += f", {flag} = CASE WHEN {pk_column} IN ({', '.join(['%s'] * len(lowered))}) THEN %s ELSE {flag} END"
        params += [*lowered, negative_allowed]
    sql += f" WHERE {pk_column} IN ({', '.join(['%s'] * len(ids))})"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])


@transaction.atomic
def stock_move(
    *,
    changes: Sequence[StockChange],
    kind: str,
    user: User | None,
    reference: str = "",
    source: models.Model | None = None,
    reason: str = "",
    note: str = "",
    allow_negative: bool | None = None,
) -> list[StockMovement]:
    """Apply changes to stock and append one movement each; all or nothing.

    Locks the Stock rows first (product-id order), refuses to go below zero unless the shop allows
    negative stock, updates the quantities with F() in one statement, and inserts the movements in
    bulk. The number of queries does not grow with the number of changes.
    """
    if not changes:
        return []
    for change in changes:
        validate_quantity(change.product, change.quantity)
    if allow_negative is None:
        allow_negative = ShopProfile.objects.get_profile().allow_negative_stock

    deltas: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for change in changes:
        deltas[(change.product.pk, change.warehouse.pk)] += change.quantity
    rows = _lock_stock_rows(set(deltas))

    if not allow_negative:
        shortages = [
            Shortage(change.product, change.warehouse, rows[key].quantity, -deltas[key])
            for key, change in {(c.product.pk, c.warehouse.pk): c for c in changes}.items()
            if deltas[key] < 0 and rows[key].quantity + deltas[key] < 0
        ]
        if shortages:
            raise InsufficientStock(sorted(shortages, key=lambda s: s.product.pk))

    touched = {rows[key].pk: delta for key, delta in deltas.items() if delta != 0}
    if touched:
        _add_to_stock_rows(touched, negative_allowed=allow_negative)

    links = source_fields(source)
    balances = {key: row.quantity for key, row in rows.items()}
    now = timezone.now()
    movements = []
    for change in changes:
        key = (change.product.pk, change.warehouse.pk)
        balances[key] += change.quantity
        movements.append(StockMovement(
            product=change.product, warehouse=change.warehouse, kind=kind, reason=reason, quantity=change.quantity,
            balance_after=balances[key], unit_cost=change.unit_cost, reference=reference[:60], note=note[:255],
            user=user, created_at=now, **links,
        ))
    return StockMovement.objects.bulk_create(movements)


def stock_adjust(*, product: Product, warehouse: Warehouse, quantity: Decimal, reason: str, user: User,
                 note: str = "") -> StockMovement:
    """Correct stock by a signed quantity (damage, expiry, count correction, theft...)."""
    if reason not in StockMovement.Reason.values:
        raise ValidationError(f"Pick a reason for the adjustment ({', '.join(StockMovement.Reason.values)}).")
    [movement] = stock_move(changes=[StockChange(product, warehouse, Decimal(quantity))], kind=Kind.ADJUSTMENT,
                            user=user, reason=reason, note=note, reference=StockMovement.Reason(reason).label)
    return movement


def stock_add_opening(*, entries: Iterable[StockChange], user: User | None,
                      reference: str = "Opening stock") -> list[StockMovement]:
    """Record opening stock (positive quantities) such as an imported stock sheet."""
    entries = list(entries)
    for entry in entries:
        if entry.quantity <= 0:
            raise ValidationError(f"Opening stock of {entry.product.name} must be more than zero.")
    return stock_move(changes=entries, kind=Kind.OPENING, user=user, reference=reference)


@transaction.atomic
def stock_receive(*, receipt: PurchaseReceipt, user: User) -> list[StockMovement]:
    """Take a supplier's goods into stock and update each product's average cost.

    The receipt row is locked first so the same bill cannot be received twice.
    """
    receipt, lines = _lock_draft(receipt, done=f"Bill {receipt.bill_number} was already received.",
                                 empty="Add at least one line before receiving the goods.")

    products = [line.product for line in lines]
    on_hand = stock_by_product(products)
    for line in lines:
        _update_average_cost(line.product, on_hand, line.quantity, line.unit_cost)
    Product.objects.bulk_update(products, ["cost_price"])

    movements = stock_move(
        changes=[StockChange(line.product, receipt.warehouse, line.quantity, line.unit_cost) for line in lines],
        kind=Kind.PURCHASE, user=user, source=receipt,
        reference=f"Bill {receipt.bill_number} ({receipt.supplier.name})",
    )
    _mark_done(receipt, user)
    return movements


def _update_average_cost(product: Product, on_hand: dict[int, Decimal], quantity: Decimal, unit_cost: Decimal):
    """Weighted average of what is on hand and what arrives; stock at or below zero takes the new cost."""
    held = max(on_hand.get(product.pk, ZERO), ZERO)
    product.cost_price = to_paise((held * product.cost_price + quantity * unit_cost) / (held + quantity))
    on_hand[product.pk] = held + quantity


@transaction.atomic
def stock_transfer(*, transfer: StockTransfer, user: User) -> list[StockMovement]:
    """Move a transfer's goods out of one warehouse and into the other, both legs in one transaction."""
    transfer, lines = _lock_draft(transfer, done=f"Transfer #{transfer.pk} was already made.",
                                  empty="Add at least one line before making the transfer.")
    reference = f"Transfer #{transfer.pk}"
    changes = [StockChange(line.product, transfer.from_warehouse, -line.quantity) for line in lines]
    movements = stock_move(changes=changes, kind=Kind.TRANSFER_OUT, user=user, source=transfer, reference=reference)
    movements += stock_move(
        changes=[StockChange(line.product, transfer.to_warehouse, line.quantity) for line in lines],
        kind=Kind.TRANSFER_IN, user=user, source=transfer, reference=reference)
    _mark_done(transfer, user)
    return movements


@transaction.atomic
def stock_count_apply(*, count: StockCount, user: User) -> list[StockMovement]:
    """Record what the books say for each counted product and adjust stock to the counted quantity."""
    count, lines = _lock_draft(count, done=f"Count #{count.pk} was already applied.",
                               empty="Add the counted products before applying the count.")
    rows = _lock_stock_rows({(line.product_id, count.warehouse_id) for line in lines})
    changes = []
    for line in lines:
        line.expected_quantity = rows[(line.product_id, count.warehouse_id)].quantity
        if line.difference:
            changes.append(StockChange(line.product, count.warehouse, line.difference))
    type(lines[0]).objects.bulk_update(lines, ["expected_quantity"])
    movements = stock_move(changes=changes, kind=Kind.ADJUSTMENT, user=user, source=count,
                           reason=StockMovement.Reason.COUNT, reference=f"Count #{count.pk}")
    _mark_done(count, user)
    return movements


def _lock_draft(document, *, done: str, empty: str):
    """Lock a stock document's row (so it is applied once) and return it with its lines, in product order."""
    document = type(document).objects.select_for_update().get(pk=document.pk)
    if not document.is_draft:
        raise ValidationError(done, code="already_done")
    lines = list(document.lines.select_related("product__unit").order_by("product_id"))
    if not lines:
        raise ValidationError(empty, code="empty")
    return document, lines


def _mark_done(document, user: User) -> None:
    document.status = document.Status.DONE
    document.done_by = user
    document.done_at = timezone.now()
    document.save(update_fields=["status", "done_by", "done_at"])
