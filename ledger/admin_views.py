"""Udhar khata pages of the admin: receiving a repayment (the cashier's page), the statement (page, PDF,
email), adjustments, opening balances, reversals and the repayment receipt.

Each page only turns HTTP into a call of ledger.services or ledger.selectors; who may do what is checked
by the page (permission_required) and again by the service. Bad input comes back as form errors, never
as a server error, and changes nothing.
"""

import re
from collections.abc import Callable
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from unfold.views import UnfoldModelAdminViewMixin
from unfold.widgets import (
    UnfoldAdminEmailInputWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminTextInputWidget,
)

from ledger.ageing_views import AgeingExportView, AgeingPdfView, AgeingReportView
from ledger.documents import balance_after, receipt_number, receipt_pdf, statement_pdf
from ledger.emails import statement_email_queue
from ledger.models import CreditEntry, Customer, PaymentMethod
from ledger.selectors import (
    credit_payments_visible_to,
    customer_ageing,
    customer_balance,
    customer_statement,
    entry_particulars,
    khata_upi_link,
    khata_whatsapp_link,
)
from ledger.services import (
    ADJUST_CREDIT_PERMISSION,
    RECEIVE_PAYMENT_PERMISSION,
    REPAYMENT_METHODS,
    REVERSE_ENTRY_PERMISSION,
    REVERSIBLE_KINDS,
    credit_adjust,
    credit_entry_reverse,
    credit_opening_balance,
    credit_payment_receive,
)
from sales.qr import qr_svg
from sales.upi import merchant_vpa
from shop.models import ShopProfile
from shop.money import format_inr

VIEW_ENTRIES_PERMISSION = "ledger.view_creditentry"
STATEMENT_DAYS = 90  # the period a statement shows unless another is chosen
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
MATCHES_SHOWN = 20


class DateInput(UnfoldAdminTextInputWidget):
    input_type = "date"


def _text_input(**attrs) -> UnfoldAdminTextInputWidget:
    return UnfoldAdminTextInputWidget(attrs=attrs)


def add_refusal(form: forms.Form, refusal: ValidationError) -> None:
    """Show a service's refusal on the form: under the field it names, or above the form."""
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal)
        return
    for name, problems in refusal.error_dict.items():
        form.add_error(name if name in form.fields else None, problems if name in form.fields or
                       name == NON_FIELD_ERRORS else [f"{name}: {m}" for p in problems for m in p.messages])


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def in_range(day: date | None) -> date | None:
    if day is not None and not EARLIEST <= day <= LATEST:
        raise ValidationError(_("Choose a date between %(start)s and %(end)s.")
                              % {"start": EARLIEST.strftime("%d-%m-%Y"), "end": LATEST.strftime("%d-%m-%Y")})
    return day


class KhataPage(UnfoldModelAdminViewMixin):
    """A page about one customer, named by the URL's pk."""

    template_name = "admin/ledger/khata_form.html"

    def get_customer(self) -> Customer:
        if not hasattr(self, "_customer"):
            self._customer = get_object_or_404(Customer, pk=self.kwargs["pk"])
        return self._customer

    def customer_url(self) -> str:
        return reverse("admin:ledger_customer_change", args=[self.get_customer().pk])

    def get_context_data(self, **kwargs):
        customer = self.get_customer()
        return super().get_context_data(customer=customer, balance=customer_balance(customer),
                                        back_url=self.customer_url(), **kwargs)


# --- Receiving a repayment (cashier, manager, owner) ------------------------------------------------------------


class FindCustomerForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Customer's phone (or name)"), max_length=40, required=False,
                        widget=_text_input(autofocus=True, inputmode="tel", autocomplete="off"))


