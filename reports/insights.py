"""Insights: what the shop's own sales and stock say an owner should look at today.

Every function here is a plain read of the raw tables (completed invoices and their lines, credit notes and
their lines, stock, products, suppliers and purchases, khata balances) over a bounded window of days,
aggregated in the database, and returns small frozen dataclasses. Each item carries a one-sentence `reason`
in plain words saying why it is shown. No external service is called.

Conventions shared by every function:
- Days are the shop's local days (settings.TIME_ZONE); a window "ending on `day`" includes `day`.
- Sales are completed invoices; cancelled ones never count. Returns (credit notes) count on the day the goods
  came back and are taken off that day's quantities and amounts: "net" means sold minus returned.
- Quantities are Decimals to 0.001 and amounts Decimals to the paisa, exact on SQLite too (summed in whole
  thousandths or paise, never as SQLite floats).
- Money at cost (stock value, losses below cost) is "cost-based": `insights_for_day` shows it only to users
  with `reports.view_profit`.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from itertools import batched, combinations

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round, TruncDate
from django.utils import timezone
from django.utils.functional import cached_property

from catalog.models import DEFAULT_LEAD_TIME_DAYS, Product, PurchaseLine, PurchaseReceipt, Stock
from catalog.selectors import with_stock_on_hand
from ledger.models import Customer
from sales.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from shop.models import User
from shop.money import QUANTITY_STEP, MoneySum, format_inr, format_quantity, to_paise

ZERO = Decimal("0")
HUNDRED = Decimal("100")
TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
RATIO_STEP = Decimal("0.0001")
# Robust z-score: 0.6745 turns the median absolute deviation into a standard deviation for normal data;
# when that deviation is zero, 1.253314 does the same for the mean absolute deviation (Iglewicz and Hoaglin).
MAD_SCALE = Decimal("0.6745")
MEAN_AD_SCALE = Decimal("1.253314")

# Default windows and margins of the methods below (insights_for_day uses these).
TREND_MIN_QUANTITY = Decimal("10")
COVER_WINDOW_DAYS = 28
SAFETY_DAYS = Decimal("2")
ORDER_DAYS = Decimal("14")
IDLE_WINDOW_DAYS = 90
SLOW_COVER_DAYS = 180
PAIRS_WINDOW_DAYS = 30
LOOKUP_BATCH = 2000  # ids per IN (...) list: SQLite allows 32,766 parameters in a statement

VIEW_REPORTS = "reports.view_reports"
VIEW_PROFIT = "reports.view_profit"


# --- Sums, days and words -------------------------------------------------------------------------------------


def _exact_quantity(value, expression, connection) -> Decimal:
    return Decimal(value).quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP) if value is not None else ZERO


class QuantitySum(ExpressionWrapper):
    """The sum of a quantity column, exact on SQLite too: added in whole thousandths (shop.money.MoneySum's way)."""

    def __init__(self, expression: str, **extra):
        super().__init__(Sum(Round(F(expression) * 1000), **extra) / 1000,
                         output_field=DecimalField(max_digits=20, decimal_places=3))

    @cached_property
    def convert_value(self):
        return _exact_quantity


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _between(field: str, first: date, last: date) -> Q:
    """Rows whose `field` (a datetime) falls on the local days first..last, both included (index-friendly)."""
    return Q(**{f"{field}__gte": _start_of(first), f"{field}__lt": _start_of(last + timedelta(days=1))})


def _completed_lines(first: date, last: date) -> QuerySet[InvoiceLine]:
    return InvoiceLine.objects.filter(_between("invoice__issued_at", first, last),
                                      invoice__status=Invoice.Status.COMPLETED)


def _credit_lines(first: date, last: date) -> QuerySet[CreditNoteLine]:
    return CreditNoteLine.objects.filter(_between("credit_note__issued_at", first, last))


@dataclass
class _Net:
    name: str
    by_period: dict[str, Decimal]

    def __getitem__(self, period: str) -> Decimal:
        return self.by_period[period]


def _net_by_product(periods: dict[str, tuple[date, date]], *, measure: str,
                    sold_at_least: dict[str, Decimal] | None = None) -> dict[int, _Net]:
    """Return {product id: its name and, per period name, its net quantity or amount} for products sold.

    Two queries whatever the number of periods: one over invoice lines, one over credit note lines, each
    grouped by product with one conditional sum per period. `measure` is "quantity" or "amount" (line totals,
    GST included, after every discount). `sold_at_least` {period: minimum} leaves out, in the database,
    products that sold less than that in the period before returns (so they cannot reach it net either).
    """
    first, last = min(p[0] for p in periods.values()), max(p[1] for p in periods.values())
    field = "quantity" if measure == "quantity" else "line_total"
    total = QuantitySum if measure == "quantity" else MoneySum
    sold = _completed_lines(first, last).values("product_id", "product__name").order_by().annotate(**{
        name: total(field, filter=_between("invoice__issued_at", start, end))
        for name, (start, end) in periods.items()}).filter(**{
        f"{name}__gte": minimum for name, minimum in (sold_at_least or {}).items()})
    returned = _credit_lines(first, last).values("product_id").order_by().annotate(**{
        name: total(field, filter=_between("credit_note__issued_at", start, end))
        for name, (start, end) in periods.items()})
    net = {row["product_id"]: _Net(row["product__name"], {name: row[name] for name in periods}) for row in sold}
    for row in returned:
        if row["product_id"] in net:  # goods only returned in the window were not sold in it
            for name in periods:
                net[row["product_id"]].by_period[name] -= row[name]
    return net


def _qty(quantity: Decimal) -> str:
    return format_quantity(quantity)


def _about(number: Decimal, step: Decimal = TENTH) -> str:
    """A figure rounded for a sentence: 10.25 -> "10.3", 4.0 -> "4"."""
    return format_quantity(number.quantize(step, rounding=ROUND_HALF_UP))


def _day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * HUNDRED / whole).quantize(HUNDREDTH, rounding=ROUND_HALF_UP) if whole else ZERO


