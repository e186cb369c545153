"""Keeping the daily rollup tables (reports.models) in step with the sales, in the same transaction.

sales.services calls `rollups_record_sale`, `rollups_record_cancel` and `rollups_record_return`, and
sales.payments calls `rollups_record_upi_confirmed`, as they call ledger.posting: explicitly, never through
signals. Each call writes at most one upsert per table:

    INSERT ... VALUES (...), (...) ON CONFLICT (key) DO UPDATE SET x = table.x + excluded.x

which SQLite (3.24+) and PostgreSQL both run. Lock order: the tables in the order products, payments, hours,
and within a table the rows in key order; every caller writes here after its Stock rows and before the
customer and book-day locks. So two cashiers selling the same products wait for each other, never in a cycle.

`Deltas` is also what `rebuild_rollups` fills from the raw tables (reports.rollup_rebuild), so the live path
and the rebuild add up each document with the same code.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import connection

from reports.models import DailyPaymentSales, DailyProductSales, HourlySales
from reports.periods import local_day_and_hour
from shop.money import to_paise

PRODUCT_VALUES = ("lines", "quantity_milli", "amount_paise", "taxable_paise", "tax_paise", "discount_paise",
                  "cost_paise", "returned_quantity_milli", "returned_amount_paise", "returned_taxable_paise",
                  "returned_cost_paise")
PAYMENT_VALUES = ("confirmed_paise", "awaiting_paise")
HOUR_VALUES = ("bills", "sales_paise", "taxable_paise", "cgst_paise", "sgst_paise", "igst_paise", "cess_paise",
               "discount_paise", "cancelled", "returns", "returns_paise", "returns_taxable_paise")
# (model, key columns, value columns), in the order the tables are written (the lock order).
TABLES = (
    (DailyProductSales, ("day", "product_id", "warehouse_id"), PRODUCT_VALUES),
    (DailyPaymentSales, ("day", "method"), PAYMENT_VALUES),
    (HourlySales, ("day", "hour", "warehouse_id"), HOUR_VALUES),
)


def paise(amount: Decimal) -> int:
    """Return an amount of rupees (two decimals) as whole paise."""
    return int(Decimal(amount).scaleb(2))


def milli(quantity: Decimal) -> int:
    """Return a quantity (three decimals) in thousandths."""
    return int(Decimal(quantity).scaleb(3))


def cost_paise(quantity: Decimal, unit_cost: Decimal) -> int:
    """Return quantity x unit cost in paise, rounded half up: a line's cost, as reports.selectors.line_cost."""
    return paise(to_paise(Decimal(quantity) * Decimal(unit_cost)))


def _zeros(size: int):
    return lambda: [0] * size


class Deltas:
    """What documents add to (or, with sign -1, take from) the rollup rows, summed per row key."""

    def __init__(self):
        self.rows = {model: defaultdict(_zeros(len(values))) for model, _keys, values in TABLES}

    def _add(self, model, key: tuple, **values: int) -> None:
        names = next(v for m, _k, v in TABLES if m is model)
        row = self.rows[model][key]
        for name, value in values.items():
            row[names.index(name)] += value

    def sale_line(self, *, day: date, product_id: int, warehouse_id: int, quantity, line_total, taxable, tax,
                  discount, unit_cost, sign: int = 1) -> None:
        self._add(DailyProductSales, (day, product_id, warehouse_id), lines=sign, quantity_milli=sign * milli(quantity),
                  amount_paise=sign * paise(line_total), taxable_paise=sign * paise(taxable),
                  tax_paise=sign * paise(tax), discount_paise=sign * paise(discount),
                  cost_paise=sign * cost_paise(quantity, unit_cost))

    def return_line(self, *, day: date, product_id: int, warehouse_id: int, quantity, line_total, taxable,
                    unit_cost) -> None:
        self._add(DailyProductSales, (day, product_id, warehouse_id), returned_quantity_milli=milli(quantity),
                  returned_amount_paise=paise(line_total), returned_taxable_paise=paise(taxable),
                  returned_cost_paise=cost_paise(quantity, unit_cost))

    def payment(self, *, day: date, method: str, amount, confirmed: bool, sign: int = 1) -> None:
        column = "confirmed_paise" if confirmed else "awaiting_paise"
        self._add(DailyPaymentSales, (day, method), **{column: sign * paise(amount)})

    def bill(self, *, day: date, hour: int, warehouse_id: int, grand_total, taxable, cgst, sgst, igst, cess, discount,
             sign: int = 1) -> None:
        self._add(HourlySales, (day, hour, warehouse_id), bills=sign, sales_paise=sign * paise(grand_total),
                  taxable_paise=sign * paise(taxable), cgst_paise=sign * paise(cgst), sgst_paise=sign * paise(sgst),
                  igst_paise=sign * paise(igst), cess_paise=sign * paise(cess), discount_paise=sign * paise(discount))

    def cancelled_bill(self, *, day: date, hour: int, warehouse_id: int) -> None:
        self._add(HourlySales, (day, hour, warehouse_id), cancelled=1)

    def credit_note(self, *, day: date, hour: int, warehouse_id: int, grand_total, taxable) -> None:
        self._add(HourlySales, (day, hour, warehouse_id), returns=1, returns_paise=paise(grand_total),
                  returns_taxable_paise=paise(taxable))

    def upsert(self) -> None:
        """Add the deltas to the rollup rows: one statement per table, rows in key order."""
        with connection.cursor() as cursor:
            for model, keys, values in TABLES:
                rows = sorted(self.rows[model].items())
                if rows:
                    cursor.execute(*_upsert_sql(model, keys, values, rows))

    def model_rows(self, model) -> list:
        """Return the deltas of one table as unsaved model instances (the rebuild inserts them)."""
        keys, values = next((k, v) for m, k, v in TABLES if m is model)
        return [model(**dict(zip(keys, key, strict=True)), **dict(zip(values, row, strict=True)))
                for key, row in sorted(self.rows[model].items())]


