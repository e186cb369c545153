from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import action, display
from unfold.views import UnfoldModelAdminViewMixin

from sales import discount_admin  # noqa: F401  (registers discount rules and coupons)
from sales.admin_lines import TaxLineColumns
from sales.admin_returns import CreditNoteInline
from sales.admin_views import document_urls
from sales.counter import counter_urls
from sales.email_views import email_urls
from sales.held_bill_views import held_bill_urls
from sales.models import Invoice, InvoiceLine, Payment
from sales.selectors import invoices_visible_to, payments_visible_to, whatsapp_share_link
from sales.services import invoice_cancel, invoice_check_cancellable
from sales.upi_views import ConfirmUpiView, UpiStatementView
from shop.admin_base import ReadOnlyInline, RecordAdminMixin
from shop.models import ShopProfile
from shop.money import format_inr
from shop.paginator import EstimatingPaginator


class InvoiceLineInline(TaxLineColumns, ReadOnlyInline):
    model = InvoiceLine
    fields = ("description", "hsn_code", "qty", "rate", "discount_text", "offers_text", "taxable_text", "tax_rate",
              "tax_text", "total_text")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("offers")

    def has_view_permission(self, request, obj=None):
        """Whoever may see the invoice sees its lines (the page reaches only invoices_visible_to them); no role
        holds a separate line permission. The columns above carry no cost."""
        return request.user.has_perm("sales.view_invoice")

    @display(description=_("offers"))
    def offers_text(self, line):
        return "; ".join(f"{offer.description} {format_inr(offer.amount)}" for offer in line.offers.all()) or "—"



class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("method", "amount_text", "reference", "status", "received_by", "created_at")
    readonly_fields = fields

    @display(description=_("amount"))
    def amount_text(self, payment):
        return format_inr(payment.amount)


class PaymentMethodFilter(admin.SimpleListFilter):
    title = _("payment method")
    parameter_name = "paid_by"

    def lookups(self, request, model_admin):
        return Payment.Method.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(payments__method=self.value()).distinct()
        return queryset


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is this invoice cancelled?"), max_length=255,
                             widget=forms.TextInput(attrs={"autofocus": True}))