# --- Trending products ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendingProduct:
    product_id: int
    name: str
    sold_this_week: Decimal
    weekly_average_before: Decimal
    ratio: Decimal | None  # this week / the weekly average before; None when nothing sold before
    reason: str


def trending_products(*, day: date, previous_weeks: int = 4, min_quantity: Decimal = TREND_MIN_QUANTITY,
                      min_ratio: Decimal = Decimal("1.5"), limit: int = 10) -> list[TrendingProduct]:
    """Return products selling much faster this week than before, fastest rise first.

    Method: net quantity sold in the 7 days ending on `day` ("this week") against the average weekly net
    quantity of the `previous_weeks` weeks before it. A product is trending when this week reaches
    `min_quantity` (so two packets instead of one is not a trend) and is at least `min_ratio` times that
    average, or when it sold nothing before (ratio None, listed first). Ties are broken by this week's
    quantity, then by name. Two queries.
    """
    week_start = day - timedelta(days=6)
    before_start = week_start - timedelta(weeks=previous_weeks)
    net = _net_by_product({"week": (week_start, day), "before": (before_start, week_start - timedelta(days=1))},
                          measure="quantity", sold_at_least={"week": min_quantity})
    items = []
    for product_id, sold in net.items():
        week, average = sold["week"], sold["before"] / previous_weeks
        if week < min_quantity:
            continue
        if average <= 0:
            ratio, reason = None, f"Sold {_qty(week)} this week and none in the previous {previous_weeks} weeks."
        else:
            ratio = (week / average).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
            reason = f"Sold {_qty(week)} this week against {_about(average)} a week over the previous {previous_weeks}."
            if ratio < min_ratio:
                continue
        items.append(TrendingProduct(product_id=product_id, name=sold.name, sold_this_week=week,
                                     weekly_average_before=average.quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP),
                                     ratio=ratio, reason=reason))
    items.sort(key=lambda i: (i.ratio is not None, -(i.ratio or ZERO), -i.sold_this_week, i.name, i.product_id))
    return items[:limit]


# --- Days of stock cover and reorder suggestions --------------------------------------------------------------


@dataclass(frozen=True)
class StockCover:
    product_id: int
    name: str
    on_hand: Decimal
    average_daily_sales: Decimal  # net quantity per day over the window, to 0.001
    days_of_cover: Decimal  # on hand / average daily sales, to 0.1; 0 when out of stock
    supplier_name: str  # "" when the product has no supplier on record
    lead_time_days: int
    safety_stock: Decimal
    reorder_point: Decimal
    suggested_quantity: Decimal  # 0 when the stock still lasts beyond the reorder point
    reason: str


def _ceil_to(quantity: Decimal, step: Decimal) -> Decimal:
    """Round a positive quantity up to a whole multiple of `step`."""
    return ((quantity / step).to_integral_value(rounding=ROUND_CEILING) * step).quantize(QUANTITY_STEP)


