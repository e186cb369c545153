"""Printed sales documents: the A4 tax invoice and the 80 mm thermal receipt, as PDF bytes."""

from sales.documents.render import document_file_name, invoice_pdf, invoice_with_lines, receipt_pdf

__all__ = ["document_file_name", "invoice_pdf", "invoice_with_lines", "receipt_pdf"]
