"""Render the sample documents kept under docs/ from a realistic demo bill.

Run by hand, in the test venv (make venv-dev):  .venv/bin/python bench/render_samples.py [--out docs]
Writes invoice-a4.pdf/.png and receipt-80mm.pdf/.png: Sharma Kirana Store (with a made-up logo),
Hindi product names, items at 0, 5, 18 and 40% GST, a line discount, a customer buying partly
on credit, and a split payment of cash plus UPI still awaiting confirmation. Then credit-note-a4.pdf/.png
and credit-note-80mm.pdf/.png: some of that bill brought back (the discounted atta among it), taken off
the khata first and the rest refunded in cash, one line written off as damaged.
Uses a throwaway SQLite database and media folder; page 1 of each PDF is rasterised with PDFium (pypdfium2).
"""

import argparse
import tempfile
from decimal import Decimal
from pathlib import Path

from django_setup import start_django

ROOT = Path(__file__).resolve().parent.parent


def setup_django(folder: Path) -> None:
    start_django(f"sqlite:///{folder / 'samples.sqlite3'}", MEDIA_ROOT=str(folder / "media"))
    from reports.demo import seed_demo

    seed_demo()


def demo_logo() -> bytes:
    """Return a small PNG logo: a saffron disc with the shop's initials."""
    import io

    import fontpkg
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), fill=(233, 116, 37, 255))
    font = ImageFont.truetype(str(fontpkg.path("Mukta", weight=700)), 96)
    draw.text((120, 124), "SK", fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def demo_invoice():
    """Sell the demo bill through checkout and return the invoice."""
    from django.core.files.base import ContentFile

    from catalog.models import Product
    from ledger.models import Customer
    from sales.services import checkout
    from shop.models import ShopProfile, User

    profile = ShopProfile.objects.get_profile()
    if not profile.logo:
        profile.logo.save("sharma-kirana.png", ContentFile(demo_logo()), save=True)
    customer, _ = Customer.objects.get_or_create(
        phone="9876543210", defaults={"name": "Priya Deshmukh", "credit_limit": Decimal("5000"),
                                      "address": "Flat 4, Shanti Niwas, Ranade Road, Dadar West, Mumbai 400028"})
    products = {p.sku: p for p in Product.objects.all()}
    lines = [("RICE-BASMATI", "2.5", "0"), ("DAL-TOOR", "1", "0"), ("ATTA-5KG", "1", "10"), ("SALT-1KG", "2", "0"),
             ("BUTTER-100G", "2", "0"), ("SURF-1KG", "1", "0"), ("COKE-750", "2", "0")]
    cashier = User.objects.get(username="cashier")
    return checkout(
        cashier=cashier, customer=customer,
        lines=[{"product": products[sku], "quantity": Decimal(q), "discount": Decimal(d)} for sku, q, d in lines],
        payments=[{"method": "cash", "amount": Decimal("500")}, {"method": "upi", "amount": Decimal("400")},
                  {"method": "credit", "amount": Decimal("347")}],
        approved_by=User.objects.get(username="manager"))


def demo_credit_note(invoice):
    """Take part of the demo bill back through return_create and return the credit note."""
    from sales.services import return_create
    from shop.models import User

    lines = {line.product.sku: line for line in invoice.lines.select_related("product")}
    return return_create(
        invoice=invoice, user=User.objects.get(username="cashier"), refund_method="cash",
        reason="Atta packet torn; soap not needed",
        lines=[{"line": lines["ATTA-5KG"], "quantity": Decimal("1"), "restock": False, "reason": "damage"},
               {"line": lines["SURF-1KG"], "quantity": Decimal("1")},
               {"line": lines["SALT-1KG"], "quantity": Decimal("1")}])


def rasterise(pdf: Path, png: Path, resolution: int) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        document[0].render(scale=resolution / 72).to_pil().convert("RGB").save(png)
    finally:
        document.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="galla-samples-") as tmp:
        setup_django(Path(tmp))
        from sales.documents import credit_note_pdf, credit_note_receipt_pdf, invoice_pdf, receipt_pdf

        invoice = demo_invoice()
        credit_note = demo_credit_note(invoice)
        args.out.mkdir(parents=True, exist_ok=True)
        for name, render, document, resolution in [
                ("invoice-a4", invoice_pdf, invoice, 100), ("receipt-80mm", receipt_pdf, invoice, 150),
                ("credit-note-a4", credit_note_pdf, credit_note, 100),
                ("credit-note-80mm", credit_note_receipt_pdf, credit_note, 150)]:
            pdf = args.out / f"{name}.pdf"
            pdf.write_bytes(render(document))
            rasterise(pdf, args.out / f"{name}.png", resolution)
            print(f"wrote {pdf} and {pdf.with_suffix('.png')}")


if __name__ == "__main__":
    main()
