"""Sales reports, read from the raw bills: plain keyword-only selectors, each returning a ReportTable.

The rules every report here follows:
- Sales are completed invoices issued in the period; cancelled ones are left out (their number stays in
  the series, their money never counted).
- Returns are credit notes issued in the period, whatever the date of the bill they go against; "net"
  means sales less returns. Filters by cashier and warehouse apply to a return through its invoice.
- Money is added exactly (MoneySum in paise, or Decimals in Python), so totals agree to the paisa.
- Each selector runs a fixed number of queries, however many rows it returns.
"""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractWeekDay, TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from catalog.models import Brand, Category, Product, Warehouse
from reports.pages import (
    COUNT,
    MONEY,
    PERCENT,
    QUANTITY,
    Column,
    Grouping,
    QuantitySum,
    ReportTable,
    add_columns,
    day_span,
    percent_of,
)
from sales.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from shop.models import User
from shop.money import MoneySum

ZERO = Decimal("0.00")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# --- What counts ----------------------------------------------------------------------------------


def completed_invoices(*, start: date, end: date, warehouse: Warehouse | None = None,
                       cashier: User | None = None) -> QuerySet[Invoice]:
    """Return the completed (not cancelled) invoices issued from start to end, shop time, both included."""
    since, until = day_span(start, end)
    bills = Invoice.objects.filter(status=Invoice.Status.COMPLETED, issued_at__gte=since, issued_at__lt=until)
    if warehouse is not None:
        bills = bills.filter(warehouse=warehouse)
    if cashier is not None:
        bills = bills.filter(cashier=cashier)
    return bills


def credit_notes_issued(*, start: date, end: date, warehouse: Warehouse | None = None,
                        cashier: User | None = None) -> QuerySet[CreditNote]:
    """Return the credit notes issued from start to end; warehouse and cashier are those of their invoice."""
    since, until = day_span(start, end)
    notes = CreditNote.objects.filter(issued_at__gte=since, issued_at__lt=until)
    if warehouse is not None:
        notes = notes.filter(invoice__warehouse=warehouse)
    if cashier is not None:
        notes = notes.filter(invoice__cashier=cashier)
    return notes


def _product_filter(prefix: str, *, category: Category | None, brand: Brand | None) -> Q:
    """Match products of a category (or one of its sub-categories) and of a brand."""
    condition = Q()
    if category is not None:
        condition &= Q(**{f"{prefix}category": category}) | Q(**{f"{prefix}category__parent": category})
    if brand is not None:
        condition &= Q(**{f"{prefix}brand": brand})
    return condition


def sold_lines(*, start, end, warehouse=None, cashier=None, category=None, brand=None) -> QuerySet[InvoiceLine]:
    bills = completed_invoices(start=start, end=end, warehouse=warehouse, cashier=cashier)
    return InvoiceLine.objects.filter(invoice__in=bills).filter(
        _product_filter("product__", category=category, brand=brand))


def returned_lines(*, start, end, warehouse=None, cashier=None, category=None, brand=None) -> QuerySet[CreditNoteLine]:
    notes = credit_notes_issued(start=start, end=end, warehouse=warehouse, cashier=cashier)
    return CreditNoteLine.objects.filter(credit_note__in=notes).filter(
        _product_filter("product__", category=category, brand=brand))


def _tax(prefix: str = "") -> F:
    return F(f"{prefix}cgst_total") + F(f"{prefix}sgst_total") + F(f"{prefix}igst_total") + F(f"{prefix}cess_total")


# --- Periods --------------------------------------------------------------------------------------

TRUNCATE = {Grouping.DAY: TruncDate, Grouping.WEEK: TruncWeek, Grouping.MONTH: TruncMonth}


def period_key(value: date | datetime) -> date:
    """Return the first day of the period a truncated value stands for (shop time)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def period_label(first_day: date, group: str) -> str:
    if group == Grouping.MONTH:
        return f"{first_day:%b %Y}"
    if group == Grouping.WEEK:
        return f"Week of {first_day:%d-%m-%Y}"
    return f"{first_day:%d-%m-%Y} {WEEKDAYS[first_day.weekday()]}"


def _by_period(queryset: QuerySet, group: str, **aggregates) -> dict[date, dict]:
    """Return the aggregates of a queryset per period of its issued_at, keyed by the period's first day."""
    truncate = TRUNCATE[group]("issued_at", tzinfo=timezone.get_current_timezone())
    rows = queryset.annotate(period=truncate).values("period").annotate(**aggregates).order_by()
    return {period_key(row.pop("period")): row for row in rows}


