"""The reports in the admin: a ModelAdmin for the tableless Report model whose URLs are the report pages.

Nothing here adds, edits or deletes anything; every page checks reports.view_reports itself.
"""

from django.contrib import admin
from django.urls import path
from unfold.admin import ModelAdmin

from reports.gst_views import (
    Gstr1ExportView,
    Gstr1JsonView,
    Gstr1PdfView,
    Gstr1View,
    Gstr3bView,
    ReportsHomeView,
)
from reports.models import Report

PERMISSION = "reports.view_reports"


@admin.register(Report)
class ReportAdmin(ModelAdmin):
    def has_module_permission(self, request):
        return request.user.has_perm(PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        # Only the report pages: the model has no table, so the usual change and history pages have nothing to show.
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(ReportsHomeView.as_view(model_admin=self)), name="reports_report_changelist"),
            path("gst/gstr-1/", wrap(Gstr1View.as_view(model_admin=self)), name="reports_gstr1"),
            path("gst/gstr-1/json/", wrap(Gstr1JsonView.as_view(model_admin=self)), name="reports_gstr1_json"),
            path("gst/gstr-1/export/", wrap(Gstr1ExportView.as_view(model_admin=self)), name="reports_gstr1_export"),
            path("gst/gstr-1/pdf/", wrap(Gstr1PdfView.as_view(model_admin=self)), name="reports_gstr1_pdf"),
            path("gst/gstr-3b/", wrap(Gstr3bView.as_view(model_admin=self)), name="reports_gstr3b"),
        ]