def stock_cover(*, day: date, window_days: int = COVER_WINDOW_DAYS, safety_days: Decimal = SAFETY_DAYS,
                order_days: Decimal = ORDER_DAYS, limit: int | None = None) -> list[StockCover]:
    """Return how many days each product sold in the window will last, and how much to order; emptiest first.

    Method, per product sold in the `window_days` ending on `day` (net of returns):
    - average daily sales = net quantity / `window_days`;
    - days of cover = stock on hand over all warehouses / average daily sales;
    - lead time = its usual supplier's `lead_time_days`, else that of the supplier of its last received
      purchase, else catalog.models.DEFAULT_LEAD_TIME_DAYS;
    - safety stock = average daily sales x `safety_days`;
    - reorder point = average daily sales x lead time + safety stock;
    - at or below the reorder point, suggest enough to reach reorder point + `order_days` of sales,
      rounded up to a whole multiple of the product's reorder quantity (its pack), or to a whole unit
      when it has none (to 0.001 for loose goods).
    Ties in cover go by name. Three queries.
    """
    first = day - timedelta(days=window_days - 1)
    net = _net_by_product({"window": (first, day)}, measure="quantity")
    return _stock_cover(net, "window", first=first, day=day, window_days=window_days, safety_days=safety_days,
                        order_days=order_days, to_order_only=False, limit=limit)


def reorder_suggestions(*, day: date, window_days: int = COVER_WINDOW_DAYS, safety_days: Decimal = SAFETY_DAYS,
                        order_days: Decimal = ORDER_DAYS, limit: int | None = None) -> list[StockCover]:
    """Return the products of `stock_cover` at or below their reorder point (same method), emptiest first."""
    first = day - timedelta(days=window_days - 1)
    net = _net_by_product({"window": (first, day)}, measure="quantity")
    return _stock_cover(net, "window", first=first, day=day, window_days=window_days, safety_days=safety_days,
                        order_days=order_days, to_order_only=True, limit=limit)


def _stock_cover(net: dict[int, _Net], period: str, *, first: date, day: date, window_days: int,
                 safety_days: Decimal, order_days: Decimal, to_order_only: bool,
                 limit: int | None) -> list[StockCover]:
    """Do stock_cover's work from net quantities already read (`period` of `net` covers first..day)."""
    last_purchase = (PurchaseLine.objects.filter(product=OuterRef("pk"), receipt__status=PurchaseReceipt.Status.DONE)
                     .order_by("-receipt__done_at", "-pk"))
    sold_in_window = _completed_lines(first, day).values("product_id")
    products = with_stock_on_hand(Product.objects.filter(pk__in=sold_in_window)).annotate(
        lead_time=Coalesce("default_supplier__lead_time_days",
                           Subquery(last_purchase.values("receipt__supplier__lead_time_days")[:1]),
                           Value(DEFAULT_LEAD_TIME_DAYS), output_field=IntegerField()),
        supplier=Coalesce("default_supplier__name", Subquery(last_purchase.values("receipt__supplier__name")[:1])),
    ).values_list("pk", "name", "on_hand", "lead_time", "supplier", "reorder_quantity", "unit__allows_fraction")
    found = []
    for product_id, name, on_hand, lead_time, supplier, reorder_quantity, loose in products:
        average = net[product_id][period] / window_days
        if average <= 0:  # as much returned as sold: no rate to plan with
            continue
        on_hand = Decimal(on_hand).quantize(QUANTITY_STEP)
        safety = (average * safety_days).quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP)
        reorder_point = (average * lead_time).quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP) + safety
        suggested = ZERO
        if on_hand <= reorder_point:
            pack = reorder_quantity if reorder_quantity > 0 else (QUANTITY_STEP if loose else Decimal("1"))
            suggested = _ceil_to(reorder_point + average * order_days - on_hand, pack)
        elif to_order_only:
            continue
        cover = (on_hand / average).quantize(TENTH, rounding=ROUND_HALF_UP) if on_hand > 0 else ZERO
        found.append((cover, name, product_id, on_hand, average, supplier or "", lead_time, safety, reorder_point,
                      suggested))
    found.sort(key=lambda f: f[:3])
    return [StockCover(
        product_id=product_id, name=name, on_hand=on_hand,
        average_daily_sales=average.quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP), days_of_cover=cover,
        supplier_name=supplier, lead_time_days=lead_time, safety_stock=safety, reorder_point=reorder_point,
        suggested_quantity=suggested,
        reason=_cover_reason(on_hand=on_hand, average=average, cover=cover, lead_time=lead_time,
                             safety_days=safety_days, supplier=supplier, suggested=suggested))
        for cover, name, product_id, on_hand, average, supplier, lead_time, safety, reorder_point, suggested
        in found[:limit]]


def _cover_reason(*, on_hand, average, cover, lead_time, safety_days, supplier, suggested) -> str:
    rate = _about(average, HUNDREDTH)
    lasts = (f"{_qty(on_hand)} left last {_about(cover)} days at {rate} a day" if on_hand > 0
             else f"Out of stock while selling {rate} a day")
    delivery = f"the {lead_time}-day delivery from {supplier}" if supplier else f"a {lead_time}-day delivery"
    if suggested:
        return (f"{lasts}, not enough to cover {delivery} plus {_about(safety_days)} safety days: "
                f"order {_qty(suggested)}.")
    return f"{lasts}, enough to cover {delivery} plus {_about(safety_days)} safety days."