SALES_COLUMNS = [
    Column("Period"), Column("Bills", COUNT), Column("Gross", MONEY), Column("Discount", MONEY),
    Column("Billed", MONEY), Column("Returns", MONEY), Column("Net sales", MONEY), Column("Net taxable value", MONEY),
    Column("Net GST", MONEY),
]


def sales_by_period(*, start: date, end: date, group: str = Grouping.DAY, warehouse: Warehouse | None = None,
                    cashier: User | None = None) -> ReportTable:
    """Return sales per day, week or month: bills, gross, discount, billed (with round off), returns and net.

    Billed is what the bills came to (their grand totals); net sales = billed − returns (credit note
    totals); the net taxable value and GST are the invoices' less the credit notes'.
    """
    sold = _by_period(completed_invoices(start=start, end=end, warehouse=warehouse, cashier=cashier), group,
                      bills=Count("pk"), gross=MoneySum("gross_total"), discount=MoneySum("discount_total"),
                      billed=MoneySum("grand_total"), taxable=MoneySum("taxable_total"), tax=MoneySum(_tax()))
    back = _by_period(credit_notes_issued(start=start, end=end, warehouse=warehouse, cashier=cashier), group,
                      returned=MoneySum("grand_total"), taxable=MoneySum("taxable_total"), tax=MoneySum(_tax()))
    rows = []
    for period in sorted(sold.keys() | back.keys()):
        s = sold.get(period, {})
        r = back.get(period, {})
        billed, returned = s.get("billed", ZERO), r.get("returned", ZERO)
        rows.append([period_label(period, group), s.get("bills", 0), s.get("gross", ZERO), s.get("discount", ZERO),
                     billed, returned, billed - returned, s.get("taxable", ZERO) - r.get("taxable", ZERO),
                     s.get("tax", ZERO) - r.get("tax", ZERO)])
    return ReportTable(SALES_COLUMNS, rows, add_columns(rows, SALES_COLUMNS),
                       note="Completed bills (cancelled ones left out); returns are credit notes issued in the "
                            "period; net sales = billed − returns.")


# --- By product, category, brand ------------------------------------------------------------------


def _line_figures(lines: QuerySet, key: str, *, returned: bool) -> dict:
    # Keys unlike the field names: an annotation named "quantity" would hide the field from the cost's F().
    figures = {"units": QuantitySum("quantity"), "amount": MoneySum("line_total"),
               "off": MoneySum("discount"), "taxable": MoneySum("taxable_value")}
    if returned:
        # The cost of goods back on the shelf; goods written off stay a cost of the sale.
        figures["cost"] = MoneySum(F("quantity") * F("invoice_line__unit_cost"), filter=Q(restocked=True))
    else:
        figures["cost"] = MoneySum(F("quantity") * F("unit_cost"))
    return {row.pop(key): row for row in lines.values(key).annotate(**figures).order_by()}


def _sold_and_returned(*, key: str, start, end, warehouse, cashier, category, brand) -> tuple[dict, dict]:
    scope = {"start": start, "end": end, "warehouse": warehouse, "cashier": cashier, "category": category,
             "brand": brand}
    return (_line_figures(sold_lines(**scope), key, returned=False),
            _line_figures(returned_lines(**scope), key, returned=True))


def _net(sold: dict, back: dict, name: str) -> Decimal:
    return sold.get(name, ZERO) - back.get(name, ZERO)


PRODUCT_COLUMNS = [
    Column("Product"), Column("SKU"), Column("Sold", QUANTITY), Column("Returned", QUANTITY),
    Column("Net quantity", QUANTITY), Column("Discount", MONEY), Column("Sales", MONEY), Column("Returns", MONEY),
    Column("Net sales", MONEY),
]


def sales_by_product(*, start: date, end: date, warehouse: Warehouse | None = None, cashier: User | None = None,
                     category: Category | None = None, brand: Brand | None = None) -> ReportTable:
    """Return each product's quantity and amount sold, returned and net, largest net sales first.

    Amounts are line amounts as billed (after discounts, with GST), so bill round-offs are not in them.
    """
    sold, back = _sold_and_returned(key="product", start=start, end=end, warehouse=warehouse, cashier=cashier,
                                    category=category, brand=brand)
    products = Product.objects.only("name", "sku").in_bulk(sold.keys() | back.keys())
    rows = []
    for pk, product in products.items():
        s, r = sold.get(pk, {}), back.get(pk, {})
        rows.append([product.name, product.sku, s.get("units", ZERO), r.get("units", ZERO),
                     _net(s, r, "units"), s.get("off", ZERO), s.get("amount", ZERO), r.get("amount", ZERO),
                     _net(s, r, "amount")])
    rows.sort(key=lambda row: (-row[-1], row[0]))
    totals = add_columns(rows, PRODUCT_COLUMNS)
    totals[2:5] = [None, None, None]  # kilograms and pieces do not add up
    return ReportTable(PRODUCT_COLUMNS, rows, totals,
                       note="Line amounts after discounts, with GST; returns are credit notes issued in the period.")


