"""Email an invoice from the admin: a small form behind the invoice page's button, and JSON for the counter.

The Invoice admin adds the URL in its get_urls():  urls = [*email_urls(self), ...]
Who may email an invoice is who may print it (sales.admin_views.printable_invoice).
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from unfold.views import UnfoldModelAdminViewMixin
from unfold.widgets import UnfoldAdminEmailInputWidget

from sales.admin_views import printable_invoice
from sales.emails import invoice_email_queue
from sales.models import Invoice
from shop.jsonbody import Object, Text, parse_json

EMAIL_BODY = Object(fields={"to": Text(max_length=254, default="", label="email address")})


class InvoiceEmailForm(forms.Form):
    to = forms.CharField(label=gettext_lazy("Email address"), max_length=254,
                         widget=UnfoldAdminEmailInputWidget(attrs={"autofocus": True}))


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json"


def _json_refusal(errors: list[str], status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "errors": {"email": errors}}, status=status)


def invoice_email_json(request: HttpRequest, pk: int) -> JsonResponse:
    """Queue the invoice's email from the counter: {"to": "..."} in, {"ok": true} or errors keyed "email" out."""
    try:
        invoice = printable_invoice(request, pk)
    except PermissionDenied:
        return _json_refusal([_("You may not email this invoice: a cashier emails only the invoices they made.")],
                             status=403)
    try:
        to = parse_json(request.body, EMAIL_BODY)["to"]
    except ValidationError as refusal:
        return _json_refusal(refusal.messages, status=400)
    try:
        email = invoice_email_queue(invoice=invoice, to=to, user=request.user)
    except ValidationError as refusal:
        return _json_refusal(refusal.messages, status=400)
    return JsonResponse({"ok": True, "to": email.to, "email_id": email.pk})


class InvoiceEmailView(UnfoldModelAdminViewMixin, FormView):
    """GET: the form, filled with the customer's email. POST: queue the email and go back to the invoice."""

    title = gettext_lazy("Email invoice")
    permission_required = ("sales.view_invoice",)
    template_name = "admin/sales/invoice/email.html"
    form_class = InvoiceEmailForm

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and _wants_json(request):
            return invoice_email_json(request, kwargs["pk"])
        self.invoice: Invoice = printable_invoice(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        customer = self.invoice.customer
        return {"to": customer.email if customer else ""}

    def get_context_data(self, **kwargs):
        return super().get_context_data(invoice=self.invoice, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        try:
            email = invoice_email_queue(invoice=self.invoice, to=form.cleaned_data["to"], user=self.request.user)
        except ValidationError as refusal:
            form.add_error("to", refusal.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("Invoice %(number)s is queued to be emailed to %(to)s.")
                         % {"number": self.invoice.number, "to": email.to})
        return redirect("admin:sales_invoice_change", self.invoice.pk)


def email_urls(model_admin: ModelAdmin) -> list[URLPattern]:
    """Return the Invoice admin's email URL, behind the admin site's login, staff and CSRF checks."""
    wrap: Callable = model_admin.admin_site.admin_view
    view = InvoiceEmailView.as_view(model_admin=model_admin)
    return [path("<int:pk>/email/", wrap(view), name="sales_invoice_email")]