# --- Slow-moving and dead stock -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdleStock:
    product_id: int
    name: str
    on_hand: Decimal
    sold_in_window: Decimal  # net quantity sold in the window
    days_of_cover: Decimal | None  # at the window's rate, to whole days; None for dead stock
    value_at_cost: Decimal  # on hand x the product's cost price, to the paisa
    is_dead: bool  # nothing sold in the window
    last_sold_on: date | None  # dead stock only: its last sale ever, None if never sold
    reason: str


def idle_stock(*, day: date, window_days: int = IDLE_WINDOW_DAYS, slow_cover_days: int = SLOW_COVER_DAYS,
               limit: int | None = 20) -> list[IdleStock]:
    """Return stock that is not selling, with the money tied up in it at cost; the most money first.

    Method: for every product with stock on hand (over all warehouses), its net quantity sold in the
    `window_days` ending on `day`. Dead: none sold (or more returned than sold). Slow: some sold, but at that
    rate the stock lasts more than `slow_cover_days`. Money tied up = on hand x the product's cost price
    (its average purchase cost, before GST). Ties in value go by name. For the dead items returned, their last
    sale ever is looked up (one more query per 2,000 of them). Cost-based. Four queries with a limit.
    """
    first = day - timedelta(days=window_days - 1)
    held = _stock_held()
    sold = _net_by_product({"window": (first, day)}, measure="quantity") if held else {}
    return _idle_stock(held, sold, "window", window_days=window_days, slow_cover_days=slow_cover_days, limit=limit)


def _stock_held() -> list[tuple[int, Decimal, str, Decimal]]:
    """Return (product id, on hand over all warehouses, name, cost price) of every product with stock: one query."""
    return list(Stock.objects.values("product_id").order_by()
                .annotate(on_hand=QuantitySum("quantity")).filter(on_hand__gt=0)
                .values_list("product_id", "on_hand", "product__name", "product__cost_price"))


def _idle_stock(held: list[tuple[int, Decimal, str, Decimal]], sold: dict[int, _Net], period: str, *,
                window_days: int, slow_cover_days: int, limit: int | None) -> list[IdleStock]:
    """Do idle_stock's work from the stock held and the net quantities already read."""
    found = []
    for product_id, on_hand, name, cost in held:
        quantity = sold[product_id][period] if product_id in sold else ZERO
        value = to_paise(on_hand * cost)
        if quantity <= 0:
            found.append((product_id, name, on_hand, ZERO, None, value))
            continue
        cover = (on_hand * window_days / quantity).to_integral_value(rounding=ROUND_HALF_UP)
        if cover > slow_cover_days:
            found.append((product_id, name, on_hand, quantity, cover, value))
    found.sort(key=lambda f: (-f[5], f[1], f[0]))
    found = found[:limit]
    last_sold = {}
    for dead in batched([f[0] for f in found if f[4] is None], LOOKUP_BATCH):  # one batch with the default limit
        last_sold |= {row["product_id"]: timezone.localdate(row["last"]) for row in (
            InvoiceLine.objects.filter(product_id__in=dead, invoice__status=Invoice.Status.COMPLETED)
            .values("product_id").order_by().annotate(last=Max("invoice__issued_at")))}
    items = []
    for product_id, name, on_hand, quantity, cover, value in found:
        if cover is None:
            last = last_sold.get(product_id)
            since = f"last sold on {_day_text(last)}" if last else "never sold"
            reason = (f"{_qty(on_hand)} in stock worth {format_inr(value)} at cost, with none sold in the last "
                      f"{window_days} days ({since}).")
        else:
            last = None
            reason = (f"{_qty(on_hand)} in stock worth {format_inr(value)} at cost, but only {_qty(quantity)} sold "
                      f"in the last {window_days} days: about {cover} days' worth.")
        items.append(IdleStock(product_id=product_id, name=name, on_hand=on_hand, sold_in_window=quantity,
                               days_of_cover=cover, value_at_cost=value, is_dead=cover is None, last_sold_on=last,
                               reason=reason))
    return items


# --- ABC classification ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductClass:
    product_id: int
    name: str
    revenue: Decimal  # net line totals (GST included) in the period
    share: Decimal  # percent of the period's revenue, to 0.01
    cumulative_share: Decimal  # percent brought by this product and every one ranked above it
    grade: str  # "A", "B" or "C"
    reason: str


def abc_grades(revenues: list[Decimal], *, a_share: Decimal = Decimal("80"),
               b_share: Decimal = Decimal("95")) -> list[str]:
    """Return the grade of each of `revenues` (positive, largest first): "A", "B" or "C".

    A while the revenues before it add up to less than `a_share` percent of the total (so the one that
    crosses 80% is A too), B while they add up to less than `b_share` percent, else C. Equal revenues share
    the grade of the first of them. Compared exactly, not on rounded percentages.
    """
    total = sum(revenues, ZERO)
    grades, above, grade, previous = [], ZERO, "", None
    for revenue in revenues:
        if revenue != previous:
            grade = "A" if above * HUNDRED < a_share * total else "B" if above * HUNDRED < b_share * total else "C"
            previous = revenue
        grades.append(grade)
        above += revenue
    return grades


