"""Report speed on years of sales: sales_summary for a day, a month and a year, and the invoice changelist.

Run by hand:  .venv/bin/python bench/reports.py [--products 100000] [--lines 1000000] [--db sqlite postgres]

For each database it builds a fresh one: seed_demo --products N, then M invoice lines over the two years
ending yesterday (about 5 lines a bill, shop hours 8:00-21:59; 1% of bills cancelled, 0.5% returned in
part, 10% UPI, 5% on credit). History is written by the BULK PATH: invoices, lines, payments and credit
notes with bulk_create, their amounts worked out as the pricing rules do (tax-inclusive, CGST = SGST,
odd paisa in the taxable value), but without checkout's stock movements, day book, khata and locks, which
reports do not read. The rollups are then built by `rebuild_rollups` (the property test
tests/reports/test_rollups_property.py proves a rebuild equals what checkout writes). On PostgreSQL it
runs ANALYZE (autovacuum is off on these machines) and every timing uses a NEW connection, so no plan
made on empty tables is reused (the timings run on that one new connection). Each figure is the median of
--runs runs (ms), after one warm-up run.
"""

import argparse
import json
import os
import random
import statistics
import time
from datetime import timedelta

from django_setup import run_on_databases, start_django

BILL_LINES = 5
CHUNK = 5000


