"""The khata ageing report in the admin: the page, its CSV and Excel, and the printable PDF.

Owners and managers (reports.view_reports); the figures come from ledger.selectors.khata_ageing_report.
A filter the report does not know shows on the form (a 400 for a download), never a 500.
"""

import tablib
from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin
from unfold.widgets import UnfoldAdminSelectWidget

from ledger.ageing_pdf import ageing_pdf
from ledger.day_book_views import EXPORT_FORMATS
from ledger.selectors import AGEING_FILTERS, AGEING_LABELS, AgeingReport, khata_ageing_report
from shop.models import ShopProfile
from shop.spreadsheets import escape_dataset

AGEING_PERMISSIONS = ("reports.view_reports", "ledger.view_customer")
EXPORT_HEADERS = ("Customer", "Phone", "Credit limit", *AGEING_LABELS, "Advance", "Balance", "Owed since",
                  "Last payment")


class AgeingFilterForm(forms.Form):
    show = forms.ChoiceField(label=_("Show"), required=False, choices=list(AGEING_FILTERS.items()),
                             widget=UnfoldAdminSelectWidget)


def requested_report(request: HttpRequest) -> tuple[AgeingFilterForm, AgeingReport | None]:
    """Return the filter form and the report it asks for (None when the form is invalid)."""
    form = AgeingFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, khata_ageing_report(show=form.cleaned_data["show"] if form.is_bound else "")


def _bad_filter(form: AgeingFilterForm) -> HttpResponse:
    problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return HttpResponseBadRequest(f"Choose the filter again ({problems}).", content_type="text/plain; charset=utf-8")


class AgeingReportView(UnfoldModelAdminViewMixin, TemplateView):
    """Every customer with a balance, their debt by age, the totals, and the downloads."""

    title = _("Khata ageing")
    permission_required = AGEING_PERMISSIONS
    template_name = "admin/ledger/ageing.html"

    def get_context_data(self, **kwargs):
        form, report = requested_report(self.request)
        query = urlencode({"show": report.show}) if report else ""
        return super().get_context_data(form=form, report=report, query=query, labels=AGEING_LABELS, **kwargs)


def ageing_dataset(report: AgeingReport) -> tablib.Dataset:
    """Return the report as a spreadsheet with a totals row, every text cell made safe from formulas."""
    dataset = tablib.Dataset(headers=list(EXPORT_HEADERS), title="Khata ageing")
    for row in report.rows:
        customer, ageing = row.customer, row.ageing
        dataset.append((
            customer.name, customer.phone, customer.credit_limit, *[amount for _label, amount in ageing.buckets],
            ageing.advance, ageing.balance, customer.oldest_due_on.isoformat() if customer.oldest_due_on else "",
            timezone.localdate(customer.last_payment_at).isoformat() if customer.last_payment_at else "",
        ))
    totals = report.totals
    dataset.append((f"Total ({len(report.rows)} customers)", "", "", *[amount for _label, amount in totals.buckets],
                    totals.advance, totals.balance, "", ""))
    return escape_dataset(dataset)


class AgeingExportView(UnfoldModelAdminViewMixin, TemplateView):
    """The report as CSV or Excel (?format=csv|xlsx), with the page's filter."""

    title = _("Export the khata ageing")
    permission_required = AGEING_PERMISSIONS

    def get(self, request, *args, **kwargs):
        export = EXPORT_FORMATS.get(request.GET.get("format", "csv"))
        if export is None:
            return HttpResponseBadRequest("Export as format=csv or format=xlsx.", content_type="text/plain")
        form, report = requested_report(request)
        if report is None:
            return _bad_filter(form)
        content_type, extension = export
        body = ageing_dataset(report).export(extension)
        if extension == "csv":
            body = "\ufeff" + body  # a BOM, so Excel opens ₹ and Hindi names as UTF-8
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="khata-ageing-{report.as_of.isoformat()}.{extension}"'
        return response


class AgeingPdfView(UnfoldModelAdminViewMixin, TemplateView):
    """The report printed on A4, with the page's filter."""

    title = _("Print the khata ageing")
    permission_required = AGEING_PERMISSIONS

    def get(self, request, *args, **kwargs):
        form, report = requested_report(request)
        if report is None:
            return _bad_filter(form)
        content = ageing_pdf(report, profile=ShopProfile.objects.get_profile(), printed_by=request.user)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="khata-ageing-{report.as_of.isoformat()}.pdf"'
        return response
