"""The Reports section of the admin: the index of reports (the changelist of the tableless Report model)
and every report's page, file and PDF. Report has no table, so nothing here adds, edits, deletes or
lists a record, and no page of this admin queries one."""

from django.contrib import admin
from django.urls import path
from unfold.admin import ModelAdmin

from reports.gst_views import Gstr1ExportView, Gstr1JsonView, Gstr1PdfView, Gstr1View, Gstr3bView
from reports.models import Report
from reports.pages import ReportSpec
from reports.report_list import REPORTS
from reports.views import ReportExportView, ReportIndexView, ReportPageView, ReportPdfView

VIEW_PERMISSION = "reports.view_reports"


@admin.register(Report)
class ReportAdmin(ModelAdmin):
    """Opens for owners and managers (reports.view_reports); each report checks its own permissions too."""

    def has_module_permission(self, request):
        return request.user.has_perm(VIEW_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return obj is None and request.user.has_perm(VIEW_PERMISSION)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return Report.objects.none()  # no table behind it

    def changelist_view(self, request, extra_context=None):
        return ReportIndexView.as_view(model_admin=self)(request)

    def report_paths(self, report: ReportSpec) -> list:
        """Return the page, the CSV / Excel file and the PDF of one report."""
        wrap = self.admin_site.admin_view
        options = {"model_admin": self, "report": report, "title": report.title,
                   "permission_required": report.permissions}
        return [
            path(f"{report.slug}/", wrap(ReportPageView.as_view(**options)), name=report.url_name),
            path(f"{report.slug}/export/", wrap(ReportExportView.as_view(**options)), name=f"{report.url_name}_export"),
            path(f"{report.slug}/pdf/", wrap(ReportPdfView.as_view(**options)), name=f"{report.url_name}_pdf"),
        ]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(ReportIndexView.as_view(model_admin=self)), name="reports_report_changelist"),
            *(route for report in REPORTS for route in self.report_paths(report)),
            # The GST returns have pages of their own (reports.gst_views): sections, not one table.
            path("gst/gstr-1/", wrap(Gstr1View.as_view(model_admin=self)), name="reports_gstr1"),
            path("gst/gstr-1/json/", wrap(Gstr1JsonView.as_view(model_admin=self)), name="reports_gstr1_json"),
            path("gst/gstr-1/export/", wrap(Gstr1ExportView.as_view(model_admin=self)), name="reports_gstr1_export"),
            path("gst/gstr-1/pdf/", wrap(Gstr1PdfView.as_view(model_admin=self)), name="reports_gstr1_pdf"),
            path("gst/gstr-3b/", wrap(Gstr3bView.as_view(model_admin=self)), name="reports_gstr3b"),
        ]
