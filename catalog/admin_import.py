"""Import and export buttons for the catalogue admin (django-import-export with unfold's forms).

Import: only users holding `shop.import_data` (Owner, Manager), all rows or none, errors named by
row and column. Export: everyone who may view the list; cost columns only for users who may see
cost prices (never cashiers). The checks are server-side: the buttons only hide what the views refuse.
"""

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from catalog.importing import COST_PERMISSION, IMPORT_PERMISSION, FileUnreadable, ShopCSV, ShopXLSX, report_from_result

MAX_ERRORS_IN_MESSAGE = 20


class ShopImportExportMixin(ImportExportMixin):
    """Put before unfold's ModelAdmin in an admin's bases; set `resource_classes`."""

    import_form_class = ImportForm
    # The plain export form: a selectable-fields form would let a cashier tick a cost column back on.
    export_form_class = ExportForm
    import_formats = [ShopCSV, ShopXLSX]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    to_encoding = "utf-8-sig"  # Excel shows Hindi names in a CSV only when it starts with a BOM
    import_error_display = ("message",)

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

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileUnreadable):
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
