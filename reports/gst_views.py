"""The GST report pages: GSTR-1 for a month (its sections, the portal JSON, CSV / Excel per section, PDF)
and the GSTR-3B liability table.

Views only turn HTTP into calls of reports.gst; every page needs reports.view_reports (owner, manager).
A month the form cannot read shows as a form error on the pages and a 400 on the downloads, never a 500.
"""

import re
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin
from unfold.widgets import UnfoldAdminTextInputWidget

from reports.gst import GST_START, gstr1, gstr3b
from reports.gst_json import gstr1_portal_json
from reports.gst_pdf import gst_return_pdf
from reports.gst_tables import gstr1_tables, gstr3b_tables, tables_databook
from shop.models import ShopProfile

PERMISSION = "reports.view_reports"
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class MonthInput(UnfoldAdminTextInputWidget):
    """The browser's month picker (YYYY-MM), in unfold's input style."""

    input_type = "month"


def last_month() -> date:
    return timezone.localdate().replace(day=1) - timedelta(days=1)


class MonthForm(forms.Form):
    """The month of a return (YYYY-MM): from July 2017, when GST began, to this month. Empty: last month."""

    month = forms.CharField(label=_("Month"), required=False, max_length=7, widget=MonthInput)

    def clean_month(self) -> date:
        text = self.cleaned_data["month"].strip()
        if not text:
            return last_month().replace(day=1)
        match = _MONTH.fullmatch(text)
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValidationError(_("Choose a month, like %(example)s.") % {"example": f"{last_month():%Y-%m}"})
        month = date(int(match[1]), int(match[2]), 1)
        if month < GST_START.replace(day=1):
            raise ValidationError(_("GST began in July 2017: choose a month from 2017-07."))
        if month > timezone.localdate():
            raise ValidationError(_("That month has not begun yet."))
        return month


def requested_month(request) -> tuple[MonthForm, date | None]:
    """Return the month form and the month it asks for (None when the form is invalid)."""
    # No month asked: last month, shown in the picker too.
    form = MonthForm(request.GET if request.GET.get("month") else {"month": f"{last_month():%Y-%m}"})
    return form, (form.cleaned_data["month"] if form.is_valid() else None)


def _bad_month(form: MonthForm) -> HttpResponse:
    problems = " ".join(" ".join(errors) for errors in form.errors.values())
    return HttpResponseBadRequest(f"Choose the month again: {problems}", content_type="text/plain; charset=utf-8")


def _month_links(month: date) -> dict:
    previous = month - timedelta(days=1)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return {"previous_month": f"{previous:%Y-%m}",
            "next_month": f"{following:%Y-%m}" if following <= timezone.localdate() else ""}


class Gstr1View(UnfoldModelAdminViewMixin, TemplateView):
    """GSTR-1 of a month: every section as a table, with its downloads."""

    title = _("GSTR-1: outward supplies")
    permission_required = (PERMISSION,)
    template_name = "admin/reports/gst_return.html"

    def get_context_data(self, **kwargs):
        form, month = requested_month(self.request)
        context = super().get_context_data(form=form, month=month, page="gstr1", **kwargs)
        if month is None:
            return context
        profile = ShopProfile.objects.get_profile()
        report = gstr1(month=month)
        query = urlencode({"month": f"{month:%Y-%m}"})
        context.update(
            tables=gstr1_tables(report), query=query, month_text=f"{month:%B %Y}", **_month_links(month),
            gstin=profile.gstin, composition=profile.composition_scheme, fp=report.fp,
            export_url=reverse("admin:reports_gstr1_export"), json_url=reverse("admin:reports_gstr1_json"),
            pdf_url=reverse("admin:reports_gstr1_pdf"), other_url=reverse("admin:reports_gstr3b"),
            missing_hsn=any(not row.hsn for row in report.hsn_b2b + report.hsn_b2c),
        )
        return context


class Gstr3bView(UnfoldModelAdminViewMixin, TemplateView):
    """GSTR-3B's outward supplies of a month: the tax to pay on sales."""

    title = _("GSTR-3B: tax liability on sales")
    permission_required = (PERMISSION,)
    template_name = "admin/reports/gst_return.html"

    def get_context_data(self, **kwargs):
        form, month = requested_month(self.request)
        context = super().get_context_data(form=form, month=month, page="gstr3b", **kwargs)
        if month is None:
            return context
        profile = ShopProfile.objects.get_profile()
        context.update(
            tables=gstr3b_tables(gstr3b(month=month)), query=urlencode({"month": f"{month:%Y-%m}"}),
            month_text=f"{month:%B %Y}", **_month_links(month), gstin=profile.gstin,
            composition=profile.composition_scheme, other_url=reverse("admin:reports_gstr1"),
        )
        return context


class Gstr1JsonView(UnfoldModelAdminViewMixin, TemplateView):
    """GSTR-1 of a month as the JSON file the GST portal's offline tool imports."""

    title = _("GSTR-1 JSON")
    permission_required = (PERMISSION,)

    def get(self, request, *args, **kwargs):
        form, month = requested_month(request)
        if month is None:
            return _bad_month(form)
        report = gstr1(month=month)
        if not report.gstin:
            return HttpResponseBadRequest("The shop profile has no GSTIN: enter it there before filing GSTR-1.",
                                          content_type="text/plain; charset=utf-8")
        response = HttpResponse(gstr1_portal_json(report), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="GSTR1_{report.gstin}_{report.fp}.json"'
        return response


class Gstr1ExportView(UnfoldModelAdminViewMixin, TemplateView):
    """A GSTR-1 section as CSV or Excel (?month=YYYY-MM&section=b2b&format=csv); section=all, the default, is
    every section as a sheet of one Excel workbook."""

    title = _("Export GSTR-1")
    permission_required = (PERMISSION,)

    def get(self, request, *args, **kwargs):
        section = request.GET.get("section", "all")
        export_format = request.GET.get("format", "xlsx" if section == "all" else "csv")
        if export_format not in EXPORT_FORMATS:
            return HttpResponseBadRequest("Export as format=csv or format=xlsx.", content_type="text/plain")
        form, month = requested_month(request)
        if month is None:
            return _bad_month(form)
        report = gstr1(month=month)
        tables = {table.key: table for table in gstr1_tables(report)}
        if section == "all" and export_format == "xlsx":
            body = tables_databook(list(tables.values())).export("xlsx")
        elif section in tables:
            body = tables[section].dataset().export(export_format)
        else:
            choices = ", ".join(tables) + (" or all (Excel only)" if export_format == "csv" else " or all")
            return HttpResponseBadRequest(f"Choose a section: {choices}.", content_type="text/plain")
        if export_format == "csv":
            body = "\ufeff" + body  # a BOM, so Excel opens ₹ and Hindi names as UTF-8
        response = HttpResponse(body, content_type=EXPORT_FORMATS[export_format])
        response["Content-Disposition"] = f'attachment; filename="gstr1-{month:%Y-%m}-{section}.{export_format}"'
        return response


class Gstr1PdfView(UnfoldModelAdminViewMixin, TemplateView):
    """GSTR-1 of a month printed on A4, with the invoice's fonts."""

    title = _("Print GSTR-1")
    permission_required = (PERMISSION,)

    def get(self, request, *args, **kwargs):
        form, month = requested_month(request)
        if month is None:
            return _bad_month(form)
        content = gst_return_pdf(title="GSTR-1", period=f"{month:%B %Y}", tables=gstr1_tables(gstr1(month=month)),
                                 profile=ShopProfile.objects.get_profile(), printed_by=request.user)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="gstr1-{month:%Y-%m}.pdf"'
        return response
