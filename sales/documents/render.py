"""Entry points: an invoice in, PDF bytes out."""

from django.db.models import Prefetch

from sales.documents.a4 import render_a4
from sales.documents.model import credit_note_document, invoice_document
from sales.documents.receipt import render_receipt
from sales.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, InvoiceLineDiscount, Payment


def document_file_name(number: str, suffix: str = "") -> str:
    """Return a document's PDF file name: its number with "/" (not allowed in file names) as "-"."""
    return f"{number.replace('/', '-')}{suffix}.pdf"


def invoice_with_lines(invoice: Invoice) -> Invoice:
    """Return the invoice with its customer, lines, their offers and payments loaded in four queries (as printed)."""
    if hasattr(invoice, "_prefetched_objects_cache") and "lines" in invoice._prefetched_objects_cache:
        return invoice
    return (Invoice.objects.select_related("customer")
            .prefetch_related(Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "pk")),
                              Prefetch("payments", queryset=Payment.objects.order_by("pk")),
                              Prefetch("lines__offers", queryset=InvoiceLineDiscount.objects.select_related("coupon")))
            .get(pk=invoice.pk))


def invoice_pdf(invoice: Invoice) -> bytes:
    """Return the A4 tax invoice (or bill of supply) of an invoice as PDF bytes."""
    return render_a4(invoice_document(invoice_with_lines(invoice)))


def receipt_pdf(invoice: Invoice) -> bytes:
    """Return the 80 mm thermal receipt of an invoice as PDF bytes."""
    return render_receipt(invoice_document(invoice_with_lines(invoice)))


def credit_note_with_lines(credit_note: CreditNote) -> CreditNote:
    """Return the credit note with its invoice, customer and lines loaded (as printed)."""
    if hasattr(credit_note, "_prefetched_objects_cache") and "lines" in credit_note._prefetched_objects_cache:
        return credit_note
    return (CreditNote.objects.select_related("invoice", "customer")
            .prefetch_related(Prefetch("lines", queryset=CreditNoteLine.objects.order_by("position", "pk")))
            .get(pk=credit_note.pk))


def credit_note_pdf(credit_note: CreditNote) -> bytes:
    """Return the A4 GST credit note as PDF bytes."""
    return render_a4(credit_note_document(credit_note_with_lines(credit_note)))


def credit_note_receipt_pdf(credit_note: CreditNote) -> bytes:
    """Return the 80 mm receipt of a credit note as PDF bytes."""
    return render_receipt(credit_note_document(credit_note_with_lines(credit_note)))
