"""Admin and counter page speed on a large catalogue (default 100,000 products), SQLite and PostgreSQL.

Run by hand:  .venv/bin/python bench/admin_pages.py [--products 100000] [--runs 20] [--db sqlite postgres]

Builds a fresh database with seed_demo, logs in through Django's test client and times each page
(median and p95 of --runs requests) with its number of SQL queries.
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from django_setup import run_on_databases, start_django

ROOT = Path(__file__).resolve().parents[1]

PAGES = [
    ("product list", "admin:catalog_product_changelist", {}),
    ("product search 'item 0999'", "admin:catalog_product_changelist", {"q": "item 0999"}),
    ("product search by SKU", "admin:catalog_product_changelist", {"q": "GEN-054321"}),
    ("products low stock", "admin:catalog_product_changelist", {"stock": "low"}),
    ("low-stock page", "admin:catalog_product_low_stock", {}),
    ("stock movements", "admin:catalog_stockmovement_changelist", {}),
    ("counter search 'staples'", "admin:sales_counter_search", {"q": "staples"}),
    ("counter search rare word", "admin:sales_counter_search", {"q": "zzzz"}),
    ("counter barcode scan", "admin:sales_counter_product", {"code": "barcode of GEN-054321"}),
]


def run_one(database_url: str, products: int, runs: int) -> list[dict]:
    start_django(database_url, settings="tests.settings")
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from reports.demo import demo_barcode
    from shop.models import User

    setup_test_environment()  # lets the test client's "testserver" host in
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", products=products, stdout=quiet)
    client = Client()
    client.force_login(User.objects.get(username="owner"))
    rows = []
    for label, name, params in PAGES:
        if params.get("code"):
            params = {"code": demo_barcode(100000 + min(54321, products))}  # seed_demo's barcode of that GEN- SKU
        url = reverse(name)
        client.get(url, params)  # warm up
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        rows.append({"page": label, "p50": statistics.median(times),
                     "p95": statistics.quantiles(times, n=20)[-1], "queries": len(queries)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--single", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(run_one(args.single, args.products, args.runs)))
        return
    results = run_on_databases(__file__, args.db, ["--products", str(args.products), "--runs", str(args.runs)],
                               name="galla_bench_admin")
    print(f"\nAdmin pages with {args.products:,} generated products, {args.runs} requests each (ms)\n")
    header = f"{'page':<30}" + "".join(f"{db + ' p50':>13}{db + ' p95':>13}{'queries':>9}" for db in results)
    print(header)
    print("-" * len(header))
    for index, (label, _name, _params) in enumerate(PAGES):
        cells = "".join(f"{r[index]['p50']:>13.1f}{r[index]['p95']:>13.1f}{r[index]['queries']:>9}"
                        for r in results.values())
        print(f"{label:<30}{cells}")


if __name__ == "__main__":
    main()