def abc_classes(*, start: date, end: date, a_share: Decimal = Decimal("80"),
                b_share: Decimal = Decimal("95")) -> list[ProductClass]:
    """Return every product with net revenue in start..end, ranked by it and graded A, B or C.

    Method: products ranked by net revenue (line totals after discounts, GST included, minus returns, in
    the period), then graded by `abc_grades`: A while the products ranked above bring less than `a_share`
    percent of the total (the product crossing 80% is A too), B while less than `b_share`, else C; products
    with the same revenue share one grade. Products with no positive net revenue are left out. Ties in
    rank go by product id. Two queries.
    """
    net = _net_by_product({"period": (start, end)}, measure="amount")
    ranked = sorted(((pid, sold["period"]) for pid, sold in net.items() if sold["period"] > 0),
                    key=lambda r: (-r[1], r[0]))
    grades = abc_grades([revenue for _, revenue in ranked], a_share=a_share, b_share=b_share)
    total = sum((revenue for _, revenue in ranked), ZERO)
    items, cumulative = [], ZERO
    for (product_id, revenue), grade in zip(ranked, grades, strict=True):
        cumulative += revenue
        share, cumulative_share = _percent(revenue, total), _percent(cumulative, total)
        items.append(ProductClass(
            product_id=product_id, name=net[product_id].name, revenue=revenue, share=share,
            cumulative_share=cumulative_share, grade=grade,
            reason=(f"Brought {format_inr(revenue)} ({share}% of sales) from {_day_text(start)} to "
                    f"{_day_text(end)}; with the products above it, {cumulative_share}%: class {grade}.")))
    return items


# --- Frequently bought together -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductPair:
    product_id: int  # the product whose buyers most often take the other
    name: str
    with_product_id: int
    with_name: str
    bills_together: int
    support: Decimal  # share of all bills holding both, 0..1 to 0.0001
    confidence: Decimal  # share of the bills with `product` that also hold `with_product`, 0..1
    lift: Decimal  # how many times more often than if bought independently, to 0.01
    reason: str


def bought_together(*, start: date, end: date, min_support: Decimal = Decimal("0.01"), min_bills: int = 2,
                    min_lift: Decimal = Decimal("1"), limit: int = 10) -> list[ProductPair]:
    """Return pairs of products often on the same bill, the most frequent first.

    Method (association rules over completed bills in start..end, each product counted once per bill):
    support = bills with both / all bills; confidence = bills with both / bills with the first product
    (the direction with the higher confidence is shown); lift = support / (support of each alone multiplied).
    A pair is kept with support >= `min_support`, at least `min_bills` bills, and lift above `min_lift`.
    Ordered by bills together, then lift, then product ids. The window's (bill, product) pairs are read once and
    counted in Python, products below the minimum support pruned first (Apriori). Two queries.
    """
    baskets: dict[int, set[int]] = defaultdict(set)
    for invoice_id, product_id in _completed_lines(start, end).values_list("invoice_id", "product_id"):
        baskets[invoice_id].add(product_id)
    bills = len(baskets)  # a completed bill has at least one line
    if not bills:
        return []
    needed = max(min_bills, int((min_support * bills).to_integral_value(rounding=ROUND_CEILING)))
    counts = Counter(product_id for products in baskets.values() for product_id in products)
    frequent = {product_id for product_id, count in counts.items() if count >= needed}
    together: Counter[tuple[int, int]] = Counter()
    for products in baskets.values():
        together.update(combinations(sorted(products & frequent), 2))
    found = []
    for (a, b), both in together.items():
        lift = Decimal(both * bills) / (counts[a] * counts[b])
        if both < needed or lift <= min_lift:
            continue
        first, second = (a, b) if counts[a] <= counts[b] else (b, a)  # fewer bills alone: higher confidence
        found.append((first, second, both, Decimal(both) / bills, Decimal(both) / counts[first], lift))
    if not found:
        return []
    found.sort(key=lambda f: (-f[2], -f[5], f[0], f[1]))
    found = found[:limit]
    names = dict(Product.objects.filter(pk__in={f[0] for f in found} | {f[1] for f in found})
                 .values_list("pk", "name"))
    return [ProductPair(
        product_id=first, name=names[first], with_product_id=second, with_name=names[second], bills_together=both,
        support=support.quantize(RATIO_STEP, rounding=ROUND_HALF_UP),
        confidence=confidence.quantize(RATIO_STEP, rounding=ROUND_HALF_UP),
        lift=lift.quantize(HUNDREDTH, rounding=ROUND_HALF_UP),
        reason=(f"On {both} of {bills} bills together: {_about(confidence * HUNDRED, Decimal(1))}% of bills "
                f"with {names[first]} also had {names[second]}, {_about(lift)} times as often as by chance."))
        for first, second, both, support, confidence, lift in found]


