"""Import and export buttons for the catalogue admin (django-import-export with unfold's forms).

Import: only users holding `shop.import_data` (Owner, Manager), all rows or none, errors named by
row and column; files within the upload limits (shop.spreadsheets), kept between the preview and the
confirm step in a private storage under a name only the uploader may post back (shop.import_uploads).
Files with more rows than IMPORT_BACKGROUND_ROWS skip the row-by-row preview (it takes as long as the
import): the upload step shows the row count and the first rows, and the confirm step queues an ImportJob
for the background worker and sends the user to its page (catalog.import_jobs).
Export: everyone who may view the list; cost columns only for users who may see cost prices (never
cashiers); every cell a spreadsheet would run as a formula is escaped. The checks are server-side:
the buttons only hide what the views refuse.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from catalog.import_jobs import import_job_queue, should_run_in_background
from catalog.import_widgets import ROW_KEY
from catalog.importing import (
    COST_PERMISSION,
    IMPORT_PERMISSION,
    FileTooBig,
    FileUnreadable,
    ShopCSV,
    ShopXLSX,
    report_from_result,
)
from catalog.resources import RESOURCES
from shop.import_uploads import REFUSED, UploadRefused, claim_upload_name, issue_upload_name
from shop.spreadsheets import check_upload_size, escape_dataset

MAX_ERRORS_IN_MESSAGE = 20
FIRST_ROWS_SHOWN = 10  # of a file imported in the background, instead of the row-by-row preview
KIND_OF_RESOURCE = {resource: kind for kind, resource in RESOURCES.items()}


def command_hint(resource) -> str:
    """Say how a file past the upload limits can still be imported."""
    kind = KIND_OF_RESOURCE.get(resource, "KIND")
    return (f"For a bigger file, whoever runs the server can import it with "
            f"\"python manage.py import_catalog {kind} FILE\", which has no row limit.")


class ShopImportForm(ImportForm):
    """The upload step: a file past the size limit is refused before anything reads it."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.resource_classes = list(resources)

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_upload_size(upload)
        except ValidationError as error:
            raise ValidationError(f"{error.message} {command_hint(self.resource_classes[0])}",
                                  code=error.code) from None
        return upload


