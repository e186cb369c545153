"""Entry points: an invoice in, PDF bytes out."""

from django.db.models import Prefetch

from sales.documents.a4 import render_a4
from sales.documents.model import invoice_document
from sales.documents.receipt import render_receipt
from sales.models import Invoice, InvoiceLine, Payment


def document_file_name(number: str, suffix: str = "") -> str:
    """Return a document's PDF file name: its number with "/" (not allowed in file names) as "-"."""
    return f"{number.replace('/', '-')}{suffix}.pdf"


def invoice_with_lines(invoice: Invoice) -> Invoice:
    """Return the invoice with its customer, lines and payments loaded in three queries (as printed)."""
    if hasattr(invoice, "_prefetched_objects_cache") and "lines" in invoice._prefetched_objects_cache:
        return invoice
    return (Invoice.objects.select_related("customer")
            .prefetch_related(Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "pk")),
                              Prefetch("payments", queryset=Payment.objects.order_by("pk")))
            .get(pk=invoice.pk))


def invoice_pdf(invoice: Invoice) -> bytes:
    """Return the A4 tax invoice (or bill of supply) of an invoice as PDF bytes."""
    return render_a4(invoice_document(invoice_with_lines(invoice)))


def receipt_pdf(invoice: Invoice) -> bytes:
    """Return the 80 mm thermal receipt of an invoice as PDF bytes."""
    return render_receipt(invoice_document(invoice_with_lines(invoice)))