GROUP_COLUMNS = [
    Column("Group"), Column("Discount", MONEY), Column("Sales", MONEY), Column("Returns", MONEY),
    Column("Net sales", MONEY), Column("Share of net sales", PERCENT),
]


def _group_rows(sold: dict, back: dict, names: dict, *, none_label: str) -> list[list]:
    rows = []
    for key in sold.keys() | back.keys():
        s, r = sold.get(key, {}), back.get(key, {})
        rows.append([names.get(key, none_label), s.get("off", ZERO), s.get("amount", ZERO),
                     r.get("amount", ZERO), _net(s, r, "amount"), None])
    total = sum((row[4] for row in rows), ZERO)
    for row in rows:
        row[5] = percent_of(row[4], total)
    rows.sort(key=lambda row: (-row[4], row[0]))
    return rows


def _group_table(rows: list[list], label: str, note: str) -> ReportTable:
    columns = [Column(label), *GROUP_COLUMNS[1:]]
    totals = add_columns(rows, columns)
    totals[5] = Decimal("100.0") if rows and totals[4] else None
    return ReportTable(columns, rows, totals, note=note)


def sales_by_category(*, start: date, end: date, warehouse: Warehouse | None = None, cashier: User | None = None,
                      brand: Brand | None = None) -> ReportTable:
    """Return sales, returns and net per product category, with each one's share of the net."""
    sold, back = _sold_and_returned(key="product__category", start=start, end=end, warehouse=warehouse,
                                    cashier=cashier, category=None, brand=brand)
    names = {pk: str(category) for pk, category in Category.objects.in_bulk(sold.keys() | back.keys() - {None}).items()}
    return _group_table(_group_rows(sold, back, names, none_label="No category"), "Category",
                        "Line amounts after discounts, with GST, by the product's category.")


def sales_by_brand(*, start: date, end: date, warehouse: Warehouse | None = None, cashier: User | None = None,
                   category: Category | None = None) -> ReportTable:
    """Return sales, returns and net per brand, with each one's share of the net."""
    sold, back = _sold_and_returned(key="product__brand", start=start, end=end, warehouse=warehouse,
                                    cashier=cashier, category=category, brand=None)
    names = dict(Brand.objects.filter(pk__in=sold.keys() | back.keys() - {None}).values_list("pk", "name"))
    return _group_table(_group_rows(sold, back, names, none_label="No brand"), "Brand",
                        "Line amounts after discounts, with GST, by the product's brand.")


# --- By cashier and payment mode ------------------------------------------------------------------

CASHIER_COLUMNS = [
    Column("Cashier"), Column("Bills", COUNT), Column("Discount", MONEY), Column("Billed", MONEY),
    Column("Average bill", MONEY), Column("Returns", MONEY), Column("Net sales", MONEY),
]


def sales_by_cashier(*, start: date, end: date, warehouse: Warehouse | None = None) -> ReportTable:
    """Return each cashier's bills, discounts, billed total and average bill, and the returns of their bills."""
    bills = completed_invoices(start=start, end=end, warehouse=warehouse)
    sold = {row.pop("cashier"): row for row in bills.values("cashier").annotate(
        bills=Count("pk"), discount=MoneySum("discount_total"), billed=MoneySum("grand_total")).order_by()}
    notes = credit_notes_issued(start=start, end=end, warehouse=warehouse)
    back = dict(notes.values("invoice__cashier").annotate(returned=MoneySum("grand_total"))
                .values_list("invoice__cashier", "returned").order_by())
    users = User.objects.in_bulk(sold.keys() | back.keys())
    rows = []
    for pk, user in users.items():
        s = sold.get(pk, {})
        billed, returned = s.get("billed", ZERO), back.get(pk, ZERO)
        average = (billed / s["bills"]).quantize(Decimal("0.01")) if s.get("bills") else None
        rows.append([user.get_full_name() or user.get_username(), s.get("bills", 0), s.get("discount", ZERO), billed,
                     average, returned, billed - returned])
    rows.sort(key=lambda row: (-row[-1], row[0]))
    totals = add_columns(rows, CASHIER_COLUMNS)
    totals[4] = (totals[3] / totals[1]).quantize(Decimal("0.01")) if totals[1] else None
    return ReportTable(CASHIER_COLUMNS, rows, totals,
                       note="Returns are counted against the cashier who made the bill.")