# --- Unusual days ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnusualDay:
    day: date
    sales: Decimal  # net sales of the day: bills' totals minus returns' totals
    usual: Decimal  # median net sales of the same weekday in the weeks before
    robust_z: Decimal  # to 0.01; positive: above the usual
    reason: str

    @property
    def is_high(self) -> bool:
        return self.robust_z > 0


def _spans(days: set[date]) -> list[tuple[date, date]]:
    """Return the runs of consecutive days in `days`, as (first, last) pairs."""
    spans: list[tuple[date, date]] = []
    for day in sorted(days):
        if spans and spans[-1][1] == day - timedelta(days=1):
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def _daily_net_sales(days: set[date]) -> dict[date, Decimal]:
    """Return the net sales (completed invoice totals minus credit note totals) of each of `days` that had any.

    Two queries, reading only those days' rows (by the issued_at indexes): grouping by local date runs a
    Python function per row on SQLite, so a single day's history reads 9 days, not 9 weeks.
    """
    tz = timezone.get_current_timezone()
    on_days = Q()
    for first, last in _spans(days):
        on_days |= _between("issued_at", first, last)
    sales: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for rows, sign in ((Invoice.objects.filter(on_days, status=Invoice.Status.COMPLETED), 1),
                       (CreditNote.objects.filter(on_days), -1)):
        for day, total in (rows.annotate(day=TruncDate("issued_at", tzinfo=tz)).values("day").order_by()
                           .annotate(total=MoneySum("grand_total")).values_list("day", "total")):
            sales[day] += sign * total
    return sales


def robust_z(value: Decimal, history: list[Decimal]) -> tuple[Decimal, Decimal | None]:
    """Return the median of `history` and the robust z-score of `value` against it (None when undefined).

    z = 0.6745 x (value - median) / MAD, MAD being the median absolute deviation; when the MAD is zero, the
    mean absolute deviation x 1.253314 stands in; when that is zero too (every day the same), z is None.
    """
    median = statistics.median(history)
    deviations = [abs(x - median) for x in history]
    mad = statistics.median(deviations)
    if mad:
        return median, MAD_SCALE * (value - median) / mad
    mean_ad = sum(deviations, ZERO) / len(deviations)
    if mean_ad:
        return median, (value - median) / (MEAN_AD_SCALE * mean_ad)
    return median, None


def unusual_days(*, start: date, end: date, weeks: int = 8, min_history: int = 4,
                 threshold: Decimal = Decimal("3.5")) -> list[UnusualDay]:
    """Return the days in start..end whose net sales were far from that weekday's usual, furthest first.

    Method: each day is compared with the same weekday in the `weeks` weeks before it by the robust
    z-score (median and median absolute deviation, see `robust_z`); |z| >= `threshold` (3.5, Iglewicz and
    Hoaglin's cut-off) is unusual. Days with no sales count as zero, but only from the first day with sales
    among those read (a new shop has no history yet); a day needs `min_history` such weekdays before it.
    Two queries for the whole range.
    """
    days = {start + timedelta(days=n) for n in range((end - start).days + 1)}
    sales = _daily_net_sales({day - timedelta(weeks=n) for day in days for n in range(weeks + 1)})
    if not sales:
        return []
    opened = min(sales)
    items = []
    day = max(start, opened)
    while day <= end:
        history = [sales[past] for past in (day - timedelta(weeks=n) for n in range(1, weeks + 1)) if past >= opened]
        if len(history) >= min_history:
            usual, z = robust_z(sales[day], history)
            if z is not None and abs(z) >= threshold:
                z = z.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
                usual = to_paise(usual)
                direction = "above" if z > 0 else "below"
                items.append(UnusualDay(day=day, sales=sales[day], usual=usual, robust_z=z, reason=(
                    f"Sales of {format_inr(sales[day])} on {day:%A} {_day_text(day)} were far {direction} the "
                    f"usual {format_inr(usual)} of the last {len(history)} {day:%A}s.")))
        day += timedelta(days=1)
    items.sort(key=lambda i: (-abs(i.robust_z), i.day))
    return items


# --- Bills sold below cost ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BelowCostLine:
    invoice_id: int
    invoice_number: str
    sold_on: date
    product_id: int
    name: str
    quantity: Decimal
    net_unit_price: Decimal  # taxable value / quantity (after discounts, before GST), to the paisa
    unit_cost: Decimal  # average cost per unit when sold, before GST
    loss: Decimal  # cost x quantity - taxable value, to the paisa
    reason: str


