"""Rebuilding the daily rollup tables from the invoices, payments and credit notes (`manage.py rebuild_rollups`).

Each document is added up by the same reports.rollups.Deltas methods the sales services use, so a rebuild
and the live path give the same rows (a property test checks it). Rows that the live path has brought back
to all zeros (a bill sold and cancelled) are not written by a rebuild; readers treat both alike.
Run it when no one is selling, or over past days only: a sale committed while it runs may be missed.
"""

from datetime import date

from django.db import transaction

from reports.periods import day_bounds, local_day_and_hour
from reports.rollups import TABLES, Deltas, record_return
from sales.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment

CHUNK = 5000


class _Moment:
    """Memoise the shop's day and hour of moments (a day's lines share their invoice's moment)."""

    def __init__(self):
        self.cache = {}

    def __call__(self, moment):
        if moment not in self.cache:
            self.cache[moment] = local_day_and_hour(moment)
        return self.cache[moment]


def _in_range(queryset, field: str, start: date | None, end: date | None):
    if start is None and end is None:
        return queryset
    since, until = day_bounds(start or date(1, 1, 2), end or date(9999, 12, 30))
    return queryset.filter(**{f"{field}__gte": since, f"{field}__lt": until})


def rollup_deltas(*, start: date | None = None, end: date | None = None) -> Deltas:
    """Return the rollup rows the raw tables give for the days from start to end (all days when not given)."""
    deltas, when = Deltas(), _Moment()
    invoices = _in_range(Invoice.objects.exclude(status=Invoice.Status.DRAFT), "issued_at", start, end)
    for issued_at, warehouse_id, status, *totals in invoices.values_list(
            "issued_at", "warehouse_id", "status", "grand_total", "taxable_total", "cgst_total", "sgst_total",
            "igst_total", "cess_total", "discount_total").iterator(chunk_size=CHUNK):
        day, hour = when(issued_at)
        if status == Invoice.Status.CANCELLED:
            deltas.cancelled_bill(day=day, hour=hour, warehouse_id=warehouse_id)
            continue
        grand_total, taxable, cgst, sgst, igst, cess, discount = totals
        deltas.bill(day=day, hour=hour, warehouse_id=warehouse_id, grand_total=grand_total, taxable=taxable,
                    cgst=cgst, sgst=sgst, igst=igst, cess=cess, discount=discount)
    lines = _in_range(InvoiceLine.objects.filter(invoice__status=Invoice.Status.COMPLETED), "invoice__issued_at",
                      start, end)
    for issued_at, warehouse_id, product_id, quantity, line_total, taxable, cgst, sgst, igst, cess, discount, \
            unit_cost in lines.values_list(
            "invoice__issued_at", "invoice__warehouse_id", "product_id", "quantity", "line_total", "taxable_value",
            "cgst", "sgst", "igst", "cess", "discount", "unit_cost").iterator(chunk_size=CHUNK):
        deltas.sale_line(day=when(issued_at)[0], product_id=product_id, warehouse_id=warehouse_id, quantity=quantity,
                         line_total=line_total, taxable=taxable, tax=cgst + sgst + igst + cess, discount=discount,
                         unit_cost=unit_cost)
    payments = _in_range(Payment.objects.filter(invoice__status=Invoice.Status.COMPLETED), "invoice__issued_at",
                         start, end)
    for issued_at, method, amount, status in payments.values_list(
            "invoice__issued_at", "method", "amount", "status").iterator(chunk_size=CHUNK):
        deltas.payment(day=when(issued_at)[0], method=method, amount=amount,
                       confirmed=status == Payment.Status.CONFIRMED)
    _returns(deltas, start=start, end=end)
    return deltas


def _returns(deltas: Deltas, *, start: date | None, end: date | None) -> None:
    notes = _in_range(CreditNote.objects.all(), "issued_at", start, end)
    lines_by_note: dict[int, list] = {}
    for note_id, *line in _in_range(CreditNoteLine.objects.all(), "credit_note__issued_at", start, end).values_list(
            "credit_note_id", "product_id", "quantity", "line_total", "taxable_value",
            "invoice_line__unit_cost").iterator(chunk_size=CHUNK):
        lines_by_note.setdefault(note_id, []).append(tuple(line))
    for pk, issued_at, grand_total, taxable, warehouse_id in notes.values_list(
            "pk", "issued_at", "grand_total", "taxable_total", "invoice__warehouse_id").iterator(chunk_size=CHUNK):
        record_return(deltas, issued_at=issued_at, grand_total=grand_total, taxable=taxable,
                      warehouse_id=warehouse_id, lines=lines_by_note.get(pk, []))


@transaction.atomic
def rollups_rebuild(*, start: date | None = None, end: date | None = None) -> dict[str, int]:
    """Replace the rollup rows of the days from start to end (every day when not given) by sums of the raw
    tables; return the number of rows written per table."""
    deltas = rollup_deltas(start=start, end=end)
    written = {}
    for model, _keys, _values in TABLES:
        rows = model.objects.all()
        if start is not None:
            rows = rows.filter(day__gte=start)
        if end is not None:
            rows = rows.filter(day__lte=end)
        rows.delete()
        new = [row for row in deltas.model_rows(model) if any(getattr(row, name) for name in _values)]
        model.objects.bulk_create(new, batch_size=2000)
        written[model._meta.model_name] = len(new)
    return written