STORE_CREDIT = "store_credit"
PAYMENT_COLUMNS = [
    Column("Payment mode"), Column("Payments", COUNT), Column("Taken", MONEY), Column("Of which awaiting", MONEY),
    Column("Refunded", MONEY), Column("Net", MONEY),
]


def sales_by_payment_mode(*, start: date, end: date, warehouse: Warehouse | None = None,
                          cashier: User | None = None) -> ReportTable:
    """Return the money taken for the period's bills by mode, and the refunds of its returns.

    Taken: payments of completed bills (credit is udhar given; UPI still awaiting its transaction number
    is shown apart). Refunded: cash and UPI paid back, store credit given, and credit taken off the khata.
    """
    bills = completed_invoices(start=start, end=end, warehouse=warehouse, cashier=cashier)
    taken = {row.pop("method"): row for row in Payment.objects.filter(invoice__in=bills).values("method").annotate(
        payments=Count("pk"), taken=MoneySum("amount"),
        awaiting=MoneySum("amount", filter=Q(status=Payment.Status.AWAITING))).order_by()}
    notes = credit_notes_issued(start=start, end=end, warehouse=warehouse, cashier=cashier)
    refunded: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in notes.values("refund_method").annotate(refund=MoneySum("refund_amount"),
                                                      khata=MoneySum("khata_amount")).order_by():
        method = {CreditNote.RefundMethod.KHATA: Payment.Method.CREDIT}.get(row["refund_method"], row["refund_method"])
        refunded[method] += row["refund"]
        refunded[Payment.Method.CREDIT] += row["khata"]
    labels = {**dict(Payment.Method.choices), STORE_CREDIT: "Store credit"}
    rows = []
    for method, label in labels.items():
        t, back = taken.get(method, {}), refunded.get(method, ZERO)
        if t or back:
            amount = t.get("taken", ZERO)
            rows.append([str(label), t.get("payments", 0), amount, t.get("awaiting", ZERO), back, amount - back])
    return ReportTable(PAYMENT_COLUMNS, rows, add_columns(rows, PAYMENT_COLUMNS),
                       note="Credit (udhar) is money owed, not received; a return of a credit bill first comes off "
                            "the khata.")


# --- Hour of day x weekday ------------------------------------------------------------------------


def sales_heatmap(*, start: date, end: date, warehouse: Warehouse | None = None,
                  cashier: User | None = None) -> ReportTable:
    """Return the billed amount per hour of the day (rows) and weekday (columns), in shop time."""
    zone = timezone.get_current_timezone()
    bills = completed_invoices(start=start, end=end, warehouse=warehouse, cashier=cashier)
    cells = bills.annotate(hour=ExtractHour("issued_at", tzinfo=zone), weekday=ExtractWeekDay("issued_at", tzinfo=zone)
                           ).values("hour", "weekday").annotate(billed=MoneySum("grand_total")).order_by()
    grid: dict[int, list[Decimal]] = {}
    for cell in cells:
        # ExtractWeekDay counts from Sunday = 1; the table starts on Monday.
        grid.setdefault(cell["hour"], [ZERO] * 7)[(cell["weekday"] + 5) % 7] += cell["billed"]
    columns = [Column("Hour"), *(Column(day, MONEY) for day in WEEKDAYS), Column("Total", MONEY)]
    rows = [[f"{hour:02d}:00–{hour + 1:02d}:00", *amounts, sum(amounts, ZERO)]
            for hour, amounts in sorted(grid.items())]
    return ReportTable(columns, rows, add_columns(rows, columns), heat=True,
                       note="What the completed bills came to, by the hour and weekday they were made.")


# --- Discounts and returns ------------------------------------------------------------------------

DISCOUNT_COLUMNS = [
    Column("Period"), Column("Bills", COUNT), Column("Bills discounted", COUNT), Column("Discount given", MONEY),
    Column("Of which bill discount", MONEY), Column("Returns", COUNT), Column("Returned", MONEY),
    Column("Refunded (cash, UPI)", MONEY), Column("Off the khata", MONEY), Column("Store credit", MONEY),
]