def sold_below_cost(*, start: date, end: date, limit: int = 50) -> list[BelowCostLine]:
    """Return invoice lines of completed bills in start..end sold for less than they cost; biggest loss first.

    Method: a line is below cost when its taxable value (price after every discount, before GST) is less
    than its cost per unit at the time of sale x its quantity; the loss is the difference, to the paisa.
    Lines with no cost recorded (0) never count. Later returns do not undo it: the bill was made at that
    price. The database narrows the lines; the exact comparison is made again in Decimal. Cost-based.
    One query.
    """
    rows = (_completed_lines(start, end).filter(unit_cost__gt=0, taxable_value__lt=F("unit_cost") * F("quantity"))
            .values_list("invoice_id", "invoice__number", "invoice__issued_at", "product_id", "description",
                         "quantity", "taxable_value", "unit_cost"))
    items = []
    for invoice_id, number, issued_at, product_id, name, quantity, taxable, unit_cost in rows:
        loss = to_paise(unit_cost * quantity) - taxable
        if loss <= 0:
            continue
        net_price = to_paise(taxable / quantity)
        items.append(BelowCostLine(
            invoice_id=invoice_id, invoice_number=number, sold_on=timezone.localdate(issued_at),
            product_id=product_id, name=name, quantity=quantity, net_unit_price=net_price, unit_cost=unit_cost,
            loss=loss,
            reason=(f"Bill {number} sold {_qty(quantity)} × {name} at {format_inr(net_price)} each before GST "
                    f"against a cost of {format_inr(unit_cost)}: {format_inr(loss)} below cost.")))
    items.sort(key=lambda i: (-i.loss, i.invoice_number, i.product_id))
    return items[:limit]


# --- Customers who stopped buying -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LapsedCustomer:
    customer_id: int
    name: str
    phone: str
    visits: int  # days with a completed bill in the look-back window
    spent: Decimal  # their bills' totals in the window
    usual_gap_days: Decimal  # median days between visits, to 0.1
    last_bought_on: date
    days_since: int
    balance: Decimal  # what they owe on the khata now
    reason: str


def lapsed_customers(*, day: date, lookback_days: int = 180, min_visits: int = 4,
                     gap_multiple: Decimal = Decimal("3"), min_days: int = 14,
                     limit: int = 20) -> list[LapsedCustomer]:
    """Return regular customers who have not bought for much longer than usual; the biggest spenders first.

    Method: for each active customer, the days with a completed bill in the `lookback_days` ending on `day`.
    Regular means at least `min_visits` such days; the usual gap is the median of the days between
    consecutive visits. Lapsed means no bill for at least `gap_multiple` times the usual gap and at least
    `min_days`. Their khata balance (what they owe) is shown with them. Customers who bought in the last
    `min_days` or have fewer than `min_visits` bills are set aside by a grouped query first, so only the
    likely ones have their bills grouped by day (a Python function per row on SQLite), in a subquery of the
    same query. Ties in spending go by customer id. Two queries.
    """
    first = day - timedelta(days=lookback_days - 1)
    bills = Invoice.objects.filter(_between("issued_at", first, day), status=Invoice.Status.COMPLETED,
                                   customer__is_active=True)
    quiet = (bills.values("customer_id").order_by().annotate(bills=Count("pk"), last=Max("issued_at"))
             .filter(bills__gte=min_visits, last__lt=_start_of(day - timedelta(days=min_days - 1)))
             .values("customer_id"))
    rows = (bills.filter(customer_id__in=quiet)
            .annotate(day=TruncDate("issued_at", tzinfo=timezone.get_current_timezone()))
            .values("customer_id", "day").order_by().annotate(total=MoneySum("grand_total"))
            .values_list("customer_id", "day", "total"))
    visits: dict[int, list[date]] = defaultdict(list)
    spent: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for customer_id, visit, total in rows:
        visits[customer_id].append(visit)
        spent[customer_id] += total
    found = []
    for customer_id, days in visits.items():
        if len(days) < min_visits:
            continue
        days.sort()
        gap = statistics.median(Decimal((b - a).days) for a, b in zip(days, days[1:], strict=False))
        since = (day - days[-1]).days
        if since >= max(gap * gap_multiple, min_days):
            found.append((customer_id, len(days), gap, days[-1], since))
    if not found:
        return []
    found.sort(key=lambda f: (-spent[f[0]], f[0]))
    found = found[:limit]
    customers = Customer.objects.filter(pk__in=[f[0] for f in found]).annotate(
        owed=Coalesce("khata__balance", Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)))
    customers = {c.pk: c for c in customers.only("pk", "name", "phone")}
    items = [LapsedCustomer(
        customer_id=customer_id, name=customers[customer_id].name, phone=customers[customer_id].phone,
        visits=count, spent=spent[customer_id], usual_gap_days=gap.quantize(TENTH, rounding=ROUND_HALF_UP),
        last_bought_on=last, days_since=since, balance=to_paise(customers[customer_id].owed),
        reason=(f"Bought on {count} days, usually every {_about(gap)} days, but nothing in the {since} days "
                f"since {_day_text(last)}."))
        for customer_id, count, gap, last, since in found]
    return items


