"""Returns in the admin: the Returns screen (find a bill, pick what comes back), and credit notes as records
with their PDFs and email.

Who reaches which bill is sales.selectors.invoices_visible_to; which credit notes, credit_notes_visible_to.
The views only translate HTTP to sales.services.return_create and back.
"""

import uuid
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import action, display
from unfold.views import UnfoldModelAdminViewMixin
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminEmailInputWidget,
    UnfoldAdminPasswordWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from sales.admin_lines import TaxLineColumns
from sales.admin_views import pdf_response
from sales.approval import manager_approval
from sales.documents import credit_note_pdf, credit_note_receipt_pdf
from sales.emails import credit_note_email_queue
from sales.models import CreditNote, CreditNoteLine, Invoice
from sales.selectors import CASHIER_INVOICE_DAYS, credit_notes_visible_to, invoices_to_return, invoices_visible_to
from sales.services import RETURN_APPROVAL_CODE, return_create, returnable_quantities
from shop.admin_base import ReadOnlyInline, RecordAdminMixin
from shop.models import ShopProfile
from shop.money import format_inr, format_quantity

RETURN_PERMISSION = "sales.add_creditnote"
ZERO = Decimal("0")


def returnable_invoice(request: HttpRequest, pk: int) -> Invoice:
    """Return the invoice if this user may take its goods back (invoices_visible_to decides which bills)."""
    if not request.user.has_perm(RETURN_PERMISSION):
        raise PermissionDenied("You cannot take goods back.")
    if not Invoice.objects.filter(pk=pk).exists():
        raise Http404("No such invoice.")
    invoice = invoices_visible_to(request.user).filter(pk=pk).select_related("customer").first()
    if invoice is None:
        raise PermissionDenied(f"A cashier takes back goods of their own bills of the last {CASHIER_INVOICE_DAYS} "
                               "days; ask a manager for this one.")
    return invoice


def printable_credit_note(request: HttpRequest, pk: int) -> CreditNote:
    """Return the credit note if this user may print or email it (credit_notes_visible_to decides)."""
    if not request.user.has_perm("sales.view_creditnote"):
        raise PermissionDenied("You cannot view credit notes.")
    if not CreditNote.objects.filter(pk=pk).exists():
        raise Http404("No such credit note.")
    credit_note = credit_notes_visible_to(request.user).filter(pk=pk).first()
    if credit_note is None:
        raise PermissionDenied(f"A cashier prints only their own credit notes of the last {CASHIER_INVOICE_DAYS} days.")
    return credit_note


class ReturnFindView(UnfoldModelAdminViewMixin, TemplateView):
    """Find the bill: its number (typed, or scanned from the receipt's barcode) or the customer's phone."""

    title = _("Returns")
    permission_required = (RETURN_PERMISSION,)
    template_name = "admin/sales/creditnote/find.html"

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()[:100]
        invoice, bills = invoices_to_return(request.user, query)
        if invoice is not None:
            return redirect("admin:sales_return_invoice", invoice.pk)
        return self.render_to_response(self.get_context_data(query=query, bills=bills,
                                                             problem=self._problem(query, bills)))

    def _problem(self, query: str, bills: list[Invoice]) -> str:
        if not query or bills:
            return ""
        invoice = Invoice.objects.filter(number__iexact=query).first()
        if invoice is None:
            return _t("No bill has the number or customer phone %(query)s.") % {"query": query}
        if invoice.is_cancelled:
            return _t("Invoice %(number)s is cancelled: nothing on it can be returned.") % {"number": invoice.number}
        return _t("Invoice %(number)s is not one of your bills of the last %(days)s days: ask a manager to take "
                  "it back.") % {"number": invoice.number, "days": CASHIER_INVOICE_DAYS}


DISPOSALS = [("restock", _("Back to stock")), (CreditNoteLine.WriteOff.DAMAGE, _("Damaged: write off")),
             (CreditNoteLine.WriteOff.EXPIRY, _("Expired: write off"))]


