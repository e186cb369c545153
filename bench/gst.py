"""GST returns' speed on a busy month (default 20,000 bills of 3 lines, 3% with a return), SQLite and PostgreSQL.

Run by hand:  .venv/bin/python bench/gst.py [--bills 20000] [--runs 5] [--db sqlite postgres]

Builds a fresh database (seed_demo for the shop and catalogue), writes last month's bills, lines,
credit notes and credit lines with bulk inserts priced by sales.pricing (bench only: the checkout
service is timed by bench/checkout.py), runs ANALYZE and opens a new connection, then times
gst_summary, GSTR-1, its portal JSON, GSTR-3B and the GSTR-1 page (median of --runs) with their queries.
"""

import argparse
import json
import os
import random
import statistics
import time
from datetime import datetime, timedelta
from decimal import Decimal

from django_setup import run_on_databases, start_django

STEPS = ["gst_summary (month)", "gstr1()", "GSTR-1 portal JSON", "gstr3b()", "GSTR-1 page", "GSTR-3B page"]


def _seed(bills: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import Product, Warehouse
    from ledger.models import Customer
    from sales.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
    from sales.pricing import LineInput, price_bill
    from shop.gst import gstin_check_character
    from shop.models import User

    rng = random.Random(7)
    cashier = User.objects.get(username="cashier")
    warehouse = Warehouse.objects.get(is_default=True)
    products = list(Product.objects.select_related("tax_rate", "unit")[:60])
    customers = [None] * 40
    for number in range(40):
        state = "27" if number % 3 else "29"
        gstin = ""
        if number % 4 == 0:
            head = f"{state}AABCB{number:04d}K1Z"
            gstin = head + gstin_check_character(head)
        customers.append(Customer.objects.create(name=f"Buyer {number}", phone=f"97{number:08d}", state=state,
                                                 gstin=gstin))
    first = timezone.localdate().replace(day=1) - timedelta(days=1)
    start = timezone.make_aware(datetime.combine(first.replace(day=1), datetime.min.time()))
    seconds = int((timezone.make_aware(datetime.combine(first, datetime.min.time())) - start).total_seconds()) + 86399
    with transaction.atomic():
        invoices, line_sets = [], []
        for number in range(1, bills + 1):
            customer = rng.choice(customers)
            inter_state = bool(customer and customer.state == "29")
            chosen = rng.sample(products, 3)
            inputs = [LineInput(unit_price=p.selling_price, quantity=Decimal(rng.randint(1, 4)),
                                tax_rate=p.tax_rate.rate, tax_inclusive=p.tax_inclusive) for p in chosen]
            bill = price_bill(inputs, inter_state=inter_state)
            invoices.append(Invoice(
                number=f"BEN/26-27/{number:05d}", financial_year="26-27",
                issued_at=start + timedelta(seconds=rng.randrange(seconds)), cashier=cashier, customer=customer,
                warehouse=warehouse, place_of_supply=customer.state if customer else "27", inter_state=inter_state,
                status="cancelled" if number % 97 == 0 else "completed", gross_total=bill.gross,
                discount_total=bill.discount, taxable_total=bill.taxable, cgst_total=bill.cgst, sgst_total=bill.sgst,
                igst_total=bill.igst, cess_total=bill.cess, round_off=bill.round_off, grand_total=bill.grand_total,
                amount_paid=bill.grand_total))
            line_sets.append([InvoiceLine(
                position=position, product=product, description=product.name, hsn_code=product.hsn_code,
                quantity=given.quantity, unit=product.unit.code, unit_price=product.selling_price,
                price_includes_tax=product.tax_inclusive, taxable_value=amounts.taxable, tax_rate=amounts.tax_rate,
                cgst=amounts.cgst, sgst=amounts.sgst, igst=amounts.igst, cess=amounts.cess, line_total=amounts.total)
                for position, (product, given, amounts) in enumerate(zip(chosen, inputs, bill.lines, strict=True), 1)])
        Invoice.objects.bulk_create(invoices, batch_size=2000)
        lines = []
        for invoice, invoice_lines in zip(invoices, line_sets, strict=True):
            for line in invoice_lines:
                line.invoice = invoice
                lines.append(line)
        InvoiceLine.objects.bulk_create(lines, batch_size=2000)
        notes, note_lines = [], []
        for index, invoice in enumerate(invoices):
            if index % 33 or invoice.status != "completed":
                continue
            line = line_sets[index][0]
            note = CreditNote(number=f"BENC/26-27/{len(notes) + 1:05d}", financial_year="26-27",
                              issued_at=invoice.issued_at + timedelta(hours=1), invoice=invoice,
                              customer=invoice.customer, created_by=cashier, refund_method="cash",
                              refund_amount=line.line_total, grand_total=line.line_total,
                              taxable_total=line.taxable_value, cgst_total=line.cgst, sgst_total=line.sgst,
                              igst_total=line.igst)
            notes.append(note)
            note_lines.append(CreditNoteLine(
                credit_note=note, invoice_line=line, product=line.product, description=line.description,
                hsn_code=line.hsn_code, quantity=line.quantity, unit=line.unit, unit_price=line.unit_price,
                taxable_value=line.taxable_value, tax_rate=line.tax_rate, cgst=line.cgst, sgst=line.sgst,
                igst=line.igst, line_total=line.line_total))
        CreditNote.objects.bulk_create(notes, batch_size=2000)
        CreditNoteLine.objects.bulk_create(note_lines, batch_size=2000)


def run_one(database_url: str, bills: int, runs: int) -> list[dict]:
    start_django(database_url, settings="tests.settings")
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from reports.gst import gst_summary, gstr1, gstr3b
    from reports.gst_json import gstr1_portal_json
    from shop.models import User

    setup_test_environment()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    _seed(bills)
    if connection.vendor == "postgresql":  # plans made on empty tables stay on a connection (DESIGN.md)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()
    month = timezone.localdate().replace(day=1) - timedelta(days=1)
    client = Client()
    client.force_login(User.objects.get(username="owner"))
    query = {"month": f"{month:%Y-%m}"}
    steps = {
        STEPS[0]: lambda: gst_summary(start=month.replace(day=1), end=month),
        STEPS[1]: lambda: gstr1(month=month),
        STEPS[2]: lambda: gstr1_portal_json(gstr1(month=month)),
        STEPS[3]: lambda: gstr3b(month=month),
        STEPS[4]: lambda: client.get(reverse("admin:reports_gstr1"), query),
        STEPS[5]: lambda: client.get(reverse("admin:reports_gstr3b"), query),
    }
    rows = []
    for label, step in steps.items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            step()
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            step()
        rows.append({"step": label, "p50": statistics.median(times), "queries": len(queries)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--single", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(run_one(args.single, args.bills, args.runs)))
        return
    results = run_on_databases(__file__, args.db, ["--bills", str(args.bills), "--runs", str(args.runs)],
                               name="galla_bench_gst")
    print(f"\nGST returns for a month of {args.bills:,} bills (3 lines each, 3% returned), median of {args.runs} "
          "runs (ms); PostgreSQL analysed after seeding, timed on a new connection\n")
    header = f"{'step':<24}" + "".join(f"{db + ' ms':>14}{'queries':>9}" for db in results)
    print(header)
    print("-" * len(header))
    for index, label in enumerate(STEPS):
        cells = "".join(f"{r[index]['p50']:>14.1f}{r[index]['queries']:>9}" for r in results.values())
        print(f"{label:<24}{cells}")


if __name__ == "__main__":
    main()
