"""Admin views that print an invoice: the A4 PDF and the 80 mm receipt, shown inline in the browser.

The Invoice admin adds them in its get_urls():  urls = document_urls(self) + super().get_urls()
"""

from collections.abc import Callable

from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path

from sales.documents import document_file_name, invoice_pdf, receipt_pdf
from sales.models import Invoice
from sales.selectors import CASHIER_INVOICE_DAYS, invoices_visible_to


def printable_invoice(request: HttpRequest, pk: int) -> Invoice:
    """Return the invoice if this user may print it (sales.selectors.invoices_visible_to decides)."""
    if not request.user.has_perm("sales.view_invoice"):
        raise PermissionDenied("You cannot view invoices.")
    if not Invoice.objects.filter(pk=pk).exists():
        raise Http404("No such invoice.")
    invoice = invoices_visible_to(request.user).filter(pk=pk).first()
    if invoice is None:
        raise PermissionDenied(f"A cashier prints only their own invoices of the last {CASHIER_INVOICE_DAYS} days.")
    return invoice


def pdf_response(content: bytes, *, number: str, kind: str) -> HttpResponse:
    """Return PDF bytes shown inline, named after the invoice number ("/" cannot be in a file name)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document_file_name(number, kind)}"'
    return response


def invoice_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the A4 tax invoice of one invoice."""
    invoice = printable_invoice(request, pk)
    return pdf_response(invoice_pdf(invoice), number=invoice.number, kind="")


def invoice_receipt_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the 80 mm thermal receipt of one invoice."""
    invoice = printable_invoice(request, pk)
    return pdf_response(receipt_pdf(invoice), number=invoice.number, kind="-receipt")


def document_urls(model_admin: ModelAdmin) -> list[URLPattern]:
    """Return the print URLs of the Invoice admin, each behind the admin site's login and staff check."""
    wrap: Callable = model_admin.admin_site.admin_view
    return [
        path("<int:pk>/pdf/", wrap(invoice_pdf_view), name="sales_invoice_pdf"),
        path("<int:pk>/receipt/", wrap(invoice_receipt_view), name="sales_invoice_receipt"),
    ]