def discounts_and_returns(*, start: date, end: date, group: str = Grouping.DAY, warehouse: Warehouse | None = None,
                          cashier: User | None = None) -> ReportTable:
    """Return per period the discounts given on completed bills and the returns taken, with how they were refunded.

    Discount given is every line's discount: the cashier's, the offers' and the share of the bill discount.
    """
    given = _by_period(completed_invoices(start=start, end=end, warehouse=warehouse, cashier=cashier), group,
                       bills=Count("pk"), discounted=Count("pk", filter=Q(discount_total__gt=0)),
                       discount=MoneySum("discount_total"), bill_off=MoneySum("bill_discount"))
    cash_or_upi = Q(refund_method__in=[CreditNote.RefundMethod.CASH, CreditNote.RefundMethod.UPI])
    back = _by_period(credit_notes_issued(start=start, end=end, warehouse=warehouse, cashier=cashier), group,
                      notes=Count("pk"), returned=MoneySum("grand_total"),
                      refunded=MoneySum("refund_amount", filter=cash_or_upi), khata=MoneySum("khata_amount"),
                      store=MoneySum("refund_amount", filter=Q(refund_method=CreditNote.RefundMethod.STORE_CREDIT)))
    rows = []
    for period in sorted(given.keys() | back.keys()):
        g, b = given.get(period, {}), back.get(period, {})
        rows.append([period_label(period, group), g.get("bills", 0), g.get("discounted", 0),
                     g.get("discount", ZERO), g.get("bill_off", ZERO), b.get("notes", 0),
                     b.get("returned", ZERO), b.get("refunded", ZERO), b.get("khata", ZERO), b.get("store", ZERO)])
    return ReportTable(DISCOUNT_COLUMNS, rows, add_columns(rows, DISCOUNT_COLUMNS),
                       note="Discounts of completed bills; returns by the day their credit note was issued.")


# --- Profit (owner only) --------------------------------------------------------------------------

PROFIT_COLUMNS = [
    Column("Product"), Column("Net quantity", QUANTITY), Column("Revenue", MONEY), Column("Cost", MONEY),
    Column("Margin", MONEY), Column("Margin %", PERCENT),
]


def _profit_row(label, s: dict, r: dict, *, with_quantity: bool) -> list:
    revenue, cost = _net(s, r, "taxable"), _net(s, r, "cost")
    row = [label, _net(s, r, "units") if with_quantity else None, revenue, cost, revenue - cost,
           percent_of(revenue - cost, revenue)]
    return row if with_quantity else [row[0], *row[2:]]


def _profit_table(rows: list[list], columns: list[Column], *, note: str) -> ReportTable:
    rows.sort(key=lambda row: (-row[-2], row[0]))
    totals = add_columns(rows, columns)
    if columns[1].kind == QUANTITY:
        totals[1] = None
    totals[-1] = percent_of(totals[-2], totals[-4])
    return ReportTable(columns, rows, totals, note=note)


PROFIT_NOTE = ("Revenue is the taxable value (without GST) net of returns; cost is each line's average cost at the "
               "sale, less the cost of returned goods put back on the shelf.")


def profit_by_product(*, start: date, end: date, warehouse: Warehouse | None = None,
                      category: Category | None = None, brand: Brand | None = None) -> ReportTable:
    """Return each product's revenue net of returns, cost, margin and margin %, largest margin first."""
    sold, back = _sold_and_returned(key="product", start=start, end=end, warehouse=warehouse, cashier=None,
                                    category=category, brand=brand)
    products = Product.objects.only("name").in_bulk(sold.keys() | back.keys())
    rows = [_profit_row(product.name, sold.get(pk, {}), back.get(pk, {}), with_quantity=True)
            for pk, product in products.items()]
    return _profit_table(rows, PROFIT_COLUMNS, note=PROFIT_NOTE)


def profit_by_category(*, start: date, end: date, warehouse: Warehouse | None = None,
                       brand: Brand | None = None) -> ReportTable:
    """Return each category's revenue net of returns, cost, margin and margin %."""
    sold, back = _sold_and_returned(key="product__category", start=start, end=end, warehouse=warehouse,
                                    cashier=None, category=None, brand=brand)
    names = {pk: str(category) for pk, category in Category.objects.in_bulk(sold.keys() | back.keys() - {None}).items()}
    rows = [_profit_row(names.get(key, "No category"), sold.get(key, {}), back.get(key, {}), with_quantity=False)
            for key in sold.keys() | back.keys()]
    columns = [Column("Category"), *PROFIT_COLUMNS[2:]]
    return _profit_table(rows, columns, note=PROFIT_NOTE)
