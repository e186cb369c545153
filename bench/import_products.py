"""Benchmark: import a 50,000-row products file (CSV and XLSX), each into a fresh SQLite database.

Run by hand:  .venv/bin/python bench/import_products.py [--rows 50000]
Prints: format, rows, seconds, rows/second, peak memory (MB). Target: CSV under 30 s and 300 MB.

Each format runs in its own child process, so each gets a fresh database and its own peak memory
(ru_maxrss of that process, which includes Django itself). The time covers reading the file and
the import (`catalog.importing.import_file`), not creating the database.
"""

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django_setup import start_django

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ["sku", "name", "barcode", "hsn_code", "category", "brand", "unit", "mrp", "selling_price", "cost_price",
           "tax_rate", "tax_inclusive", "reorder_level"]
CATEGORIES = ["Rice", "Atta", "Dal", "Oil", "Snacks", "Soap", "Tea", "Biscuits"]
BRANDS = ["Tata", "Amul", "Aashirvaad", "Fortune", "Parle", "Britannia"]
UNITS = ["pcs", "kg", "l", "pack"]
RATES = ["0", "5", "18", "GST 40%"]


def ean13(n: int) -> str:
    digits = f"890{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def product_rows(count: int):
    for n in range(count):
        price = 10 + n % 2000
        yield [f"SKU-{n:06d}", f"उत्पाद {n} Product", ean13(n), "1006", CATEGORIES[n % len(CATEGORIES)],
               BRANDS[n % len(BRANDS)], UNITS[n % len(UNITS)], f"{price + 5:,}.50", f"{price:,}.00",
               f"{price * 0.8:.2f}", RATES[n % len(RATES)], "yes", "5"]


def write_files(folder: Path, count: int) -> dict[str, Path]:
    import openpyxl

    csv_path = folder / "products.csv"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows(product_rows(count))
    xlsx_path = folder / "products.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for row in product_rows(count):
        sheet.append(row)  # everything as text, as many shop spreadsheets hold it
    book.save(xlsx_path)
    return {"CSV": csv_path, "XLSX": xlsx_path}


def run_one(file: Path, database: Path) -> dict:
    """In the child: create a fresh database, import the file, return the measurements."""
    start_django(f"sqlite:///{database}")
    from catalog.importing import import_file
    from catalog.models import Brand, Category, Product
    from shop.spreadsheets import SheetLimits

    Category.objects.bulk_create(Category(name=name) for name in CATEGORIES)
    Brand.objects.bulk_create(Brand(name=name) for name in BRANDS)

    started = time.perf_counter()
    report = import_file(kind="products", path_or_bytes=file, user=None, limits=SheetLimits.for_command())
    seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit("\n".join(str(error) for error in report.errors[:20]))
    return {"rows": Product.objects.count(), "seconds": seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--child", nargs=2, metavar=("FILE", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(Path(args.child[0]), Path(args.child[1]))))
        return

    with tempfile.TemporaryDirectory(prefix="galla-bench-") as tmp:
        folder = Path(tmp)
        files = write_files(folder, args.rows)
        print(f"{'format':<8}{'rows':>8}{'seconds':>10}{'rows/s':>10}{'peak MB':>10}")
        for name, file in files.items():
            database = folder / f"{name.lower()}.sqlite3"
            child = subprocess.run([sys.executable, __file__, "--child", str(file), str(database)],
                                   capture_output=True, text=True, check=False)
            if child.returncode:
                raise SystemExit(f"{name} import failed:\n{child.stdout}\n{child.stderr}")
            result = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"{name:<8}{result['rows']:>8,}{result['seconds']:>10.1f}"
                  f"{result['rows'] / result['seconds']:>10,.0f}{result['peak_mb']:>10.0f}")


if __name__ == "__main__":
    main()
