"""How long `seed_demo --days N` takes (the history `make run` writes), on SQLite and PostgreSQL.

Run by hand:  .venv/bin/python bench/seed_demo.py [--days 7 30 60] [--bills-per-day 30] [--db sqlite postgres]

Each size runs in its own process on a fresh, migrated database. Wall time counts waiting for the CPU
on a busy machine; CPU time is the process's own work, what an idle machine would take.
"""

import argparse
import json
import os
import time

from django_setup import run_on_databases, start_django


def run_one(database_url: str, days: int, bills_per_day: int) -> dict:
    start_django(database_url)
    from django.core.management import call_command

    from sales.models import Invoice

    wall, cpu = time.perf_counter(), time.process_time()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", days=days, bills_per_day=bills_per_day, stdout=quiet)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    invoices = Invoice.objects.count()
    return {"days": days, "invoices": invoices, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "invoices_per_cpu_s": round(invoices / cpu)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, nargs="+", default=[7, 30, 60])
    parser.add_argument("--bills-per-day", type=int, default=30)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--single", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(run_one(args.single, args.days[0], args.bills_per_day)))
        return
    print(f"seed_demo --days N --bills-per-day {args.bills_per_day}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'database':<10}{'days':>6}{'invoices':>10}{'wall s':>9}{'CPU s':>8}{'invoices/CPU s':>16}")
    for days in args.days:
        results = run_on_databases(__file__, args.db, ["--days", str(days), "--bills-per-day",
                                                        str(args.bills_per_day)], name="galla_bench_seed_demo")
        for database, row in results.items():
            print(f"{database:<10}{row['days']:>6}{row['invoices']:>10}{row['wall_s']:>9}{row['cpu_s']:>8}"
                  f"{row['invoices_per_cpu_s']:>16}")


if __name__ == "__main__":
    main()
