"""Import jobs in the admin: a list of the user's recent background imports and a page that follows one.

Jobs are records written by catalog.import_jobs: nobody adds, edits or deletes them here. A user sees
the jobs they started; the owner sees everyone's (import_jobs_visible_to). Another user's job is a 404,
as if it did not exist; a cashier (no view permission) gets a 403. The job page polls a small status
partial every two seconds with htmx (unfold loads it on every admin page) until the job has finished.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from catalog.import_jobs import import_job_expire, import_jobs_visible_to
from catalog.models import ImportJob
from shop.admin_base import RecordAdminMixin

# Where each kind of file is imported, for "Import another file".
IMPORT_PAGES = {
    "categories": "admin:catalog_category_import",
    "brands": "admin:catalog_brand_import",
    "suppliers": "admin:catalog_supplier_import",
    "products": "admin:catalog_product_import",
    "opening-stock": "admin:catalog_stock_import",
}
# A job queued this long without starting is probably waiting for a worker that is not running.
WORKER_HINT_AFTER_SECONDS = 60


@admin.register(ImportJob)
class ImportJobAdmin(RecordAdminMixin, ModelAdmin):
    list_display = ("job", "status_badge", "kind", "rows_text", "outcome", "created_by", "created_at", "finished_at")
    list_filter = ("status", "kind")
    list_select_related = ("created_by",)
    show_full_result_count = False
    job_template = "admin/catalog/importjob/job.html"
    status_template = "admin/catalog/importjob/status.html"

    def get_queryset(self, request):
        return import_jobs_visible_to(request.user, super().get_queryset(request))

    def get_list_display(self, request):
        if request.user.has_perm("catalog.view_all_importjobs"):
            return self.list_display
        return tuple(name for name in self.list_display if name != "created_by")  # all their own

    @display(description=_("import"))
    def job(self, job):
        return str(job)

    @display(description=_("status"), ordering="status",
             label={"queued": "info", "running": "warning", "done": "success", "failed": "danger"})
    def status_badge(self, job):
        return job.status

    @display(description=_("rows"), ordering="rows")
    def rows_text(self, job):
        return "" if job.rows is None else f"{job.rows:,}"

    @display(description=_("outcome"))
    def outcome(self, job):
        if job.status == ImportJob.Status.DONE:
            return _("%(new)s new, %(updated)s updated, %(unchanged)s unchanged") % {
                "new": f"{job.new:,}", "updated": f"{job.updated:,}", "unchanged": f"{job.unchanged:,}"}
        if job.status == ImportJob.Status.FAILED:
            return _("Nothing imported")
        return job.get_stage_display()

    # --- The job page and its status partial ------------------------------------------------------

    def get_urls(self):
        status = self.admin_site.admin_view(self.status_view)
        return [path("<int:pk>/status/", status, name="catalog_importjob_status"), *super().get_urls()]

    def visible_job(self, request, object_id) -> ImportJob:
        """Return the job if this user may see it: 403 without the view permission, 404 for another's job."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = self.get_object(request, unquote(str(object_id)))
        if job is None:
            raise Http404(_("There is no such import job."))
        return import_job_expire(job)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job page: what was imported, by whom, and its live status."""
        job = self.visible_job(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            **self.status_context(job),
            "title": str(job),
            "opts": self.opts,
            "has_view_permission": True,
            "import_page": reverse(IMPORT_PAGES[job.kind]),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.job_template, context)

    def history_view(self, request, object_id, extra_context=None):
        self.visible_job(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def status_view(self, request, pk: int):
        """The status partial the job page polls."""
        job = self.visible_job(request, pk)
        return TemplateResponse(request, self.status_template, self.status_context(job))

    def status_context(self, job: ImportJob) -> dict:
        waiting = (timezone.now() - job.created_at).total_seconds()
        return {
            "job": job,
            "status_url": reverse("admin:catalog_importjob_status", args=[job.pk]),
            "rows_text": "" if job.rows is None else f"{job.rows:,}",
            "more_errors": max(job.error_count - len(job.errors), 0),
            "worker_may_be_down": job.status == ImportJob.Status.QUEUED and waiting > WORKER_HINT_AFTER_SECONDS,
        }
