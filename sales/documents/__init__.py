"""Printed sales documents: the A4 tax invoice, the 80 mm thermal receipt and the credit note, as PDF bytes."""

from sales.documents.render import (
    credit_note_pdf,
    credit_note_receipt_pdf,
    credit_note_with_lines,
    document_file_name,
    invoice_pdf,
    invoice_with_lines,
    receipt_pdf,
)

__all__ = ["credit_note_pdf", "credit_note_receipt_pdf", "credit_note_with_lines", "document_file_name",
           "invoice_pdf", "invoice_with_lines", "receipt_pdf"]