# --- The day's few insights -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Insight:
    kind: str  # one of KINDS
    title: str  # a short headline naming the product, customer, bill or day
    reason: str  # why it is shown, one sentence
    cost_based: bool  # built on cost prices: shown only to users with reports.view_profit
    detail: object  # the item it came from (TrendingProduct, StockCover, ...), for links and figures


# The order an owner acts on them: money lost first, then a day out of the ordinary, then stock.
KINDS = ("below_cost", "unusual_day", "reorder", "trending", "lapsed_customer", "dead_stock", "bought_together")
PER_KIND = 2


def _candidates(*, day: date, with_costs: bool) -> dict[str, list[Insight]]:
    found: dict[str, list[Insight]] = {}
    if with_costs:
        found["below_cost"] = [
            Insight("below_cost", f"{item.name} sold below cost on bill {item.invoice_number}", item.reason, True,
                    item) for item in sold_below_cost(start=day, end=day, limit=PER_KIND)]
    unusual = unusual_days(start=day, end=day)
    if day >= timezone.localdate():  # the day is not over: low sales so far are not news yet
        unusual = [item for item in unusual if item.is_high]
    found["unusual_day"] = [
        Insight("unusual_day", f"Unusually {'high' if item.is_high else 'low'} sales on {_day_text(item.day)}",
                item.reason, False, item) for item in unusual]
    # Reorder and idle stock read the stock sold in one query: the last 28 days, and 90 for idle stock.
    periods = {"cover": (day - timedelta(days=COVER_WINDOW_DAYS - 1), day)}
    if with_costs:
        periods["idle"] = (day - timedelta(days=IDLE_WINDOW_DAYS - 1), day)
    sold = _net_by_product(periods, measure="quantity")
    reorder = _stock_cover(sold, "cover", first=periods["cover"][0], day=day, window_days=COVER_WINDOW_DAYS,
                           safety_days=SAFETY_DAYS, order_days=ORDER_DAYS, to_order_only=True, limit=PER_KIND)
    found["reorder"] = [Insight("reorder", f"Reorder {item.name}", item.reason, False, item) for item in reorder]
    found["trending"] = [Insight("trending", f"{item.name} is selling fast", item.reason, False, item)
                         for item in trending_products(day=day, limit=PER_KIND)]
    found["lapsed_customer"] = [Insight("lapsed_customer", f"{item.name} has stopped coming", item.reason, False,
                                        item) for item in lapsed_customers(day=day, limit=PER_KIND)]
    if with_costs:
        found["dead_stock"] = [
            Insight("dead_stock", f"{item.name} is {'not selling' if item.is_dead else 'selling slowly'}",
                    item.reason, True, item)
            for item in _idle_stock(_stock_held(), sold, "idle", window_days=IDLE_WINDOW_DAYS,
                                    slow_cover_days=SLOW_COVER_DAYS, limit=PER_KIND)]
    found["bought_together"] = [
        Insight("bought_together", f"{item.name} and {item.with_name} sell together", item.reason, False, item)
        for item in bought_together(start=day - timedelta(days=PAIRS_WINDOW_DAYS - 1), end=day, limit=PER_KIND)]
    return found


def insights_for_day(*, day: date, user: User, limit: int = 6) -> list[Insight]:
    """Return the few most useful insights for `day`, for the dashboard and the daily summary.

    Only users who may open reports (`reports.view_reports`) get any; the cost-based kinds (sold below
    cost, slow and dead stock at cost) only users with `reports.view_profit`. Method: each kind gives its
    best items computed with the defaults above (the day's bills and unusual sales; reorder, trending,
    lapsed customers and idle stock as of the day; pairs over the 30 days ending on it; reorder and idle
    stock share one read of the quantities sold), then items are
    taken round by round, one of each kind in the order of KINDS, until `limit`. For the current day
    only unusually high sales are reported, since the day is not over. At most 17 queries for an owner and
    12 for a manager whatever the data's size (asserted in tests/reports/test_insights.py).
    """
    if not user.has_perm(VIEW_REPORTS):
        return []
    found = _candidates(day=day, with_costs=user.has_perm(VIEW_PROFIT))
    chosen: list[Insight] = []
    for round_ in range(PER_KIND):
        for kind in KINDS:
            items = found.get(kind, [])
            if round_ < len(items) and len(chosen) < limit:
                chosen.append(items[round_])
    return chosen
