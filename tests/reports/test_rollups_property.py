"""Property: after any sequence of sales, cancellations, returns and UPI confirmations at any hours, the rollup
tables kept by the services equal the sums of the raw tables, `rebuild_rollups` writes the same rows, and
sales_summary reads the same figures from the rollups as from the raw tables."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from catalog.models import Warehouse
from catalog.services import StockChange, stock_add_opening
from reports.rollup_rebuild import rollup_deltas
from reports.rollups import TABLES, milli
from reports.selectors import sales_summary
from sales.models import Invoice, InvoiceLine, Payment
from sales.payments import upi_payment_confirm
from sales.services import returnable_quantities, sale_quote
from shop.models import ShopProfile
from tests import factories
from tests.reports.shop_history import at, cancel_at, clock, return_at, sell_at

D = Decimal
MONDAY = date(2026, 11, 2)

products = st.lists(st.fixed_dictionaries({
    "price": st.one_of(st.decimals(min_value=D("0.01"), max_value=D("0.30"), places=2),
                       st.decimals(min_value=D("0.01"), max_value=D("900"), places=2)),
    "cost_share": st.integers(40, 110),  # cost as a percent of the price
    "rate": st.sampled_from(["0", "5", "18", "40"]),
    "inclusive": st.booleans(),
    "loose": st.booleans(),  # sold by the kg, in grams
}), min_size=1, max_size=3)
later = st.integers(0, 600)  # minutes after the previous event: sales cross hours and midnights
operations = st.lists(st.one_of(
    st.tuples(st.just("sell"), later, st.lists(st.tuples(st.integers(0, 2), st.integers(1, 2500)), min_size=1,
                                               max_size=3),
              st.sampled_from(["cash", "upi", "upi_awaiting", "credit"])),
    st.tuples(st.just("cancel"), later, st.integers(0, 20)),
    st.tuples(st.just("return"), later, st.integers(0, 20), st.integers(0, 2)),
    st.tuples(st.just("confirm"), later, st.integers(0, 20)),
), min_size=3, max_size=12)


def live_rows() -> dict:
    """Return every rollup row that is not all zeros, as {(table, key): values}."""
    rows = {}
    for model, keys, values in TABLES:
        for row in model.objects.values_list(*keys, *values):
            if any(row[len(keys):]):
                rows[model._meta.model_name, row[:len(keys)]] = tuple(row[len(keys):])
    return rows


def rebuilt_rows() -> dict:
    deltas = rollup_deltas()
    return {(model._meta.model_name, key): tuple(row) for model, _keys, _values in TABLES
            for key, row in deltas.rows[model].items() if any(row)}


def make_products(specs, owner):
    warehouse = Warehouse.objects.get(is_default=True)
    made = []
    for spec in specs:
        product = factories.ProductFactory(
            selling_price=spec["price"], cost_price=(spec["price"] * spec["cost_share"] / 100).quantize(D("0.01")),
            tax_rate=factories.tax_rate(spec["rate"]), tax_inclusive=spec["inclusive"],
            unit=factories.unit("kg" if spec["loose"] else "pcs"))
        stock_add_opening(entries=[StockChange(product, warehouse, D("100000"))], user=owner)
        made.append((product, spec["loose"]))
    return made


def run(operation, *, moment, made, owner, cashier, customer, utrs):
    kind, _minutes, *args = operation
    if kind == "sell":
        wanted, method = args
        lines = [(made[index % len(made)][0], D(amount) / 1000 if made[index % len(made)][1] else D(amount % 4 + 1))
                 for index, amount in wanted]
        cart = [{"product": product, "quantity": quantity} for product, quantity in lines]
        buyer = customer if method == "credit" else None
        with clock(moment):
            total = sale_quote(lines=cart, customer=buyer).bill.grand_total
        if not total:
            return
        payment = {"method": "upi" if method.startswith("upi") else method, "amount": total}
        if method == "upi":
            payment["reference"] = next(utrs)
        sell_at(moment, cashier, *lines, payments=[payment], customer=buyer)
        return
    invoices = list(Invoice.objects.filter(status=Invoice.Status.COMPLETED).order_by("pk"))
    if kind == "confirm":
        awaiting = list(Payment.objects.filter(status=Payment.Status.AWAITING, invoice__status="completed")
                        .order_by("pk"))
        if awaiting:
            with clock(moment):
                upi_payment_confirm(payment=awaiting[args[0] % len(awaiting)], utr=next(utrs), via="reference",
                                    user=owner)
        return
    if not invoices:
        return
    invoice = invoices[args[0] % len(invoices)]
    try:
        if kind == "cancel":
            cancel_at(moment, invoice, owner)
        else:
            left = returnable_quantities(invoice)
            lines = list(invoice.lines.order_by("pk"))
            line = lines[args[1] % len(lines)]
            if left[line.pk] <= 0:
                return
            back = min(left[line.pk], D("1"))
            quantities = ["0"] * len(lines)
            quantities[lines.index(line)] = str(back)
            return_at(moment, invoice, owner, *quantities,
                      refund_method="khata" if invoice.customer_id else "cash")
    except ValidationError:
        return  # refused as the shop would refuse it (returns before a cancel, money not yet received...)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Every kind of event at least once, across midnight: UPI awaiting then confirmed, a credit sale returned to
# the khata, a cash sale returned, another cancelled.
@example(specs=[{"price": D("10.01"), "cost_share": 73, "rate": "18", "inclusive": True, "loose": False},
                {"price": D("0.07"), "cost_share": 90, "rate": "5", "inclusive": False, "loose": True}],
         ops=[("sell", 0, [(0, 2), (1, 1250)], "upi_awaiting"), ("sell", 30, [(1, 333)], "credit"),
              ("sell", 500, [(0, 1)], "cash"), ("confirm", 200, 0), ("return", 10, 1, 0), ("return", 5, 2, 0),
              ("sell", 100, [(0, 3)], "upi"), ("cancel", 60, 3)],
         round_off=False)
@given(specs=products, ops=operations, round_off=st.booleans())
def test_rollups_equal_the_raw_tables_after_any_history(owner, cashier, specs, ops, round_off):
    with transaction.atomic():
        profile = ShopProfile.objects.get_profile()
        profile.round_off = round_off
        profile.save()
        made = make_products(specs, owner)
        customer = factories.CustomerFactory(credit_limit=D("10000000"))
        utrs = iter(f"{4000_0000_0000 + n}" for n in range(1000))
        moment = at(MONDAY, 8)
        for operation in ops:
            moment += timedelta(minutes=operation[1])
            run(operation, moment=moment, made=made, owner=owner, cashier=cashier, customer=customer, utrs=utrs)

        live = live_rows()
        assert live == rebuilt_rows()
        # Quantities per product against the lines themselves, independently of the shared Deltas code.
        sold = defaultdict(int)
        for product_id, quantity in InvoiceLine.objects.filter(invoice__status="completed").values_list(
                "product_id", "quantity"):
            sold[product_id] += milli(quantity)
        by_product = defaultdict(int)
        for (table, key), values in live.items():
            if table == "dailyproductsales":
                by_product[key[1]] += values[1]
        assert {k: v for k, v in by_product.items() if v} == {k: v for k, v in sold.items() if v}

        last = moment.date() + timedelta(days=1)
        for start, end in [(MONDAY, last), *((day, day) for day in (MONDAY + timedelta(n) for n in range(3)))]:
            assert sales_summary(start=start, end=end) == sales_summary(start=start, end=end, use_rollups=False)

        call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert live_rows() == live
        transaction.set_rollback(True)