class CancelInvoiceView(UnfoldModelAdminViewMixin, FormView):
    """Ask for a reason, then cancel through the service (it checks the permission again)."""

    title = _("Cancel invoice")
    permission_required = ("sales.cancel_invoice",)
    template_name = "admin/sales/invoice/cancel.html"
    form_class = CancelForm

    def get_invoice(self) -> Invoice:
        return get_object_or_404(invoices_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        invoice = self.get_invoice()
        try:
            invoice_check_cancellable(invoice=invoice)
        except ValidationError as refusal:  # a bill with returns, or one cancelled already: say why, no form
            for message in refusal.messages:
                messages.error(request, message)
            return redirect("admin:sales_invoice_change", invoice.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(invoice=self.get_invoice(), **kwargs)

    def form_valid(self, form):
        invoice = self.get_invoice()
        try:
            invoice_cancel(invoice=invoice, user=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as refusal:
            for message in refusal.messages:
                messages.error(self.request, message)
        else:
            messages.success(self.request, _("Invoice %(number)s is cancelled; stock and khata are restored.")
                             % {"number": invoice.number})
        return redirect("admin:sales_invoice_change", invoice.pk)


@admin.register(Invoice)
class InvoiceAdmin(RecordAdminMixin, ModelAdmin):
    """Invoices are made at the counter and never edited or deleted here (a mistake is cancelled); they can
    be looked at, reprinted, emailed or cancelled."""

    list_display = ("number", "issued_at", "customer", "cashier", "total", "paid_by", "status_badge")
    list_filter = ("status", ("issued_at", RangeDateTimeFilter), "cashier", PaymentMethodFilter)
    list_filter_submit = True
    search_fields = ("number", "customer__name", "=customer__phone")
    list_select_related = ("customer", "cashier")
    show_full_result_count = False
    paginator = EstimatingPaginator  # no COUNT(*) of the whole table on PostgreSQL
    inlines = [InvoiceLineInline, PaymentInline, CreditNoteInline]
    actions_detail = ["print_a4", "print_receipt", "email_invoice", "share_whatsapp", "return_items",
                      "cancel_invoice"]
    fieldsets = (
        (None, {"fields": ("number", "issued_at", "status", "cashier", "customer", "place_of_supply",
                           "inter_state", "bill_of_supply", "warehouse")}),
        (_("Totals"), {"fields": ("gross_total", "discount_total", "taxable_total", "cgst_total", "sgst_total",
                                  "igst_total", "cess_total", "round_off", "grand_total", "amount_paid",
                                  "cash_tendered", "change_given", "credit_amount")}),
        (_("Notes"), {"fields": ("approved_by", "notes", "cancelled_at", "cancelled_by", "cancel_reason")}),
    )

    def get_queryset(self, request):
        return invoices_visible_to(request.user, super().get_queryset(request)).prefetch_related("payments")

    def has_cancel_invoice_permission(self, request, object_id=None):
        """Owners and managers, on a completed invoice without returns (those are undone by more returns)."""
        if not request.user.has_perm("sales.cancel_invoice"):
            return False
        return not object_id or Invoice.objects.filter(pk=object_id, status=Invoice.Status.COMPLETED,
                                                       credit_notes__isnull=True).exists()

    @action(description=_("Print A4"), icon="print", attrs={"target": "_blank"})
    def print_a4(self, request, object_id):
        return redirect("admin:sales_invoice_pdf", object_id)

    @action(description=_("Print receipt"), icon="receipt", attrs={"target": "_blank"})
    def print_receipt(self, request, object_id):
        return redirect("admin:sales_invoice_receipt", object_id)

    @action(description=_("Email invoice"), icon="mail")
    def email_invoice(self, request, object_id):
        return redirect("admin:sales_invoice_email", object_id)

    @action(description=_("WhatsApp"), icon="share", attrs={"target": "_blank", "rel": "noopener"})
    def share_whatsapp(self, request, object_id):
        invoice = get_object_or_404(self.get_queryset(request), pk=object_id)
        return redirect(whatsapp_share_link(invoice, shop_name=ShopProfile.objects.get_profile().name))

    def has_return_items_permission(self, request, object_id=None):
        if not request.user.has_perm("sales.add_creditnote"):
            return False
        return not object_id or Invoice.objects.filter(pk=object_id, status=Invoice.Status.COMPLETED).exists()

    @action(description=_("Return items"), permissions=["return_items"], icon="assignment_return")
    def return_items(self, request, object_id):
        return redirect("admin:sales_return_invoice", object_id)

    @action(description=_("Cancel invoice"), permissions=["cancel_invoice"], icon="cancel", variant="danger")
    def cancel_invoice(self, request, object_id):
        return redirect("admin:sales_invoice_cancel", object_id)

    def get_urls(self):
        cancel = self.admin_site.admin_view(CancelInvoiceView.as_view(model_admin=self))
        return [*counter_urls(self), *held_bill_urls(self), *document_urls(self), *email_urls(self),
                path("<int:pk>/cancel/", cancel, name="sales_invoice_cancel"), *super().get_urls()]

    @display(description=_("Total"), ordering="grand_total")
    def total(self, invoice):
        return format_inr(invoice.grand_total)

    @display(description=_("Paid by"))
    def paid_by(self, invoice):
        return ", ".join(sorted({p.get_method_display() for p in invoice.payments.all()}))

    @display(description=_("Status"), label={"completed": "success", "cancelled": "danger", "draft": "warning"})
    def status_badge(self, invoice):
        return invoice.status

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "counter_url": reverse("admin:sales_counter")}
        return super().changelist_view(request, extra_context)



@admin.register(Payment)
class PaymentAdmin(RecordAdminMixin, ModelAdmin):
    """Payments are recorded by checkout; here UPI payments awaiting their UTR are confirmed."""

    list_display = ("invoice", "method", "amount_text", "status_badge", "reference", "created_at", "received_by",
                    "confirmed_via")
    list_filter = ("method", "status", ("created_at", RangeDateTimeFilter), "confirmed_via")
    list_filter_submit = True
    search_fields = ("invoice__number", "=reference")
    list_select_related = ("invoice", "received_by")
    show_full_result_count = False
    paginator = EstimatingPaginator  # no COUNT(*) of the whole table on PostgreSQL
    actions_list = ["import_statement"]
    actions_row = ["confirm_upi"]

    def get_queryset(self, request):
        return payments_visible_to(request.user, super().get_queryset(request))

    @display(description=_("Amount"), ordering="amount")
    def amount_text(self, payment):
        return format_inr(payment.amount)

    @display(description=_("Status"), label={"confirmed": "success", "awaiting": "warning"})
    def status_badge(self, payment):
        return payment.status

    # Unfold checks dotted permissions against the database at start-up (before migrate on a new
    # install), so actions name has_*_permission methods instead.
    def has_confirm_upi_permission(self, request, object_id=None):
        return request.user.has_perm("sales.confirm_upi_payment")

    def has_reconcile_upi_permission(self, request, object_id=None):
        return request.user.has_perm("sales.reconcile_upi")

    @action(description=_("Confirm with UTR"), permissions=["confirm_upi"])
    def confirm_upi(self, request, object_id):
        return redirect("admin:sales_payment_confirm", object_id)

    @action(description=_("Import UPI statement"), permissions=["reconcile_upi"], icon="upload_file")
    def import_statement(self, request):
        return redirect("admin:sales_payment_statement")

    def get_urls(self):
        confirm = self.admin_site.admin_view(ConfirmUpiView.as_view(model_admin=self))
        statement = self.admin_site.admin_view(UpiStatementView.as_view(model_admin=self))
        return [path("<int:pk>/confirm/", confirm, name="sales_payment_confirm"),
                path("statement/", statement, name="sales_payment_statement"), *super().get_urls()]
