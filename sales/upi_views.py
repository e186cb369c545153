"""UPI views: the gateway callback (outside the admin) and the admin pages that confirm payments."""

import hashlib
import hmac
import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import FormView
from unfold.views import UnfoldModelAdminViewMixin

from sales.models import Invoice, Payment
from sales.payments import upi_gateway_confirm, upi_payment_confirm
from sales.upi_statement import MAX_STATEMENT_BYTES, StatementRow, confirm_matched, parse_statement, reconcile
from shop.jsonbody import Number, Object, Text, parse_json

log = logging.getLogger("galla.upi")
STATEMENT_SALT = "galla.upi-statement"
CALLBACK_BODY = Object(fields={
    "reference": Text.of(Invoice, "number"),
    "amount": Number.of(Payment, "amount"),
    "utr": Text.of(Payment, "reference"),
    "status": Text(max_length=32, default=""),
})


def _refuse(reason: str, request: HttpRequest) -> JsonResponse:
    log.warning("UPI callback refused from %s: %s", request.META.get("REMOTE_ADDR", "?"), reason)
    return JsonResponse({"ok": False, "error": reason}, status=400)


def signature_of(body: bytes, key: str) -> str:
    """Return the hex HMAC-SHA256 of a callback body, as the gateway signs it."""
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


@csrf_exempt  # the gateway cannot send a CSRF token; the HMAC signature authenticates the request instead
@require_POST
def upi_callback(request: HttpRequest) -> JsonResponse:
    """Take a payment gateway's notification that a bill was paid by UPI (format in the README)."""
    key = settings.UPI_API_KEY
    if not key:
        return _refuse("UPI callbacks are not configured (UPI_API_KEY is empty)", request)
    if not hmac.compare_digest(signature_of(request.body, key), request.headers.get("X-Signature", "").lower()):
        return _refuse("bad signature", request)
    try:
        payload = parse_json(request.body, CALLBACK_BODY)
    except ValidationError as refusal:
        problems = "; ".join(f"{path}: {' '.join(messages)}" for path, messages in refusal.message_dict.items())
        return _refuse(f"payload is not JSON with reference, amount and utr ({problems})", request)
    reference, amount, utr, status = (payload[name] for name in ("reference", "amount", "utr", "status"))
    if status.upper() != "SUCCESS":
        log.info("UPI callback for %s with status %r: nothing to do", reference, status)
        return JsonResponse({"ok": True, "result": "ignored"})
    try:
        confirmation = upi_gateway_confirm(invoice_number=reference, amount=amount, utr=utr)
    except ValidationError as refusal:
        return _refuse(refusal.messages[0], request)
    result = "confirmed" if confirmation.newly_confirmed else "already confirmed"
    log.info("UPI callback: payment %s of bill %s %s", confirmation.payment.pk, reference, result)
    return JsonResponse({"ok": True, "result": result})


class UtrForm(forms.Form):
    utr = forms.CharField(label=_("UPI transaction number (UTR)"), max_length=20,
                          help_text=_("12 digits, from the customer's payment app or the shop's bank app."),
                          widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "numeric"}))


class ConfirmUpiView(UnfoldModelAdminViewMixin, FormView):
    """Confirm one awaiting UPI payment with the UTR the cashier reads off the customer's phone."""

    title = _("Confirm UPI payment")
    permission_required = ("sales.confirm_upi_payment",)
    template_name = "admin/sales/payment/confirm.html"
    form_class = UtrForm

    def get_payment(self) -> Payment:
        queryset = self.model_admin.get_queryset(self.request)  # a cashier reaches only their own bills
        return get_object_or_404(queryset, pk=self.kwargs["pk"], method=Payment.Method.UPI)

    def get_context_data(self, **kwargs):
        return super().get_context_data(payment=self.get_payment(), **kwargs)

    def form_valid(self, form):
        payment = self.get_payment()
        try:
            upi_payment_confirm(payment=payment, utr=form.cleaned_data["utr"], via=Payment.ConfirmedVia.REFERENCE,
                                user=self.request.user)
        except ValidationError as refusal:
            form.add_error("utr", refusal.messages[0])
            return self.form_invalid(form)
        messages.success(self.request, _("UPI payment for %(number)s confirmed.") % {"number": payment.invoice.number})
        return redirect("admin:sales_payment_changelist")


class StatementForm(forms.Form):
    statement = forms.FileField(label=_("UPI settlement statement (CSV)"),
                                help_text=_("Columns: date, amount, UTR, payer. Only credits are read."))

    def clean_statement(self):
        statement = self.cleaned_data["statement"]
        if statement.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; a settlement statement is at most %(limit)s MB. Import it a month "
                  "at a time.") % {"size": f"{statement.size / 2**20:.1f}", "limit": MAX_STATEMENT_BYTES // 2**20})
        return statement


class UpiStatementView(UnfoldModelAdminViewMixin, FormView):
    """Upload a settlement CSV, see what matches, then confirm the matches."""

    title = _("Import UPI statement")
    permission_required = ("sales.reconcile_upi",)
    template_name = "admin/sales/payment/statement.html"
    form_class = StatementForm

    def post(self, request, *args, **kwargs):
        if "rows" in request.POST:
            return self.confirm(request.POST["rows"])
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            rows = parse_statement(form.cleaned_data["statement"].read())
        except ValidationError as refusal:
            for message in refusal.messages:
                form.add_error("statement", message)
            return self.form_invalid(form)
        # The preview carries the parsed rows back signed, so the confirmation cannot be tampered with.
        signed = signing.dumps([row.as_dict() for row in rows], salt=STATEMENT_SALT, compress=True)
        return self.render_to_response(self.get_context_data(form=form, result=reconcile(rows), rows=signed))

    def confirm(self, signed: str):
        try:
            rows = [StatementRow.from_dict(d) for d in signing.loads(signed, salt=STATEMENT_SALT, max_age=3600)]
        except signing.BadSignature:
            messages.error(self.request, _("The preview expired or was changed; upload the statement again."))
            return redirect("admin:sales_payment_statement")
        try:
            confirmed = confirm_matched(rows=rows, user=self.request.user)
        except ValidationError as refusal:  # today's day book is closed, say
            for message in refusal.messages:
                messages.error(self.request, message)
            return redirect("admin:sales_payment_changelist")
        messages.success(self.request, _("%(n)d UPI payments confirmed from the statement.") % {"n": len(confirmed)})
        return redirect("admin:sales_payment_changelist")