class RepaymentForm(forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.CharField(label=gettext_lazy("Amount received (₹)"), max_length=20,
                             widget=_text_input(inputmode="decimal", autocomplete="off"))
    method = forms.ChoiceField(label=gettext_lazy("Paid by"), initial=PaymentMethod.CASH,
                               choices=[(m.value, m.label) for m in REPAYMENT_METHODS],
                               widget=UnfoldAdminRadioSelectWidget(radio_style=1))  # in a row
    reference = forms.CharField(label=gettext_lazy("UTR or reference"), max_length=60, required=False,
                                help_text=gettext_lazy("UPI: the 12-digit transaction number (UTR) in the customer's "
                                                       "UPI app. Card or bank: the slip or transfer number."),
                                widget=_text_input(autocomplete="off"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False, widget=_text_input())


def find_customers(query: str) -> list[Customer]:
    """Return the customers a cashier means: by the last 10 digits of a phone number, else by name."""
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 10:
        return list(Customer.objects.filter(phone__endswith=digits[-10:]).order_by("name")[:MATCHES_SHOWN])
    words = query.split()
    if digits or not words:
        return []
    customers = Customer.objects.all()
    for word in words:
        customers = customers.filter(name__icontains=word)
    return list(customers.order_by("name")[:MATCHES_SHOWN])


class ReceivePaymentView(UnfoldModelAdminViewMixin, FormView):
    """Find a customer by phone, see what they owe, take a repayment and print its receipt."""

    title = gettext_lazy("Receive khata payment")
    permission_required = (RECEIVE_PAYMENT_PERMISSION, "ledger.view_customer")
    template_name = "admin/ledger/receive_payment.html"
    form_class = RepaymentForm

    def selected_customer(self) -> Customer | None:
        raw = self.request.POST.get("customer") if self.request.method == "POST" else \
            self.request.GET.get("customer")
        if raw and str(raw).isdigit():
            return Customer.objects.filter(pk=int(raw)).first()
        return None

    def get_initial(self):
        customer = self.selected_customer()
        return {"customer": customer.pk if customer else None, "method": PaymentMethod.CASH}

    def get_context_data(self, **kwargs):
        request = self.request
        find = FindCustomerForm(request.GET or None)
        query = find.cleaned_data["q"] if find.is_valid() else ""
        customer = self.selected_customer()
        matches = [] if customer else find_customers(query) if query else []
        if len(matches) == 1:
            customer = matches[0]
            kwargs["form"] = self.get_form_class()(initial={"customer": customer.pk, "method": PaymentMethod.CASH})
        context = {"find_form": find, "query": query, "matches": matches, "customer": customer,
                   "searched": bool(query) and not customer, "recorded": self.recorded_payment(),
                   "receipt_attrs": {"target": "_blank", "rel": "noopener", "id": "print-receipt"}}
        if customer is not None:
            profile = ShopProfile.objects.get_profile()
            balance = customer_balance(customer)
            link = khata_upi_link(customer, amount=balance, profile=profile)
            context.update(balance=balance, advance=-balance, ageing=customer_ageing(customer),
                           upi_link=link, upi_vpa=merchant_vpa(profile) if link else "",
                           upi_qr=mark_safe(qr_svg(link, size=200)) if link else "",  # noqa: S308 (our own SVG)
                           change_url=reverse("admin:ledger_customer_change", args=[customer.pk]))
        return super().get_context_data(**context, **kwargs)

    def recorded_payment(self) -> CreditEntry | None:
        raw = self.request.GET.get("recorded", "")
        if not raw.isdigit():
            return None
        entry = (credit_payments_visible_to(self.request.user).select_related("customer")
                 .filter(pk=int(raw)).first())
        if entry is not None:
            entry.received = -entry.amount
            entry.balance_now = balance_after(entry)
            entry.receipt_url = reverse("admin:ledger_creditentry_receipt", args=[entry.pk])
            entry.number = receipt_number(entry)
        return entry

    def form_valid(self, form):
        customer = Customer.objects.filter(pk=form.cleaned_data["customer"]).first()
        if customer is None:
            form.add_error(None, _("That customer no longer exists; find them again."))
            return self.form_invalid(form)
        try:
            entry = credit_payment_receive(customer=customer, amount=form.cleaned_data["amount"],
                                           method=form.cleaned_data["method"],
                                           reference=form.cleaned_data["reference"],
                                           note=form.cleaned_data["note"], user=self.request.user)
        except ValidationError as refusal:
            add_refusal(form, refusal)
            return self.form_invalid(form)
        messages.success(self.request, _("Received %(amount)s from %(name)s.")
                         % {"amount": format_inr(-entry.amount), "name": customer.name})
        return redirect(f"{reverse('admin:ledger_customer_receive_payment')}?{urlencode({'recorded': entry.pk})}")


def receipt_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the 80 mm receipt of a repayment: owners and managers any, a cashier their own of the last week."""
    if not request.user.has_perm(RECEIVE_PAYMENT_PERMISSION) and not request.user.has_perm(VIEW_ENTRIES_PERMISSION):
        raise PermissionDenied(_("You cannot open khata receipts."))
    if not CreditEntry.objects.filter(pk=pk, kind=CreditEntry.Kind.PAYMENT).exists():
        raise Http404(_("No such repayment."))
    entry = credit_payments_visible_to(request.user).select_related("customer", "created_by").filter(pk=pk).first()
    if entry is None:
        raise PermissionDenied(_("A cashier prints only the receipts of repayments they took this week."))
    return pdf_response(receipt_pdf(entry), f"{receipt_number(entry)}.pdf")


def annotate_entry_links(entries: list[CreditEntry], *, customer: Customer, user) -> None:
    """Give each of a customer's entries its particulars, and the URLs of its Reverse link and receipt where
    this user has them."""
    reversed_ids = set(customer.credit_entries.filter(reverses__isnull=False).values_list("reverses_id", flat=True))
    may_reverse = user.has_perm(REVERSE_ENTRY_PERMISSION)
    for entry in entries:
        entry.particulars = entry_particulars(entry)
        entry.is_reversed = entry.pk in reversed_ids
        entry.reverse_url = (reverse("admin:ledger_creditentry_reverse", args=[entry.pk])
                             if may_reverse and entry.kind in REVERSIBLE_KINDS and not entry.is_reversed else "")
        entry.receipt_url = (reverse("admin:ledger_creditentry_receipt", args=[entry.pk])
                             if entry.kind == CreditEntry.Kind.PAYMENT else "")


# --- The statement ----------------------------------------------------------------------------------------------


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def clean_start(self):
        return in_range(self.cleaned_data.get("start"))

    def clean_end(self):
        return in_range(self.cleaned_data.get("end"))


def statement_period(request: HttpRequest) -> tuple[PeriodForm, date, date]:
    """Return the period form and the (start, end) it asks for; the last 90 days for anything missing or bad.

    The form comes back with its errors when the dates were bad, else filled with the period shown.
    """
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = today - timedelta(days=STATEMENT_DAYS - 1), today
    if form.is_valid():
        end = form.cleaned_data["end"] or end
        start = form.cleaned_data["start"] or min(start, end)
    start, end = min(start, end), max(start, end)
    if not form.is_bound or form.is_valid():
        form = PeriodForm(initial={"start": start, "end": end})
    return form, start, end


def period_query(start: date, end: date) -> str:
    return urlencode({"start": start.isoformat(), "end": end.isoformat()})


class StatementView(KhataPage, TemplateView):
    """The customer's statement for a period: opening, entries with running balance, closing, ageing; with
    its PDF, email, WhatsApp and UPI links."""

    title = gettext_lazy("Khata statement")
    permission_required = (VIEW_ENTRIES_PERMISSION,)
    template_name = "admin/ledger/statement.html"

    def get_context_data(self, **kwargs):
        customer = self.get_customer()
        form, start, end = statement_period(self.request)
        statement = customer_statement(customer=customer, start=start, end=end)
        profile = ShopProfile.objects.get_profile()
        query = period_query(start, end)
        annotate_entry_links([line.entry for line in statement.lines], customer=customer, user=self.request.user)
        upi_link = khata_upi_link(customer, amount=statement.closing, profile=profile)
        return super().get_context_data(
            statement=statement, period_form=form, upi_link=upi_link,
            upi_qr=mark_safe(qr_svg(upi_link, size=160)) if upi_link else "",  # noqa: S308 (our own SVG)
            pdf_url=f"{reverse('admin:ledger_customer_statement_pdf', args=[customer.pk])}?{query}",
            email_url=f"{reverse('admin:ledger_customer_statement_email', args=[customer.pk])}?{query}",
            whatsapp_url=khata_whatsapp_link(customer, balance=statement.closing, as_of=statement.end,
                                             profile=profile),
            **kwargs)


def statement_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the statement of a period (?start=&end=) as an A4 PDF."""
    if not request.user.has_perm(VIEW_ENTRIES_PERMISSION):
        raise PermissionDenied(_("You cannot see khata statements."))
    customer = get_object_or_404(Customer, pk=pk)
    _form, start, end = statement_period(request)
    statement = customer_statement(customer=customer, start=start, end=end)
    return pdf_response(statement_pdf(statement), f"statement-{customer.pk}-{start:%Y%m%d}-{end:%Y%m%d}.pdf")


class StatementEmailForm(forms.Form):
    to = forms.CharField(label=gettext_lazy("Email address"), max_length=254,
                         widget=UnfoldAdminEmailInputWidget(attrs={"autofocus": True}))
    start = forms.DateField(widget=forms.HiddenInput)
    end = forms.DateField(widget=forms.HiddenInput)

    def clean_start(self):
        return in_range(self.cleaned_data.get("start"))

    def clean_end(self):
        return in_range(self.cleaned_data.get("end"))


class StatementEmailView(KhataPage, FormView):
    """GET: the form, filled with the customer's email. POST: queue the statement with its PDF."""

    title = gettext_lazy("Email statement")
    permission_required = (VIEW_ENTRIES_PERMISSION,)
    template_name = "admin/ledger/khata_form.html"
    form_class = StatementEmailForm

    def get_initial(self):
        _form, start, end = statement_period(self.request)
        return {"to": self.get_customer().email, "start": start, "end": end}

    def get_context_data(self, **kwargs):
        _form, start, end = statement_period(self.request)
        return super().get_context_data(
            intro=_("The statement from %(start)s to %(end)s goes out by email with its PDF attached. It is sent "
                    "in the background; the email outbox shows how it went.")
            % {"start": start.strftime("%d-%m-%Y"), "end": end.strftime("%d-%m-%Y")},
            submit_label=_("Send email"), **kwargs)

    def form_valid(self, form):
        customer = self.get_customer()
        start, end = sorted((form.cleaned_data["start"], form.cleaned_data["end"]))
        try:
            email = statement_email_queue(customer=customer, start=start, end=end, to=form.cleaned_data["to"],
                                          user=self.request.user)
        except ValidationError as refusal:
            add_refusal(form, refusal)
            return self.form_invalid(form)
        messages.success(self.request, _("The statement is queued to be emailed to %(to)s.") % {"to": email.to})
        url = reverse("admin:ledger_customer_statement", args=[customer.pk])
        return redirect(f"{url}?{period_query(start, end)}")


# --- Adjustments, opening balances and reversals (owners and managers) ------------------------------------------


class AdjustForm(forms.Form):
    amount = forms.CharField(label=gettext_lazy("Amount (₹)"), max_length=20,
                             help_text=gettext_lazy("Positive: the customer owes more. Negative (like -50): owes "
                                                    "less, such as a discount or a write-off."),
                             widget=_text_input(autofocus=True, inputmode="decimal", autocomplete="off"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255, widget=_text_input())


class AdjustView(KhataPage, FormView):
    title = gettext_lazy("Adjust khata")
    permission_required = (ADJUST_CREDIT_PERMISSION,)
    form_class = AdjustForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intro=_("An adjustment changes what the customer owes without money changing hands. It goes in the "
                    "khata with its reason; the day book is not touched."), submit_label=_("Save adjustment"),
            **kwargs)

    def form_valid(self, form):
        customer = self.get_customer()
        try:
            credit_adjust(customer=customer, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"],
                          user=self.request.user)
        except ValidationError as refusal:
            add_refusal(form, refusal)
            return self.form_invalid(form)
        messages.success(self.request, _("The khata of %(name)s is adjusted.") % {"name": customer.name})
        return redirect(self.customer_url())


class OpeningBalanceForm(forms.Form):
    amount = forms.CharField(label=gettext_lazy("Opening balance (₹)"), max_length=20,
                             widget=_text_input(autofocus=True, inputmode="decimal", autocomplete="off"))
    day = forms.DateField(label=gettext_lazy("Owed since"), required=False, widget=DateInput(),
                          help_text=gettext_lazy("The day this was owed from (for ageing). Empty: today."))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False, widget=_text_input())

    def clean_day(self):
        return in_range(self.cleaned_data.get("day"))


class OpeningBalanceView(KhataPage, FormView):
    title = gettext_lazy("Opening balance")
    permission_required = (ADJUST_CREDIT_PERMISSION,)
    form_class = OpeningBalanceForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intro=_("What the customer already owed from the paper khata when the shop started using Galla. "
                    "A customer has one opening balance."), submit_label=_("Save opening balance"), **kwargs)

    def form_valid(self, form):
        customer = self.get_customer()
        try:
            credit_opening_balance(customer=customer, amount=form.cleaned_data["amount"],
                                   day=form.cleaned_data["day"], note=form.cleaned_data["note"],
                                   user=self.request.user)
        except ValidationError as refusal:
            add_refusal(form, refusal)
            return self.form_invalid(form)
        messages.success(self.request, _("The opening balance of %(name)s is recorded.") % {"name": customer.name})
        return redirect(self.customer_url())


class ReverseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why is this entry reversed?"), max_length=255,
                             widget=_text_input(autofocus=True))


class ReverseEntryView(UnfoldModelAdminViewMixin, FormView):
    title = gettext_lazy("Reverse khata entry")
    permission_required = (REVERSE_ENTRY_PERMISSION,)
    template_name = "admin/ledger/khata_form.html"
    form_class = ReverseForm

    def get_entry(self) -> CreditEntry:
        return get_object_or_404(CreditEntry.objects.select_related("customer"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        entry = self.get_entry()
        when = timezone.localtime(entry.created_at).strftime("%d-%m-%Y %H:%M")
        intro = _("%(what)s of %(amount)s on %(when)s. A new entry of the opposite amount undoes it today; an entry "
                  "is reversed once.") % {"what": entry_particulars(entry), "amount": format_inr(abs(entry.amount)),
                                          "when": when}
        if entry.kind == CreditEntry.Kind.PAYMENT:
            intro += " " + _("The money also goes out of today's day book.")
        return super().get_context_data(
            customer=entry.customer, balance=customer_balance(entry.customer), intro=intro,
            submit_label=_("Reverse the entry"), submit_variant="danger",
            back_url=reverse("admin:ledger_customer_change", args=[entry.customer_id]), **kwargs)

    def form_valid(self, form):
        entry = self.get_entry()
        try:
            credit_entry_reverse(entry=entry, user=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as refusal:
            add_refusal(form, refusal)
            return self.form_invalid(form)
        messages.success(self.request, _("Entry #%(pk)s is reversed.") % {"pk": entry.pk})
        return redirect("admin:ledger_customer_change", entry.customer_id)


# --- URLs -------------------------------------------------------------------------------------------------------


def customer_khata_urls(model_admin: ModelAdmin) -> list[URLPattern]:
    """Return the khata URLs of the Customer admin, each behind the admin site's login, staff and CSRF checks."""
    wrap: Callable = model_admin.admin_site.admin_view
    return [
        path("receive-payment/", wrap(ReceivePaymentView.as_view(model_admin=model_admin)),
             name="ledger_customer_receive_payment"),
        path("<int:pk>/statement/", wrap(StatementView.as_view(model_admin=model_admin)),
             name="ledger_customer_statement"),
        path("<int:pk>/statement/pdf/", wrap(statement_pdf_view), name="ledger_customer_statement_pdf"),
        path("<int:pk>/statement/email/", wrap(StatementEmailView.as_view(model_admin=model_admin)),
             name="ledger_customer_statement_email"),
        path("<int:pk>/adjust/", wrap(AdjustView.as_view(model_admin=model_admin)), name="ledger_customer_adjust"),
        path("<int:pk>/opening-balance/", wrap(OpeningBalanceView.as_view(model_admin=model_admin)),
             name="ledger_customer_opening_balance"),
        path("ageing/", wrap(AgeingReportView.as_view(model_admin=model_admin)), name="ledger_customer_ageing"),
        path("ageing/export/", wrap(AgeingExportView.as_view(model_admin=model_admin)),
             name="ledger_customer_ageing_export"),
        path("ageing/pdf/", wrap(AgeingPdfView.as_view(model_admin=model_admin)), name="ledger_customer_ageing_pdf"),
    ]


def credit_entry_urls(model_admin: ModelAdmin) -> list[URLPattern]:
    """Return the khata entry admin's URLs: reversing an entry and a repayment's receipt."""
    wrap: Callable = model_admin.admin_site.admin_view
    return [
        path("<int:pk>/reverse/", wrap(ReverseEntryView.as_view(model_admin=model_admin)),
             name="ledger_creditentry_reverse"),
        path("<int:pk>/receipt/", wrap(receipt_view), name="ledger_creditentry_receipt"),
    ]
