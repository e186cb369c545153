"""Printed sales documents: the A4 tax invoice and the 80 mm thermal receipt, as PDF bytes."""

from sales.documents.render import invoice_pdf, receipt_pdf

__all__ = ["invoice_pdf", "receipt_pdf"]