def build_history(*, lines: int, seed: int = 7) -> dict:
    """Write `lines` invoice lines over the two years ending yesterday; return what was written."""
    from decimal import ROUND_HALF_UP, Decimal

    from django.db import transaction
    from django.utils import timezone

    from catalog.models import Product, Warehouse
    from reports.periods import day_bounds
    from sales.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
    from shop.models import User

    rng = random.Random(seed)
    paisa = Decimal("0.01")
    cashier = User.objects.get(username="cashier")
    warehouse = Warehouse.objects.get(is_default=True)
    catalogue = list(Product.objects.values_list("pk", "name", "selling_price", "cost_price", "tax_rate__rate",
                                                 "hsn_code"))
    yesterday = timezone.localdate() - timedelta(days=1)
    first_day = yesterday - timedelta(days=729)
    bills = max(1, lines // BILL_LINES)
    since, _until = day_bounds(first_day, first_day)
    seconds = 730 * 86400
    # Bill moments spread evenly over the two years, each moved into shop hours of its day.
    moments = sorted(since + timedelta(seconds=int(seconds * n / bills)) for n in range(bills))
    counts = {"invoices": 0, "lines": 0, "credit_notes": 0}

    def amounts(price: Decimal, quantity: Decimal, rate: Decimal):
        total = (price * quantity).quantize(paisa, ROUND_HALF_UP)
        half = (total * rate / (2 * (100 + rate))).quantize(paisa, ROUND_HALF_UP)
        return total, total - 2 * half, half

    for start in range(0, bills, CHUNK):
        with transaction.atomic():
            invoices, carts = [], []
            for n in range(start, min(bills, start + CHUNK)):
                moment = moments[n]
                local = timezone.localtime(moment)
                moment = local.replace(hour=8 + local.hour % 14, minute=local.minute)
                picked = [rng.choice(catalogue) for _ in range(BILL_LINES)]
                cart = []
                for position, (pk, name, price, cost, rate, hsn) in enumerate(picked):
                    quantity = Decimal(rng.choice((1, 1, 1, 2, 3)))
                    total, taxable, half = amounts(price, quantity, rate)
                    cart.append({"position": position, "product_id": pk, "description": name[:200],
                                 "hsn_code": hsn, "quantity": quantity, "unit": "pcs", "unit_price": price,
                                 "taxable_value": taxable, "tax_rate": rate, "cgst": half, "sgst": half,
                                 "line_total": total, "unit_cost": cost})
                grand = sum((c["line_total"] for c in cart), Decimal(0))
                status = Invoice.Status.CANCELLED if rng.random() < 0.01 else Invoice.Status.COMPLETED
                invoices.append(Invoice(
                    number=f"B/{n:09d}", financial_year="00-00", issued_at=moment, cashier=cashier,
                    warehouse=warehouse, place_of_supply="27", status=status, gross_total=grand,
                    taxable_total=sum((c["taxable_value"] for c in cart), Decimal(0)),
                    cgst_total=sum((c["cgst"] for c in cart), Decimal(0)),
                    sgst_total=sum((c["sgst"] for c in cart), Decimal(0)), grand_total=grand, amount_paid=grand))
                carts.append(cart)
            Invoice.objects.bulk_create(invoices)
            made_lines = InvoiceLine.objects.bulk_create(
                [InvoiceLine(invoice=invoice, **line) for invoice, cart in zip(invoices, carts, strict=True)
                 for line in cart])
            payments, notes, note_lines = [], [], []
            for invoice in invoices:
                roll = rng.random()
                method = "upi" if roll < 0.10 else "credit" if roll < 0.15 else "cash"
                payments.append(Payment(invoice=invoice, method=method, amount=invoice.grand_total,
                                        received_by=cashier, created_at=invoice.issued_at,
                                        reference=f"{invoice.pk:012d}" if method == "upi" else ""))
            for line in made_lines:
                invoice = line.invoice
                if invoice.status == Invoice.Status.COMPLETED and line.position == 0 and rng.random() < 0.005:
                    note = CreditNote(number=f"C/{invoice.pk:09d}", financial_year="00-00",
                                      issued_at=invoice.issued_at + timedelta(days=1), invoice=invoice,
                                      created_by=cashier, refund_method="cash", refund_amount=line.line_total,
                                      gross_total=line.line_total, taxable_total=line.taxable_value,
                                      cgst_total=line.cgst, sgst_total=line.sgst, grand_total=line.line_total)
                    notes.append(note)
                    note_lines.append(CreditNoteLine(
                        credit_note=note, invoice_line=line, product_id=line.product_id,
                        description=line.description, quantity=line.quantity, unit="pcs", unit_price=line.unit_price,
                        taxable_value=line.taxable_value, tax_rate=line.tax_rate, cgst=line.cgst, sgst=line.sgst,
                        line_total=line.line_total))
            Payment.objects.bulk_create(payments)
            CreditNote.objects.bulk_create(notes)
            CreditNoteLine.objects.bulk_create(note_lines)
            counts["invoices"] += len(invoices)
            counts["lines"] += len(made_lines)
            counts["credit_notes"] += len(notes)
    counts["first_day"], counts["last_day"] = first_day.isoformat(), yesterday.isoformat()
    return counts


def run_one(database_url: str, products: int, lines: int, runs: int) -> dict:
    """Build the database and measure; runs in its own process because Django is set up once per process."""
    start_django(database_url, settings="tests.settings")
    from datetime import date

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from reports.selectors import sales_summary
    from shop.models import User

    setup_test_environment()  # lets the test client's "testserver" host in
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", products=products, stdout=quiet)
    seed_s = time.perf_counter() - started
    started = time.perf_counter()
    counts = build_history(lines=lines)
    history_s = time.perf_counter() - started
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("rebuild_rollups", stdout=quiet)
    rebuild_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()  # a new connection: no plan made on empty tables survives

    last = date.fromisoformat(counts["last_day"])
    client = Client()
    client.force_login(User.objects.get(username="owner"))
    invoices_url = reverse("admin:sales_invoice_changelist")
    cases = [
        ("sales_summary: a day", lambda: sales_summary(start=last, end=last)),
        ("sales_summary: a month", lambda: sales_summary(start=last - timedelta(days=29), end=last)),
        ("sales_summary: a year", lambda: sales_summary(start=last - timedelta(days=364), end=last)),
        ("sales_summary raw: a day", lambda: sales_summary(start=last, end=last, use_rollups=False)),
        ("sales_summary raw: a month", lambda: sales_summary(start=last - timedelta(days=29), end=last,
                                                             use_rollups=False)),
        ("sales_summary raw: a year", lambda: sales_summary(start=last - timedelta(days=364), end=last,
                                                            use_rollups=False)),
        ("invoice changelist", lambda: client.get(invoices_url)),
        ("invoice changelist, cancelled", lambda: client.get(invoices_url, {"status__exact": "cancelled"})),
    ]
    timings = {}
    for label, work in cases:
        runs_here = max(1, runs // 4) if "raw: a year" in label else runs
        times = []
        for attempt in range(runs_here + 1):
            begin = time.perf_counter()
            result = work()
            if attempt:  # the first run warms Python's imports and caches, not the database's plans
                times.append((time.perf_counter() - begin) * 1000)
            if hasattr(result, "status_code"):
                assert result.status_code == 200, (label, result.status_code)
        timings[label] = statistics.median(times)
    year = sales_summary(start=last - timedelta(days=364), end=last)
    assert year == sales_summary(start=last - timedelta(days=364), end=last, use_rollups=False)
    return {"counts": counts, "seed_s": seed_s, "history_s": history_s, "rebuild_s": rebuild_s, "timings": timings,
            "year_bills": year.bills}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--single", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(run_one(args.single, args.products, args.lines, args.runs)))
        return
    results = run_on_databases(__file__, args.db, ["--products", str(args.products), "--lines", str(args.lines),
                                                   "--runs", str(args.runs)], name="galla_bench_reports")
    some = next(iter(results.values()))
    counts = some["counts"]
    print(f"\nReports on {args.products:,} products, {counts['lines']:,} invoice lines in {counts['invoices']:,} bills "
          f"and {counts['credit_notes']:,} credit notes, {counts['first_day']} to {counts['last_day']}")
    print("PostgreSQL: ANALYZE after seeding, then a new connection for the timings. Median of runs, ms.\n")
    header = f"{'':<34}" + "".join(f"{db:>12}" for db in results)
    print(header)
    print("-" * len(header))
    for label in some["timings"]:
        print(f"{label:<34}" + "".join(f"{r['timings'][label]:>12.1f}" for r in results.values()))
    for label, key in (("build history (s)", "history_s"), ("rebuild_rollups (s)", "rebuild_s")):
        print(f"{label:<34}" + "".join(f"{r[key]:>12.1f}" for r in results.values()))


if __name__ == "__main__":
    main()
