"""Benchmark: milliseconds to print an invoice as the A4 PDF and as the 80 mm receipt.

Run by hand:  .venv/bin/python bench/pdf.py [--runs 50]
Builds invoices of 1, 10 and 100 lines in a throwaway SQLite database (migrate + seed_demo),
then times invoice_pdf and receipt_pdf over repeated runs; each run reloads the invoice from the
database (3 queries) as the admin view does. "+QR" rows are bills with UPI still due, so the
UPI QR code is encoded each run (its cache is cleared). Target: a 10-line A4 invoice under 50 ms.
"""

import argparse
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django_setup import start_django

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1, 10, 100)


def setup_django(folder: Path) -> None:
    start_django(f"sqlite:///{folder / 'bench.sqlite3'}")
    from reports.demo import seed_demo

    seed_demo(products=max(SIZES))


def make_invoice(lines: int, *, upi_due: bool):
    """Sell `lines` different products (the demo's Hindi-named ones first); cash, or UPI awaiting."""
    from catalog.models import Product
    from sales.services import checkout
    from shop.models import User

    products = list(Product.objects.order_by("pk")[:lines])
    cart = [{"product": p, "quantity": Decimal("1")} for p in products]
    total = sum((p.selling_price for p in products), Decimal(0)) + 1
    payments = [{"method": "upi", "amount": total - 1}] if upi_due else [{"method": "cash", "amount": total}]
    invoice = checkout(cashier=User.objects.get(username="cashier"), lines=cart, payments=payments)
    assert invoice.lines.count() == lines
    return invoice


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_runs(render, invoice, runs: int) -> tuple[list[float], int]:
    from sales.models import Invoice
    from sales.qr import qr_runs

    samples, size = [], 0
    for _ in range(runs):
        qr_runs.cache_clear()
        fresh = Invoice.objects.get(pk=invoice.pk)
        started = time.perf_counter()
        size = len(render(fresh))
        samples.append((time.perf_counter() - started) * 1000)
    return samples, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="galla-bench-") as tmp:
        setup_django(Path(tmp))
        from sales.documents import invoice_pdf, receipt_pdf

        cases = [(f"{n} line{'s' if n > 1 else ''}", make_invoice(n, upi_due=False)) for n in SIZES]
        cases.append(("10 lines +QR", make_invoice(10, upi_due=True)))
        started = time.perf_counter()
        invoice_pdf(cases[0][1])
        print(f"first PDF in this process (registers fonts): {(time.perf_counter() - started) * 1000:.0f} ms\n")
        print(f"{'invoice':<14}{'layout':<9}{'p50 ms':>8}{'p95 ms':>8}{'KB':>7}")
        for name, invoice in cases:
            for layout, render in (("A4", invoice_pdf), ("80 mm", receipt_pdf)):
                samples, size = time_runs(render, invoice, args.runs)
                print(f"{name:<14}{layout:<9}{statistics.median(samples):>8.1f}{percentile(samples, 0.95):>8.1f}"
                      f"{size / 1024:>7.0f}")


if __name__ == "__main__":
    main()