class ReturnForm(forms.Form):
    """What comes back (a quantity and where it goes, per line), how the money goes back, and an approval."""

    refund_method = forms.ChoiceField(label=_("Refund by"), widget=UnfoldAdminRadioSelectWidget)
    refund_reference = forms.CharField(label=_("UPI refund transaction number (UTR)"), max_length=40, required=False,
                                       widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "numeric"}))
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False, widget=UnfoldAdminTextInputWidget)
    approver_username = forms.CharField(label=_("Manager username"), max_length=150, required=False,
                                        widget=UnfoldAdminTextInputWidget(attrs={"autocomplete": "off"}))
    approver_password = forms.CharField(label=_("Manager password"), max_length=128, required=False, strip=False,
                                        widget=UnfoldAdminPasswordWidget(attrs={"autocomplete": "off"}))
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, invoice: Invoice, left: dict[int, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice, self.left = invoice, left
        methods = [CreditNote.RefundMethod.CASH, CreditNote.RefundMethod.UPI]
        if invoice.customer is not None:
            methods += [CreditNote.RefundMethod.KHATA, CreditNote.RefundMethod.STORE_CREDIT]
        self.fields["refund_method"].choices = [(m.value, m.label) for m in methods]
        self.fields["refund_method"].initial = CreditNote.RefundMethod.CASH
        for line in invoice.lines.all():
            all_back = not left.get(line.pk)  # nothing of this line can come back any more
            self.fields[f"qty_{line.pk}"] = forms.DecimalField(
                label=line.description, min_value=ZERO, max_digits=12, decimal_places=3, required=False,
                disabled=all_back, widget=UnfoldAdminDecimalFieldWidget(attrs={"step": "any", "inputmode": "decimal"}))
            self.fields[f"disposal_{line.pk}"] = forms.ChoiceField(
                label=_("Goods"), choices=DISPOSALS, initial="restock", disabled=all_back,
                widget=UnfoldAdminSelectWidget)

    def rows(self) -> list[dict]:
        """Return one row per invoice line for the template: what was sold, what can still come back."""
        rows = []
        for line in self.invoice.lines.all():
            left = self.left.get(line.pk, ZERO)
            rows.append({"line": line, "sold": format_quantity(line.quantity), "left": format_quantity(left),
                         "returned": format_quantity(line.quantity - left),
                         "each": format_inr(line.line_total / line.quantity), "quantity": self[f"qty_{line.pk}"],
                         "disposal": self[f"disposal_{line.pk}"]})
        return rows

    def return_lines(self) -> list[dict]:
        lines = []
        for line in self.invoice.lines.all():
            quantity = self.cleaned_data.get(f"qty_{line.pk}")
            if quantity:
                disposal = self.cleaned_data.get(f"disposal_{line.pk}") or "restock"
                lines.append({"line": line, "quantity": quantity, "restock": disposal == "restock",
                              "reason": "" if disposal == "restock" else disposal})
        return lines

    def show_refusal(self, refusal: ValidationError) -> None:
        """Put each of the service's errors next to the field it names."""
        by_key = refusal.error_dict.items() if hasattr(refusal, "error_dict") else [(None, refusal.error_list)]
        for key, errors in by_key:
            if key and key.startswith("line-") and f"qty_{key[5:]}" in self.fields:
                self.add_error(f"qty_{key[5:]}", errors)
            elif key == "approval":
                self.add_error("approver_username", errors)
            elif key in ("refund_method", "refund_reference", "reason"):
                self.add_error(key, errors)
            else:
                self.add_error(None, errors)


class ReturnView(UnfoldModelAdminViewMixin, FormView):
    """Take goods of one bill back: GET the form, POST it to make the credit note."""

    title = _("Return items")
    permission_required = (RETURN_PERMISSION,)
    template_name = "admin/sales/creditnote/return.html"
    form_class = ReturnForm

    def dispatch(self, request, *args, **kwargs):
        self.invoice = returnable_invoice(request, kwargs["invoice_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "invoice": self.invoice, "left": returnable_quantities(self.invoice)}

    def get_initial(self):
        return {"idempotency_key": uuid.uuid4().hex}

    def get_context_data(self, **kwargs):
        form = kwargs["form"] = kwargs.get("form") or self.get_form()
        profile = ShopProfile.objects.get_profile()
        return super().get_context_data(
            invoice=self.invoice, rows=form.rows(), return_limit=profile.cashier_return_limit,
            may_approve=self.request.user.has_perm("sales.approve_return"),
            needs_approval=any(e.code == RETURN_APPROVAL_CODE
                               for e in form.errors.as_data().get("approver_username", [])),
            credit_notes=credit_notes_visible_to(self.request.user, self.invoice.credit_notes.all()), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            lines = form.return_lines()
            if not lines:
                raise ValidationError(_t("Type the quantity coming back on at least one line."))
            approved_by = manager_approval(self.request, username=data["approver_username"],
                                           password=data["approver_password"])
            credit_note = return_create(
                invoice=self.invoice, lines=lines, refund_method=data["refund_method"], user=self.request.user,
                reason=data["reason"], idempotency_key=data["idempotency_key"], approved_by=approved_by,
                refund_reference=data["refund_reference"])
        except ValidationError as refusal:
            form.show_refusal(refusal)
            return self.form_invalid(form)
        messages.success(self.request, _t("Credit note %(number)s: %(total)s back to the customer (%(how)s).") % {
            "number": credit_note.number, "total": format_inr(credit_note.grand_total), "how": refund_summary(
                credit_note)})
        return redirect("admin:sales_creditnote_change", credit_note.pk)


def refund_summary(credit_note: CreditNote) -> str:
    """Say where a credit note's money went: "₹140.00 off the khata, ₹70.00 in cash"."""
    parts = []
    if credit_note.khata_amount:
        parts.append(_t("%(amount)s off the khata") % {"amount": format_inr(credit_note.khata_amount)})
    if credit_note.store_credit_back:
        parts.append(_t("%(amount)s back to store credit") % {"amount": format_inr(credit_note.store_credit_back)})
    if credit_note.refund_amount:
        how = {CreditNote.RefundMethod.CASH: _t("in cash"), CreditNote.RefundMethod.UPI: _t("by UPI"),
               CreditNote.RefundMethod.STORE_CREDIT: _t("as store credit")}.get(credit_note.refund_method, "")
        parts.append(f"{format_inr(credit_note.refund_amount)} {how}")
    return ", ".join(parts) or _t("nothing to pay back")


class CreditNoteEmailForm(forms.Form):
    to = forms.CharField(label=_("Email address"), max_length=254,
                         widget=UnfoldAdminEmailInputWidget(attrs={"autofocus": True}))


class CreditNoteEmailView(UnfoldModelAdminViewMixin, FormView):
    """GET: the form, filled with the customer's email. POST: queue the email and go back to the credit note."""

    title = _("Email credit note")
    permission_required = ("sales.view_creditnote",)
    template_name = "admin/sales/creditnote/email.html"
    form_class = CreditNoteEmailForm

    def dispatch(self, request, *args, **kwargs):
        self.credit_note = printable_credit_note(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        customer = self.credit_note.customer
        return {"to": customer.email if customer else ""}

    def get_context_data(self, **kwargs):
        return super().get_context_data(credit_note=self.credit_note, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        try:
            email = credit_note_email_queue(credit_note=self.credit_note, to=form.cleaned_data["to"],
                                            user=self.request.user)
        except ValidationError as refusal:
            form.add_error("to", refusal.messages)
            return self.form_invalid(form)
        messages.success(self.request, _t("Credit note %(number)s is queued to be emailed to %(to)s.")
                         % {"number": self.credit_note.number, "to": email.to})
        return redirect("admin:sales_creditnote_change", self.credit_note.pk)


def credit_note_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the A4 credit note."""
    credit_note = printable_credit_note(request, pk)
    return pdf_response(credit_note_pdf(credit_note), number=credit_note.number, kind="")


def credit_note_receipt_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the 80 mm receipt of a credit note."""
    credit_note = printable_credit_note(request, pk)
    return pdf_response(credit_note_receipt_pdf(credit_note), number=credit_note.number, kind="-receipt")


class CreditNoteLineInline(TaxLineColumns, ReadOnlyInline):
    model = CreditNoteLine
    fields = ("description", "hsn_code", "qty", "rate", "discount_text", "taxable_text", "tax_rate", "tax_text",
              "total_text", "goods")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("sales.view_creditnote")  # the lines are part of the credit note


    @display(description=_("goods"))
    def goods(self, line):
        return _t("back in stock") if line.restocked else _t("written off: %(why)s") % {
            "why": line.get_write_off_reason_display().lower()}


@admin.register(CreditNote)
class CreditNoteAdmin(RecordAdminMixin, ModelAdmin):
    """Credit notes are made by the Returns screen and never edited or deleted; here they are looked at,
    reprinted and emailed."""

    list_display = ("number", "issued_at", "invoice", "customer", "created_by", "total", "refund_method")
    list_filter = (("issued_at", RangeDateTimeFilter), "refund_method", "created_by")
    list_filter_submit = True
    search_fields = ("number", "invoice__number", "customer__name", "=customer__phone")
    list_select_related = ("invoice", "customer", "created_by")
    show_full_result_count = False
    inlines = [CreditNoteLineInline]
    actions_list = ["new_return"]
    actions_detail = ["print_a4", "print_receipt", "email_credit_note", "open_invoice"]
    fieldsets = (
        (None, {"fields": ("number", "issued_at", "invoice", "customer", "created_by", "approved_by", "reason")}),
        (_("Refund"), {"fields": ("refund_method", "refund_reference", "khata_amount", "store_credit_back",
                                  "refund_amount")}),
        (_("Totals"), {"fields": ("gross_total", "discount_total", "taxable_total", "cgst_total", "sgst_total",
                                  "igst_total", "cess_total", "round_off", "grand_total")}),
    )

    def get_queryset(self, request):
        return credit_notes_visible_to(request.user, super().get_queryset(request))

    def has_make_return_permission(self, request, object_id=None):
        return request.user.has_perm(RETURN_PERMISSION)

    @display(description=_("Total"), ordering="grand_total")
    def total(self, credit_note):
        return format_inr(credit_note.grand_total)

    @action(description=_("New return"), permissions=["make_return"], icon="assignment_return")
    def new_return(self, request):
        return redirect("admin:sales_returns")

    @action(description=_("Print A4"), icon="print", attrs={"target": "_blank"})
    def print_a4(self, request, object_id):
        return redirect("admin:sales_creditnote_pdf", object_id)

    @action(description=_("Print receipt"), icon="receipt", attrs={"target": "_blank"})
    def print_receipt(self, request, object_id):
        return redirect("admin:sales_creditnote_receipt", object_id)

    @action(description=_("Email credit note"), icon="mail")
    def email_credit_note(self, request, object_id):
        return redirect("admin:sales_creditnote_email", object_id)

    @action(description=_("Invoice"), icon="receipt_long")
    def open_invoice(self, request, object_id):
        credit_note = get_object_or_404(self.get_queryset(request), pk=object_id)
        return redirect("admin:sales_invoice_change", credit_note.invoice_id)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("return/", wrap(ReturnFindView.as_view(model_admin=self)), name="sales_returns"),
            path("return/<int:invoice_pk>/", wrap(ReturnView.as_view(model_admin=self)), name="sales_return_invoice"),
            path("<int:pk>/pdf/", wrap(credit_note_pdf_view), name="sales_creditnote_pdf"),
            path("<int:pk>/receipt/", wrap(credit_note_receipt_view), name="sales_creditnote_receipt"),
            path("<int:pk>/email/", wrap(CreditNoteEmailView.as_view(model_admin=self)), name="sales_creditnote_email"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "returns_url": reverse("admin:sales_returns")}
        return super().changelist_view(request, extra_context)


class CreditNoteInline(ReadOnlyInline):
    """The returns made against an invoice, shown on its page (each links to its credit note)."""

    model = CreditNote
    fk_name = "invoice"
    fields = ("number", "issued_at", "created_by", "total", "refund_method")
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = _("returns (credit notes)")

    def get_queryset(self, request):
        return credit_notes_visible_to(request.user, super().get_queryset(request)).select_related("created_by")

    @display(description=_("total"))
    def total(self, credit_note):
        return format_inr(credit_note.grand_total)
