"""Udhar khata pages at 10,000 customers and 1,000,000 khata entries, SQLite and PostgreSQL.

Run by hand:  .venv/bin/python bench/customer_list.py [--customers 10000] [--entries 1000000] [--runs 15]
                                                       [--db sqlite postgres]

Builds a fresh database (seed_demo for the users), bulk-inserts the customers and a year of entries
(credit sales, repayments, opening balances), rebuilds the maintained balances the customer list reads,
runs ANALYZE on PostgreSQL and opens a new connection (plans made on empty tables would stick), then times
each page through Django's test client as the owner (median and p95 of --runs requests, with the number
of SQL queries). For comparison it also times the alternative the list does not use: one grouped
SUM over all entries per page (MoneySum annotation), and a repayment (the write that keeps the balance).
"of it SQL" is the time the page's queries took (Django's query log); the rest is Python and templates.
"""

import argparse
import json
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django_setup import run_on_databases, start_django

PAGES = [
    ("customer list (by name)", "admin:ledger_customer_changelist", {}),
    ("customer list by balance", "admin:ledger_customer_changelist", {"o": "-3"}),
    ("filter: owes something", "admin:ledger_customer_changelist", {"khata": "owes"}),
    ("filter: over the limit", "admin:ledger_customer_changelist", {"khata": "over_limit"}),
    ("filter: owed > 90 days", "admin:ledger_customer_changelist", {"owed_for": "90", "o": "5"}),
    ("search by phone", "admin:ledger_customer_changelist", {"q": "PHONE"}),
    ("customer page (100 entries)", "admin:ledger_customer_change", "pk"),
    ("statement page (90 days)", "admin:ledger_customer_statement", "pk"),
    ("statement PDF (a year)", "admin:ledger_customer_statement_pdf", "year"),
    ("receive payment: find", "admin:ledger_customer_receive_payment", {"q": "PHONE"}),
]


def seed(customers: int, entries: int) -> None:
    from django.utils import timezone

    from ledger.models import CreditEntry, Customer
    from ledger.posting import customer_balances_rebuild
    from ledger.selectors import day_start

    rng = random.Random(42)
    Customer.objects.bulk_create([
        Customer(name=f"{'रमेश' if i % 7 == 0 else 'Customer'} {i:05d}", phone=f"{9000000000 + i}",
                 credit_limit=Decimal(rng.choice([0, 2000, 5000, 10000, 25000])))
        for i in range(customers)], batch_size=2000)
    ids = list(Customer.objects.values_list("pk", flat=True))
    per_customer = entries // len(ids)
    today = timezone.localdate()
    batch: list = []
    for customer_id in ids:
        days = sorted(rng.randrange(0, 365) for _ in range(per_customer))
        balance = Decimal(0)
        for index, day in enumerate(reversed(days)):
            at = day_start(today - timedelta(days=day)) + timedelta(hours=10, minutes=index % 600)
            if index == 0:
                kind, amount = "opening", Decimal(rng.randrange(0, 500_000)) / 100 + 1
            elif balance > 200 and rng.random() < 0.45:
                kind, amount = "payment", -min(balance, Decimal(rng.randrange(5_000, 150_000)) / 100)
            else:
                kind, amount = "sale", Decimal(rng.randrange(5_000, 200_000)) / 100
            balance += amount
            batch.append(CreditEntry(customer_id=customer_id, kind=kind, amount=amount, created_at=at,
                                     method="cash" if kind == "payment" else ""))
        if len(batch) >= 20_000:
            CreditEntry.objects.bulk_create(batch, batch_size=5000)
            batch = []
    CreditEntry.objects.bulk_create(batch, batch_size=5000)
    customer_balances_rebuild()