def _upsert_sql(model, keys: tuple[str, ...], values: tuple[str, ...], rows: list) -> tuple[str, list]:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [model._meta.get_field(name.removesuffix("_id")).column for name in keys] + list(values)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{quote(name)} = {table}.{quote(name)} + excluded.{quote(name)}" for name in values)
    names = ", ".join(quote(c) for c in columns)
    key_names = ", ".join(quote(c) for c in columns[:len(keys)])
    values_text = ", ".join([placeholders] * len(rows))
    # Only model and column names are put in the text; the values are parameters.
    sql = f"INSERT INTO {table} ({names}) VALUES {values_text} ON CONFLICT ({key_names}) DO UPDATE SET {updates}"  # noqa: S608
    params = [value for key, row in rows for value in (*key, *row)]
    return sql, params


# --- The calls the sales services make -----------------------------------------------------------------------

def _sale(deltas: Deltas, *, invoice, lines, payments, sign: int) -> None:
    day, hour = local_day_and_hour(invoice.issued_at)
    warehouse_id = invoice.warehouse_id
    for line in lines:
        deltas.sale_line(day=day, product_id=line.product_id, warehouse_id=warehouse_id, quantity=line.quantity,
                         line_total=line.line_total, taxable=line.taxable_value,
                         tax=line.cgst + line.sgst + line.igst + line.cess, discount=line.discount,
                         unit_cost=line.unit_cost, sign=sign)
    for payment in payments:
        deltas.payment(day=day, method=payment.method, amount=payment.amount,
                       confirmed=payment.status == "confirmed", sign=sign)
    deltas.bill(day=day, hour=hour, warehouse_id=warehouse_id, grand_total=invoice.grand_total,
                taxable=invoice.taxable_total, cgst=invoice.cgst_total, sgst=invoice.sgst_total,
                igst=invoice.igst_total, cess=invoice.cess_total, discount=invoice.discount_total, sign=sign)


def rollups_record_sale(*, invoice, lines, payments) -> None:
    """Add a completed invoice (its lines and payments) to its day's rollups."""
    deltas = Deltas()
    _sale(deltas, invoice=invoice, lines=lines, payments=payments, sign=1)
    deltas.upsert()


def rollups_record_cancel(*, invoice, lines, payments) -> None:
    """Take a cancelled invoice out of the rollups of the day it was issued, and count it as cancelled there."""
    deltas = Deltas()
    _sale(deltas, invoice=invoice, lines=lines, payments=payments, sign=-1)
    day, hour = local_day_and_hour(invoice.issued_at)
    deltas.cancelled_bill(day=day, hour=hour, warehouse_id=invoice.warehouse_id)
    deltas.upsert()


def record_return(deltas: Deltas, *, issued_at, grand_total, taxable, warehouse_id: int, lines) -> None:
    """Add a credit note to `deltas`; each line is (product_id, quantity, line_total, taxable, unit_cost)."""
    day, hour = local_day_and_hour(issued_at)
    for product_id, quantity, line_total, taxable, unit_cost in lines:
        deltas.return_line(day=day, product_id=product_id, warehouse_id=warehouse_id, quantity=quantity,
                           line_total=line_total, taxable=taxable, unit_cost=unit_cost)
    deltas.credit_note(day=day, hour=hour, warehouse_id=warehouse_id, grand_total=grand_total, taxable=taxable)


def rollups_record_return(*, credit_note, invoice, credit_lines) -> None:
    """Add a credit note to the rollups of its own day (goods back at the unit cost they were sold at)."""
    deltas = Deltas()
    record_return(deltas, issued_at=credit_note.issued_at, grand_total=credit_note.grand_total,
                  taxable=credit_note.taxable_total, warehouse_id=invoice.warehouse_id, lines=[
        (line.product_id, line.quantity, line.line_total, line.taxable_value, line.invoice_line.unit_cost)
        for line in credit_lines])
    deltas.upsert()


def rollups_record_upi_confirmed(*, payment, invoice) -> None:
    """Move a UPI payment from awaiting to confirmed, on the day of its invoice."""
    deltas = Deltas()
    day, _hour = local_day_and_hour(invoice.issued_at)
    deltas.payment(day=day, method=payment.method, amount=payment.amount, confirmed=False, sign=-1)
    deltas.payment(day=day, method=payment.method, amount=payment.amount, confirmed=True)
    deltas.upsert()
