"""The report pages in the admin: the Reports index, and for each report its page, its CSV / Excel file
and its PDF. Views only turn the query string into a report (reports.pages, reports.report_list);
a bad filter shows on the form (a 400 for a file), never a 500.
"""

from decimal import Decimal

from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from reports.pages import (
    NUMERIC,
    ReportFilter,
    ReportSpec,
    ReportTable,
    Viewer,
    cell_text,
    filters_text,
    period_text,
    report_dataset,
)
from reports.pdf import report_pdf
from reports.report_list import OWN_PAGE_REPORTS, REPORTS
from shop.models import ShopProfile

MAX_PAGE_ROWS = 500  # a page shows this many rows; the files hold them all
VIEW_PERMISSION = "reports.view_reports"
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportIndexView(UnfoldModelAdminViewMixin, TemplateView):
    """The Reports page: a card for each report this user may open, grouped by what it is about."""

    title = _("Reports")
    permission_required = (VIEW_PERMISSION,)
    template_name = "admin/reports/index.html"

    def get_context_data(self, **kwargs):
        sections: dict[str, list[dict]] = {}
        for report in (*REPORTS, *OWN_PAGE_REPORTS):
            if self.request.user.has_perms(report.permissions):
                sections.setdefault(report.section, []).append(
                    {"report": report, "url": reverse(f"admin:{report.url_name}")})
        return super().get_context_data(sections=sections, **kwargs)


class _ReportView(UnfoldModelAdminViewMixin, TemplateView):
    """A report's view; the admin gives each one its report, title and permissions (ReportAdmin.report_paths)."""

    report: ReportSpec | None = None
    title = _("Report")
    permission_required = (VIEW_PERMISSION,)

    def requested(self) -> tuple[ReportFilter, dict | None]:
        """Return the filter form and its clean values (None when the query string is not valid)."""
        filters = ReportFilter(self.request.GET, names=self.report.filters)
        return filters, (filters.values() if filters.is_valid() else None)

    def build(self, values: dict) -> ReportTable:
        return self.report.build(values, Viewer(self.request.user))

    def bad_request(self, filters: ReportFilter) -> HttpResponse:
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filters.errors.items())
        return HttpResponseBadRequest(f"Check the filters: {problems}", content_type="text/plain; charset=utf-8")

    def file_name(self, values: dict, extension: str) -> str:
        period = f"-{values['start']:%Y%m%d}-{values['end']:%Y%m%d}" if values.get("start") else ""
        return f"{slugify(self.report.slug)}{period}.{extension}"


def _heat_style(value, largest: Decimal) -> str:
    """Return a cell's green shade: the larger its share of the largest cell, the darker (text stays legible)."""
    if not value or not largest:
        return ""
    return f"background-color: rgba(22, 163, 74, {0.08 + 0.72 * float(value / largest):.2f})"


def _display_rows(table: ReportTable) -> tuple[list[list[dict]], list[dict] | None]:
    """Return the rows (at most MAX_PAGE_ROWS) and the totals as cells the template shows as they are.

    A heatmap shades its inner cells (neither the row label nor the row total) by size.
    """
    inner = slice(1, -1)
    largest = max((value or 0 for row in table.rows for value in row[inner]), default=Decimal("0")) \
        if table.heat else Decimal("0")

    def cells(row, *, shade: bool) -> list[dict]:
        shown = []
        for index, (value, column) in enumerate(zip(row, table.columns, strict=True)):
            numeric = column.kind in NUMERIC
            shown.append({"text": cell_text(value, column.kind), "numeric": numeric,
                          "negative": numeric and value is not None and value < 0,
                          "style": _heat_style(value, largest) if shade and 0 < index < len(row) - 1 else ""})
        return shown

    rows = [cells(row, shade=table.heat) for row in table.rows[:MAX_PAGE_ROWS]]
    return rows, (cells(table.totals, shade=False) if table.totals else None)


class ReportPageView(_ReportView):
    """A report as an admin page, with its filters and links to the same figures as CSV, Excel and PDF."""

    template_name = "admin/reports/report.html"

    def get_context_data(self, **kwargs):
        filters, values = self.requested()
        context = super().get_context_data(form=filters.form, report=self.report, **kwargs)
        context["index_url"] = reverse("admin:reports_report_changelist")
        if values is None:
            return context
        table = self.build(values)
        rows, totals = _display_rows(table)
        query = self.request.GET.urlencode()
        context.update(
            table=table, rows=rows, totals=totals, period=period_text(values), filters_text=filters_text(values),
            cut=len(table.rows) > MAX_PAGE_ROWS, max_rows=MAX_PAGE_ROWS, row_count=len(table.rows),
            export_url=f"{reverse(f'admin:{self.report.url_name}_export')}?{query}",
            pdf_url=f"{reverse(f'admin:{self.report.url_name}_pdf')}?{query}",
        )
        return context


class ReportExportView(_ReportView):
    """A report's figures as CSV or Excel (?format=csv|xlsx): numbers as numbers, text safe from formulas."""

    def get(self, request, *args, **kwargs):
        extension = request.GET.get("format", "csv")
        if extension not in EXPORT_FORMATS:
            return HttpResponseBadRequest("Export as format=csv or format=xlsx.", content_type="text/plain")
        filters, values = self.requested()
        if values is None:
            return self.bad_request(filters)
        body = report_dataset(self.build(values), title=self.report.title).export(extension)
        if extension == "csv":
            body = "\ufeff" + body  # a BOM, so Excel opens ₹ and Hindi names as UTF-8
        response = HttpResponse(body, content_type=EXPORT_FORMATS[extension])
        response["Content-Disposition"] = f'attachment; filename="{self.file_name(values, extension)}"'
        return response


class ReportPdfView(_ReportView):
    """A report printed on A4 with the invoice's fonts."""

    def get(self, request, *args, **kwargs):
        filters, values = self.requested()
        if values is None:
            return self.bad_request(filters)
        content = report_pdf(self.build(values), title=self.report.title, period=period_text(values),
                             filters=filters_text(values), profile=ShopProfile.objects.get_profile(),
                             printed_by=request.user, wide=self.report.landscape)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{self.file_name(values, "pdf")}"'
        return response