def timed(client, url, params, runs) -> tuple[list[float], int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    count = len(queries)  # now: the next request empties Django's query log
    sql = []
    for _ in range(3):
        spent = [0.0]

        def timer(execute, *args, spent=spent):
            start = time.perf_counter()
            try:
                return execute(*args)
            finally:
                spent[0] += time.perf_counter() - start

        with connection.execute_wrapper(timer):
            client.get(url, params)
        sql.append(spent[0] * 1000)
    return times, count, statistics.median(sql)


def row(label: str, times: list[float], queries: int, sql: float | None = None) -> dict:
    return {"page": label, "p50": statistics.median(times), "p95": statistics.quantiles(times, n=20)[-1],
            "queries": queries, "sql": statistics.median(times) if sql is None else sql}


def run_one(database_url: str, customers: int, entries: int, runs: int) -> dict:
    start_django(database_url, settings="tests.settings")
    import os

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from ledger.models import CreditEntry, Customer
    from ledger.services import credit_payment_receive
    from shop.models import User
    from shop.money import MoneySum

    setup_test_environment()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    started = time.perf_counter()
    seed(customers, entries)
    seeding = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()  # a new connection: no plan cached from the empty tables

    owner = User.objects.get(username="owner")
    client = Client()
    client.force_login(owner)
    phone = str(9000000000 + min(4321, customers - 1))
    customer = Customer.objects.get(phone=phone)
    today = timezone.localdate()
    rows = []
    for label, name, params in PAGES:
        if params in ("pk", "year"):
            url = reverse(name, args=[customer.pk])
            params = {"start": (today - timedelta(days=364)).isoformat()} if params == "year" else {}
        else:
            url = reverse(name)
            params = {key: phone if value == "PHONE" else value for key, value in params.items()}
        rows.append(row(label, *timed(client, url, params, runs)))

    # The alternative the list does not use: every balance summed from the entries, for one page.
    grouped = []
    for _ in range(max(3, runs // 3)):
        start = time.perf_counter()
        list(Customer.objects.annotate(owed=MoneySum("credit_entries__amount")).order_by("-owed")[:100])
        grouped.append((time.perf_counter() - start) * 1000)
    rows.append(row("(grouped SUM, one page)", grouped, 1))

    # The write that keeps the maintained balance: a repayment (khata + balance + day book).
    writes = []
    for _ in range(runs):
        start = time.perf_counter()
        credit_payment_receive(customer=customer, amount="1.00", method="cash", user=owner)
        writes.append((time.perf_counter() - start) * 1000)
    rows.append(row("(a repayment, the write)", writes, 0))
    return {"rows": rows, "seconds_to_seed": seeding, "customers": Customer.objects.count(),
            "entries": CreditEntry.objects.count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--single", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(run_one(args.single, args.customers, args.entries, args.runs)))
        return
    results = run_on_databases(__file__, args.db, ["--customers", str(args.customers), "--entries",
                                                   str(args.entries), "--runs", str(args.runs)],
                               name="galla_bench_khata")
    print(f"\nUdhar khata pages, {args.runs} requests each (ms); PostgreSQL ANALYZEd after seeding, "
          f"then a new connection")
    for database, result in results.items():
        print(f"  {database}: {result['customers']:,} customers, {result['entries']:,} entries, "
              f"seeded in {result['seconds_to_seed']:.0f} s")
    print()
    header = f"{'page':<30}" + "".join(f"{db + ' p50':>14}{db + ' p95':>14}{'of it SQL':>10}{'queries':>9}"
                                       for db in results)
    print(header)
    print("-" * len(header))
    for index, (label, *_rest) in enumerate([*PAGES, ("(grouped SUM, one page)",), ("(a repayment, the write)",)]):
        cells = "".join(f"{r['rows'][index]['p50']:>14.1f}{r['rows'][index]['p95']:>14.1f}"
                        f"{r['rows'][index]['sql']:>10.1f}{r['rows'][index]['queries']:>9}" for r in results.values())
        print(f"{label:<30}{cells}")


if __name__ == "__main__":
    main()
