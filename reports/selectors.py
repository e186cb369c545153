"""What the dashboard, the reports and the summary emails read: one function per question, exact to the paisa.

`sales_summary` answers "how did we sell from `start` to `end`" (days inclusive, in the shop's time zone).
Without a cashier it reads the daily rollup tables (reports.models, kept by reports.rollups in the same
transaction as every sale, cancellation and return) for everything they carry, and the raw tables only
for the khata repayments and product names; with a cashier (a shift's view) it reads the raw tables, which
that filter keeps small. `use_rollups=False` forces the raw tables: the two must agree, and a test says so.

Which records count:
- a bill is a completed invoice issued in the range (cancelled ones are counted apart, by their issue day);
- payments are those of these bills, by method; UPI still awaiting its transaction number is apart;
- returns are credit notes issued in the range (whatever the invoice's date);
- cost is each sold line's quantity x the average cost stored on the line at the sale (InvoiceLine.unit_cost),
  rounded to the paisa per line; returned goods take their cost back at the same unit cost. The gross margin
  is (taxable value sold - taxable value returned) - (cost sold - cost returned): GST is not the shop's income.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import ExtractHour, Round, TruncDate
from django.utils import timezone

from catalog.models import Product
from ledger.models import CreditEntry
from reports.gst import gst_summary  # the GST seam lives with the returns; read from here as sales_summary is
from reports.periods import day_bounds, days_between
from sales.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from shop.models import User
from shop.money import QUANTITY_STEP, MoneySum, to_paise

__all__ = ["SalesSummary", "credit_collected", "gst_summary", "sales_summary"]

ZERO = Decimal("0.00")
TOP_PRODUCTS = 10


@dataclass(frozen=True)
class TopProduct:
    product_id: int
    name: str
    quantity: Decimal
    amount: Decimal


@dataclass(frozen=True)
class DaySales:
    day: date
    amount: Decimal
    bills: int


@dataclass(frozen=True)
class SalesSummary:
    """Sales from `start` to `end` (inclusive); every amount a Decimal to the paisa."""

    start: date
    end: date
    bills: int  # completed invoices
    sales_total: Decimal  # their grand totals (after round off)
    average_bill: Decimal
    taxable_total: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    cess: Decimal
    gst_total: Decimal  # cgst + sgst + igst + cess
    discount_total: Decimal
    by_method: dict[str, Decimal]  # confirmed payments of these bills, "credit" included; only methods used
    upi_awaiting: Decimal  # UPI on these bills still waiting for its transaction number
    by_hour: tuple[Decimal, ...]  # 24 amounts: grand totals by the hour the bill was made
    by_day: tuple[DaySales, ...]  # every day of the range, days without sales included
    top_products: tuple[TopProduct, ...]  # at most 10, by amount sold (line totals), then product id
    returns_total: Decimal  # credit notes issued in the range
    returns_count: int
    net_sales: Decimal  # sales_total - returns_total
    cancelled_count: int  # invoices of the range now cancelled
    credit_given: Decimal  # the credit (udhar) part of these bills
    credit_collected: Decimal  # khata repayments received in the range, less repayments reversed
    cost_total: Decimal  # cost of goods sold less cost of goods returned
    gross_margin: Decimal  # net taxable value - cost_total


def sales_summary(*, start: date, end: date, cashier: User | None = None, use_rollups: bool = True) -> SalesSummary:
    """Return the sales summary of the days from start to end, both included (a cashier's own, if given)."""
    if end < start:
        raise ValueError("The end of the range is before its start.")
    if use_rollups and cashier is None:
        from reports.rollup_reading import rollup_figures  # the rollups' reader; imported late, it reads models

        figures = rollup_figures(start=start, end=end)
    else:
        figures = _raw_figures(start=start, end=end, cashier=cashier)
    figures["credit_collected"] = credit_collected(start=start, end=end, cashier=cashier)
    return _summary(start=start, end=end, **figures)


def _summary(*, start: date, end: date, bills: int, sales: Decimal, taxable: Decimal, cgst: Decimal,
             sgst: Decimal, igst: Decimal, cess: Decimal, discount: Decimal, by_method: dict[str, Decimal],
             upi_awaiting: Decimal, by_hour: dict[int, Decimal], by_day: dict[date, tuple[Decimal, int]],
             top_products: list[TopProduct], returns_total: Decimal, returns_count: int, returns_taxable: Decimal,
             cancelled_count: int, cost: Decimal, returns_cost: Decimal, credit_collected: Decimal) -> SalesSummary:
    cost_total = cost - returns_cost
    return SalesSummary(
        start=start, end=end, bills=bills, sales_total=sales,
        average_bill=to_paise(sales / bills) if bills else ZERO,
        taxable_total=taxable, cgst=cgst, sgst=sgst, igst=igst, cess=cess, gst_total=cgst + sgst + igst + cess,
        discount_total=discount, by_method={method: amount for method, amount in sorted(by_method.items()) if amount},
        upi_awaiting=upi_awaiting,
        by_hour=tuple(by_hour.get(hour, ZERO) for hour in range(24)),
        by_day=tuple(DaySales(day, *by_day.get(day, (ZERO, 0))) for day in days_between(start, end)),
        top_products=tuple(top_products), returns_total=returns_total, returns_count=returns_count,
        net_sales=sales - returns_total, cancelled_count=cancelled_count,
        credit_given=by_method.get(Payment.Method.CREDIT, ZERO), credit_collected=credit_collected,
        cost_total=cost_total, gross_margin=taxable - returns_taxable - cost_total,
    )


def credit_collected(*, start: date, end: date, cashier: User | None = None) -> Decimal:
    """Return the khata repayments received in the range, less those reversed in it (received by `cashier`)."""
    since, until = day_bounds(start, end)
    entries = CreditEntry.objects.filter(created_at__gte=since, created_at__lt=until).filter(
        Q(kind=CreditEntry.Kind.PAYMENT) | Q(kind=CreditEntry.Kind.REVERSAL, reverses__kind=CreditEntry.Kind.PAYMENT))
    if cashier is not None:
        entries = entries.filter(created_by=cashier)
    return -entries.aggregate(total=MoneySum("amount"))["total"] + ZERO  # + ZERO turns -0.00 into 0.00


def quantity_sum(field: str) -> Sum:
    """Sum a 3-decimal quantity exactly on SQLite too: in thousandths, which floats add exactly."""
    return Sum(Round(F(field) * 1000), output_field=DecimalField(max_digits=20, decimal_places=3))


def thousandths(value) -> Decimal:
    return (Decimal(value or 0) / 1000).quantize(QUANTITY_STEP)


def line_cost(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    """Return the cost of a quantity at a unit cost, rounded to the paisa as every line amount is."""
    return to_paise(quantity * unit_cost)


def _raw_figures(*, start: date, end: date, cashier: User | None) -> dict:
    """Return the figures of sales_summary from the invoices, lines, payments and credit notes themselves."""
    zone = timezone.get_default_timezone()
    since, until = day_bounds(start, end)
    invoices = Invoice.objects.filter(issued_at__gte=since, issued_at__lt=until)
    notes = CreditNote.objects.filter(issued_at__gte=since, issued_at__lt=until)
    if cashier is not None:
        invoices = invoices.filter(cashier=cashier)
        notes = notes.filter(created_by=cashier)
    done = invoices.filter(status=Invoice.Status.COMPLETED)
    totals = done.aggregate(
        bills=Count("pk"), sales=MoneySum("grand_total"), taxable=MoneySum("taxable_total"),
        cgst=MoneySum("cgst_total"), sgst=MoneySum("sgst_total"), igst=MoneySum("igst_total"),
        cess=MoneySum("cess_total"), discount=MoneySum("discount_total"))
    payments = Payment.objects.filter(invoice__in=done)
    by_method = dict(payments.filter(status=Payment.Status.CONFIRMED).values_list("method")
                     .annotate(total=MoneySum("amount")).order_by())
    upi_awaiting = payments.filter(status=Payment.Status.AWAITING).aggregate(total=MoneySum("amount"))["total"]
    by_hour = dict(done.annotate(hour=ExtractHour("issued_at", tzinfo=zone)).values_list("hour")
                   .annotate(total=MoneySum("grand_total")).order_by())
    by_day = {day: (total, bills) for day, total, bills in
              done.annotate(day=TruncDate("issued_at", tzinfo=zone)).values_list("day")
              .annotate(total=MoneySum("grand_total"), bills=Count("pk")).order_by()}
    lines = InvoiceLine.objects.filter(invoice__in=done)
    top = list(lines.values("product_id").annotate(quantity=quantity_sum("quantity"), amount=MoneySum("line_total"))
               .order_by("-amount", "product_id")[:TOP_PRODUCTS])
    names = dict(Product.objects.filter(pk__in=[row["product_id"] for row in top]).values_list("pk", "name"))
    returned = notes.aggregate(count=Count("pk"), total=MoneySum("grand_total"), taxable=MoneySum("taxable_total"))
    # Cost in Python, line by line: each line's cost is rounded on its own, as the rollups store it.
    cost = sum((line_cost(q, c) for q, c in lines.values_list("quantity", "unit_cost").iterator(chunk_size=2000)),
               ZERO)
    returns_cost = sum((line_cost(q, c) for q, c in CreditNoteLine.objects.filter(credit_note__in=notes)
                        .values_list("quantity", "invoice_line__unit_cost").iterator(chunk_size=2000)), ZERO)
    return {
        **totals, "by_method": by_method, "upi_awaiting": upi_awaiting, "by_hour": by_hour, "by_day": by_day,
        "top_products": [TopProduct(row["product_id"], names.get(row["product_id"], ""), thousandths(row["quantity"]),
                                    row["amount"]) for row in top],
        "returns_total": returned["total"], "returns_count": returned["count"], "returns_taxable": returned["taxable"],
        "cancelled_count": invoices.filter(status=Invoice.Status.CANCELLED).count(),
        "cost": cost, "returns_cost": returns_cost,
    }