class ShopConfirmImportForm(ConfirmImportForm):
    """The confirm step: the file name must be one issued to this user, and format and resource must exist."""

    def __init__(self, *args, user, format_count: int, resource_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["import_file_name"].error_messages["required"] = REFUSED
        self.fields["format"] = forms.TypedChoiceField(
            coerce=int, choices=[(str(i), str(i)) for i in range(format_count)], widget=forms.HiddenInput)
        self.fields["resource"] = forms.TypedChoiceField(
            coerce=int, choices=[(str(i), str(i)) for i in range(resource_count)], widget=forms.HiddenInput,
            required=False, empty_value=0)

    def clean_import_file_name(self):
        try:
            return claim_upload_name(self.cleaned_data["import_file_name"], user=self.user)
        except UploadRefused as error:
            raise ValidationError(str(error)) from None


class ShopImportExportMixin(ImportExportMixin):
    """Put before unfold's ModelAdmin in an admin's bases; set `resource_classes`."""

    import_form_class = ShopImportForm
    confirm_form_class = ShopConfirmImportForm
    # The plain export form: a selectable-fields form would let a cashier tick a cost column back on.
    export_form_class = ExportForm
    import_formats = [ShopCSV, ShopXLSX]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    to_encoding = "utf-8-sig"  # Excel shows Hindi names in a CSV only when it starts with a BOM
    import_error_display = ("message",)
    import_template_name = "admin/catalog/import.html"

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm(IMPORT_PERMISSION)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**kwargs, "show_costs": request.user.has_perm(COST_PERMISSION)}

    def export_action(self, request):
        # The export filters like the list it came from, by the same querystring; a parameter the list would
        # refuse (a misspelt or unknown filter) goes back to the list with Django's error flag, not a 500.
        # A lookup on a cost by a cashier is refused by lookup_allowed, as on the list (400).
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            messages.error(request, _("The export was not made: the address holds a filter this list does not have. "
                                      "Choose the filters on the list, then export again."))
            changelist = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            return HttpResponseRedirect(f"{changelist}?{ERROR_FLAG}=1")

    def get_data_for_export(self, request, queryset, **kwargs):
        # The one path every admin export (CSV or Excel, button or action) takes, whatever the resource.
        return escape_dataset(super().get_data_for_export(request, queryset, **kwargs))

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {**super().get_confirm_form_kwargs(request, import_form), "user": request.user,
                "format_count": len(self.get_import_formats()),
                "resource_count": len(self.get_import_resource_classes(request))}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["import_file_name"] = issue_upload_name(initial["import_file_name"], user=request.user)
        return initial

    def write_to_tmp_storage(self, import_file, input_format):
        tmp_storage = self.get_tmp_storage_class()(read_mode=input_format.get_read_mode(),
                                                   **self.get_tmp_storage_class_kwargs())
        tmp_storage.save(b"".join(import_file.chunks()))
        return tmp_storage

    def import_action(self, request, **kwargs):
        """The upload step; a file past IMPORT_BACKGROUND_ROWS gets its row count and first rows, not a preview."""
        if request.method == "POST" and self.has_import_permission(request):
            import_form = self.create_import_form(request)
            if import_form.is_valid():
                response = self._offer_background_import(request, import_form)
                if response is not None:
                    return response
        return super().import_action(request, **kwargs)

    def _offer_background_import(self, request, import_form):
        """Return the confirm page for a big file, or None to let the normal preview take any other file."""
        input_format = self.get_import_formats()[int(import_form.cleaned_data["format"])]()
        upload = import_form.cleaned_data["import_file"]
        try:
            dataset = input_format.create_dataset(b"".join(upload.chunks()))
        except FileUnreadable:
            return None  # the normal step says what is wrong with it
        if not should_run_in_background(len(dataset)):
            return None
        resource = self.choose_import_resource_class(import_form, request)(
            **self.get_import_resource_kwargs(request, form=import_form))
        if resource.header_problems([resource.canonical_column(h) for h in dataset.headers]):
            return None  # the normal step lists a wrong column at once, before reading any row
        upload.tmp_storage_name = self.write_to_tmp_storage(upload, input_format).name
        number_at = dataset.headers.index(ROW_KEY)
        keep = [i for i, header in enumerate(dataset.headers) if header != ROW_KEY]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "form": import_form,
            "opts": self.model._meta,
            "media": self.media + import_form.media,
            "confirm_form": self.create_confirm_form(request, import_form=import_form),
            "background": {
                "rows": len(dataset),
                "rows_text": f"{len(dataset):,}",
                "threshold_text": f"{settings.IMPORT_BACKGROUND_ROWS:,}",
                "columns": [dataset.headers[i] for i in keep],
                "first_rows": [(row[number_at], [row[i] for i in keep]) for row in dataset[:FIRST_ROWS_SHOWN]],
            },
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def process_import(self, request, **kwargs):
        """Confirm an import: refuse, reading and deleting nothing, a file name not issued to this user.

        A file past IMPORT_BACKGROUND_ROWS is queued for the background worker instead of imported here.
        """
        if request.method == "POST" and self.has_import_permission(request):
            confirm_form = self.create_confirm_form(request)
            if not confirm_form.is_valid():
                problems = confirm_form.errors.get("import_file_name") or [
                    "This confirmation is incomplete. Upload the file again."]
                return self._refuse_import(request, " ".join(problems))
            try:
                return (self._queue_background_import(request, confirm_form)
                        or super().process_import(request, **kwargs))
            except UploadRefused as error:
                return self._refuse_import(request, str(error))
            except FileUnreadable:  # a format tampered with since the preview
                return self._refuse_import(request, "This confirmation is incomplete. Upload the file again.")
        return super().process_import(request, **kwargs)

    def _queue_background_import(self, request, confirm_form):
        """Queue a big file's import and return a redirect to its job page; None for a file imported here."""
        input_format = self.get_import_formats()[confirm_form.cleaned_data["format"]]()
        token = confirm_form.cleaned_data["import_file_name"]
        storage = self.get_tmp_storage_class()(name=token, read_mode=input_format.get_read_mode(),
                                               **self.get_tmp_storage_class_kwargs())
        # Counted again from the stored file: the decision is the server's, not a field of the form.
        if not should_run_in_background(len(input_format.create_dataset(storage.read()))):
            return None
        resource_class = self.choose_import_resource_class(confirm_form, request)
        job = import_job_queue(user=request.user, kind=KIND_OF_RESOURCE[resource_class], upload_token=token,
                               file_name=confirm_form.cleaned_data.get("original_file_name") or "",
                               file_format=input_format.get_extension())
        messages.info(request, _("The file is being imported in the background. This page shows how far it "
                                 "has got; you may leave it and come back from Import jobs."))
        return HttpResponseRedirect(reverse("admin:catalog_importjob_change", args=[job.pk]))

    def _refuse_import(self, request, message: str):
        messages.error(request, message)
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileTooBig):
            form.add_error("import_file", f"{e} {command_hint(self.resource_classes[0])}")
        elif isinstance(e, FileUnreadable):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_result(self, result, request):
        """After the confirm step: report success, or that nothing was saved (the data changed meanwhile)."""
        report = report_from_result(result, what=self._what(request), dry_run=False)
        if not report.ok:
            shown = "; ".join(str(error) for error in report.errors[:MAX_ERRORS_IN_MESSAGE])
            more = len(report.errors) - MAX_ERRORS_IN_MESSAGE
            messages.error(request, f"{report.summary()} {shown}" + (f"; and {more} more." if more > 0 else ""))
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        report = report_from_result(result, what=self._what(request), dry_run=False)
        messages.success(request, report.summary())

    def _what(self, request) -> str:
        return self.get_import_resource_classes(request)[0].get_display_name().lower()
