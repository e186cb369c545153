"""The figures of reports.selectors.sales_summary read from the daily rollup tables (whole paise, exact sums)."""

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from catalog.models import Product
from reports.models import DailyPaymentSales, DailyProductSales, HourlySales

TOP_PRODUCTS = 10


def rupees(value: int | None) -> Decimal:
    """Return whole paise as rupees with two decimals."""
    return Decimal(value or 0).scaleb(-2).quantize(Decimal("0.01"))


def units(value: int | None) -> Decimal:
    """Return thousandths as a quantity with three decimals."""
    return Decimal(value or 0).scaleb(-3).quantize(Decimal("0.001"))


def rollup_figures(*, start: date, end: date) -> dict:
    """Return the figures sales_summary needs for the days from start to end (not the khata's)."""
    from reports.selectors import TopProduct  # the selector's own type; imported here to keep one import direction

    in_range = {"day__gte": start, "day__lte": end}
    hours = HourlySales.objects.filter(**in_range)
    totals = hours.aggregate(*[Sum(name) for name in (
        "bills", "sales_paise", "taxable_paise", "cgst_paise", "sgst_paise", "igst_paise", "cess_paise",
        "discount_paise", "cancelled", "returns", "returns_paise", "returns_taxable_paise")])
    total = {name.removesuffix("__sum"): value or 0 for name, value in totals.items()}
    by_hour = {hour: rupees(paise) for hour, paise in
               hours.values_list("hour").annotate(total=Sum("sales_paise")).order_by()}
    by_day = {day: (rupees(paise), bills) for day, paise, bills in
              hours.values_list("day").annotate(total=Sum("sales_paise"), count=Sum("bills")).order_by()
              if bills or paise}
    payments = DailyPaymentSales.objects.filter(**in_range).values_list("method").annotate(
        confirmed=Sum("confirmed_paise"), awaiting=Sum("awaiting_paise")).order_by()
    by_method, awaiting = {}, 0
    for method, confirmed, waiting in payments:
        by_method[method] = rupees(confirmed)
        awaiting += waiting or 0
    products = DailyProductSales.objects.filter(**in_range)
    costs = products.aggregate(cost=Sum("cost_paise"), returned=Sum("returned_cost_paise"))
    top = list(products.values("product_id").annotate(quantity=Sum("quantity_milli"), amount=Sum("amount_paise"))
               .filter(lines__gt=0).order_by("-amount", "product_id")[:TOP_PRODUCTS])
    names = dict(Product.objects.filter(pk__in=[row["product_id"] for row in top]).values_list("pk", "name"))
    return {
        "bills": total["bills"], "sales": rupees(total["sales_paise"]), "taxable": rupees(total["taxable_paise"]),
        "cgst": rupees(total["cgst_paise"]), "sgst": rupees(total["sgst_paise"]), "igst": rupees(total["igst_paise"]),
        "cess": rupees(total["cess_paise"]), "discount": rupees(total["discount_paise"]),
        "by_method": by_method, "upi_awaiting": rupees(awaiting), "by_hour": by_hour, "by_day": by_day,
        "top_products": [TopProduct(row["product_id"], names.get(row["product_id"], ""), units(row["quantity"]),
                                    rupees(row["amount"])) for row in top],
        "returns_total": rupees(total["returns_paise"]), "returns_count": total["returns"],
        "returns_taxable": rupees(total["returns_taxable_paise"]), "cancelled_count": total["cancelled"],
        "cost": rupees(costs["cost"]), "returns_cost": rupees(costs["returned"]),
    }
