"""Insights (reports/insights.py) on a year of sales, SQLite and PostgreSQL.

Run by hand:  .venv/bin/python bench/insights.py [--products 10000] [--days 365] [--bills 300] [--lines 4]
                                                 [--customers 2000] [--runs 5] [--db sqlite postgres]

Builds a fresh database (seed_demo for the users and --products generated products with stock), then
bulk-inserts --days of completed bills (--bills a day, --lines lines each, popular products far more often,
a fifth of the bills to known customers) and a return on every fiftieth bill. The bulk path writes no
stock movements or day book lines: insights read only invoices, credit notes, stock and products.
PostgreSQL is ANALYZEd after seeding and a new connection opened (plans made on empty tables would stick).
Then each insight function is timed (median of --runs calls, with its number of SQL queries) for the last
day of the data, and insights_for_day for the owner.
"""

import argparse
import json
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django_setup import run_on_databases, start_django

CALLS = ["trending_products", "stock_cover", "idle_stock", "abc_classes (90 days)", "bought_together (30 days)",
         "unusual_days (yesterday)", "sold_below_cost (yesterday)", "lapsed_customers",
         "insights_for_day (owner)"]


def seed(*, days: int, bills: int, lines: int, customers: int) -> int:
    from django.utils import timezone

    from catalog.models import Product, Warehouse
    from ledger.models import Customer
    from ledger.selectors import day_start
    from sales.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
    from shop.models import User
    from shop.money import to_paise

    rng = random.Random(7)
    owner = User.objects.get(username="owner")
    warehouse = Warehouse.objects.get(is_default=True)
    products = list(Product.objects.values_list("pk", "name", "selling_price", "cost_price"))
    weights = [1 / (rank + 1) for rank in range(len(products))]  # Zipf: a few products sell most
    Customer.objects.bulk_create([Customer(name=f"Customer {i:05d}", phone=f"{9100000000 + i}")
                                  for i in range(customers)], batch_size=2000)
    customer_ids = list(Customer.objects.values_list("pk", flat=True))
    last_day = timezone.localdate() - timedelta(days=1)
    number = 0
    for day_index in range(days):
        day = last_day - timedelta(days=days - 1 - day_index)
        invoices, basket = [], []
        for _ in range(bills):
            number += 1
            at = day_start(day) + timedelta(hours=9, seconds=rng.randrange(12 * 3600))
            customer = rng.choice(customer_ids) if customer_ids and rng.random() < 0.2 else None
            chosen = {p[0]: p for p in rng.choices(products, weights=weights, k=lines)}.values()
            total = sum((p[2] for p in chosen), Decimal(0))
            invoices.append(Invoice(number=f"BN/{number:09d}", financial_year="25-26", issued_at=at, cashier=owner,
                                    customer_id=customer, warehouse=warehouse, place_of_supply="27",
                                    taxable_total=total, grand_total=total, amount_paid=total))
            basket.append(chosen)
        Invoice.objects.bulk_create(invoices, batch_size=2000)
        new_lines = [InvoiceLine(invoice=invoice, position=i, product_id=pk, description=name, quantity=1, unit="pcs",
                                 unit_price=price, taxable_value=to_paise(price / Decimal("1.18")), tax_rate=18,
                                 line_total=price, unit_cost=cost)
                     for invoice, chosen in zip(invoices, basket, strict=True)
                     for i, (pk, name, price, cost) in enumerate(chosen)]
        InvoiceLine.objects.bulk_create(new_lines, batch_size=5000)
        notes, note_lines = [], []
        for invoice in invoices[::50]:
            line = next(line for line in new_lines if line.invoice_id == invoice.pk)
            notes.append(CreditNote(number=f"BC/{invoice.number[3:]}", financial_year="25-26",
                                    issued_at=invoice.issued_at, invoice=invoice, created_by=owner,
                                    refund_method="cash", refund_amount=line.line_total,
                                    taxable_total=line.taxable_value, grand_total=line.line_total))
            note_lines.append(line)
        CreditNote.objects.bulk_create(notes)
        CreditNoteLine.objects.bulk_create([
            CreditNoteLine(credit_note=note, invoice_line=line, product_id=line.product_id,
                           description=line.description, quantity=1, unit="pcs", unit_price=line.unit_price,
                           taxable_value=line.taxable_value, tax_rate=18, line_total=line.line_total)
            for note, line in zip(notes, note_lines, strict=True)])
    return InvoiceLine.objects.count()


def run_one(database_url: str, products: int, days: int, bills: int, lines: int, customers: int, runs: int) -> dict:
    start_django(database_url, settings="tests.settings")
    import os

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from reports import insights
    from shop.models import User

    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", products=products, stdout=quiet)
    started = time.perf_counter()
    line_count = seed(days=days, bills=bills, lines=lines, customers=customers)
    seeding = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()

    day = timezone.localdate() - timedelta(days=1)
    owner = User.objects.get(username="owner")
    owner.has_perm("reports.view_reports")  # permissions cached, as on a request's user
    calls = [
        lambda: insights.trending_products(day=day),
        lambda: insights.stock_cover(day=day),
        lambda: insights.idle_stock(day=day),
        lambda: insights.abc_classes(start=day - timedelta(days=89), end=day),
        lambda: insights.bought_together(start=day - timedelta(days=29), end=day),
        lambda: insights.unusual_days(start=day, end=day),
        lambda: insights.sold_below_cost(start=day, end=day),
        lambda: insights.lapsed_customers(day=day),
        lambda: insights.insights_for_day(day=day, user=owner),
    ]
    rows = []
    for label, call in zip(CALLS, calls, strict=True):
        call()  # warm up
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            found = call()
            times.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            call()
        rows.append({"call": label, "p50": statistics.median(times), "queries": len(queries), "items": len(found)})
    return {"rows": rows, "seconds_to_seed": seeding, "lines": line_count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--bills", type=int, default=300)
    parser.add_argument("--lines", type=int, default=4)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--single", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = (args.products, args.days, args.bills, args.lines, args.customers, args.runs)
    if args.single:
        print(json.dumps(run_one(args.single, *sizes)))
        return
    options = ["--products", str(args.products), "--days", str(args.days), "--bills", str(args.bills), "--lines",
               str(args.lines), "--customers", str(args.customers), "--runs", str(args.runs)]
    results = run_on_databases(__file__, args.db, options, name="galla_bench_insights")
    print(f"\nInsights for the last day of {args.days} days x {args.bills} bills x up to {args.lines} lines, "
          f"{args.products:,} products; median of {args.runs} calls (ms); PostgreSQL ANALYZEd after seeding, "
          f"then a new connection")
    for database, result in results.items():
        print(f"  {database}: {result['lines']:,} invoice lines, seeded in {result['seconds_to_seed']:.0f} s")
    print()
    header = f"{'call':<30}" + "".join(f"{db + ' p50':>15}{'queries':>9}{'items':>7}" for db in results)
    print(header)
    print("-" * len(header))
    for index, label in enumerate(CALLS):
        cells = "".join(f"{r['rows'][index]['p50']:>15.1f}{r['rows'][index]['queries']:>9}"
                        f"{r['rows'][index]['items']:>7}" for r in results.values())
        print(f"{label:<30}{cells}")


if __name__ == "__main__":
    main()
