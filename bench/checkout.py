"""Checkout speed: 1,000 ten-line sales on a 100,000-product catalogue, on SQLite and PostgreSQL.

Run by hand:  .venv/bin/python bench/checkout.py [--sales 1000] [--products 100000] [--db sqlite postgres]

For each database it builds a fresh one (seed_demo --products N), then times checkout() one sale at
a time and, as the floor, the bare writes the same sale needs (invoice, lines, stock update,
movements, payment, day book) with no pricing, checks or locking. It prints p50/p95 latency,
checkouts per second and the ratio to the floor.
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from django_setup import run_on_databases, start_django

ROOT = Path(__file__).resolve().parents[1]


def run_one(database_url: str, sales: int, products: int) -> dict:
    """Build the database and measure; runs in its own process because Django is set up once per process."""
    start_django(database_url)
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from catalog.models import Product, Stock, StockMovement, Warehouse
    from ledger.models import DayBookEntry
    from sales.models import Invoice, InvoiceLine, Payment
    from sales.services import checkout
    from shop.models import User

    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", products=products, stdout=quiet)
    seed_seconds = time.perf_counter() - started
    cashier = User.objects.get(username="cashier")
    warehouse = Warehouse.objects.get(is_default=True)
    catalogue = list(Product.objects.filter(sku__startswith="GEN-").select_related("unit", "tax_rate")[:5000])

    def basket(n: int) -> list:
        return [catalogue[(n * 10 + i) % len(catalogue)] for i in range(10)]

    def timed(fn, n: int) -> float:
        begin = time.perf_counter()
        fn(n)
        return (time.perf_counter() - begin) * 1000

    def real_sale(n: int) -> None:
        checkout(cashier=cashier, lines=[{"product": p, "quantity": Decimal("1")} for p in basket(n)],
                 payments=[{"method": "cash", "amount": Decimal("100000")}], idempotency_key=f"bench-{n}")

    def bare_writes(n: int) -> None:
        products_in_basket = basket(n)
        now = timezone.now()
        with transaction.atomic():
            invoice = Invoice.objects.create(number=f"FLOOR/{n:07d}", financial_year="00-00", cashier=cashier,
                                             warehouse=warehouse, place_of_supply="27", grand_total=Decimal("100"))
            InvoiceLine.objects.bulk_create([
                InvoiceLine(invoice=invoice, product=p, description=p.name, quantity=1, unit="pcs", unit_price=1,
                            taxable_value=1, tax_rate=0, line_total=1) for p in products_in_basket])
            Stock.objects.filter(product__in=products_in_basket, warehouse=warehouse).update(quantity=F("quantity") - 0)
            StockMovement.objects.bulk_create([
                StockMovement(product=p, warehouse=warehouse, kind="sale", quantity=-1, balance_after=0, created_at=now)
                for p in products_in_basket])
            Payment.objects.create(invoice=invoice, method="cash", amount=100, received_by=cashier)
            DayBookEntry.objects.create(date=now.date(), kind="sale", method="cash", amount=100)

    for n in range(20):  # warm up connections and caches
        real_sale(-1 - n)
        bare_writes(-1 - n)
    real = [timed(real_sale, n) for n in range(sales)]
    floor = [timed(bare_writes, n) for n in range(sales)]

    def p(values, q):
        return statistics.quantiles(values, n=100)[q - 1]

    return {"seed_s": seed_seconds, "p50": statistics.median(real), "p95": p(real, 95),
            "per_s": 1000 / statistics.mean(real), "floor_p50": statistics.median(floor), "floor_p95": p(floor, 95)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=1000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--single", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(run_one(args.single, args.sales, args.products)))
        return

    rows = run_on_databases(__file__, args.db, ["--sales", str(args.sales), "--products", str(args.products)],
                            name="galla_bench").items()

    print(f"\n{args.sales} checkouts of 10 lines, catalogue of {args.products:,} generated products\n")
    header = (f"{'database':<10} {'seed s':>7} {'p50 ms':>7} {'p95 ms':>7} {'sales/s':>8} {'floor p50':>10} "
              f"{'floor p95':>10} {'p50/floor':>10}")
    print(header)
    print("-" * len(header))
    for db, r in rows:
        print(f"{db:<10} {r['seed_s']:>7.1f} {r['p50']:>7.2f} {r['p95']:>7.2f} {r['per_s']:>8.1f} "
              f"{r['floor_p50']:>10.2f} {r['floor_p95']:>10.2f} {r['p50'] / r['floor_p50']:>9.2f}x")


if __name__ == "__main__":
    main()
