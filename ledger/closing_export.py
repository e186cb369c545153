"""The cash closing history as CSV or Excel: the rows the closing list shows, with the list's filters."""

import tablib
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from ledger.day_book_views import EXPORT_FORMATS
from shop.spreadsheets import escape_dataset

EXPORT_HEADERS = ("Day", "Opening cash", "Cash in", "Cash out", "Expected", "Counted", "Difference", "Count",
                  "Closed by", "Closed at", "Status", "Note")


def closings_dataset(closings, *, model_admin) -> tablib.Dataset:
    """Return the closings as a spreadsheet (the list's count and status texts), safe from formulas."""
    dataset = tablib.Dataset(headers=list(EXPORT_HEADERS), title="Cash closings")
    for closing in closings:
        by = closing.closed_by.get_full_name() or closing.closed_by.get_username()
        dataset.append((
            closing.day.isoformat(), closing.opening_cash, closing.cash_in, closing.cash_out, closing.expected_cash,
            closing.counted_cash, closing.difference, str(model_admin.count(closing)), by,
            f"{timezone.localtime(closing.closed_at):%Y-%m-%d %H:%M}", str(model_admin.status(closing)),
            closing.note,
        ))
    return escape_dataset(dataset)


class DayClosingExportView(UnfoldModelAdminViewMixin, TemplateView):
    """The closing history as CSV or Excel (?format=csv|xlsx plus the list's own filter and order)."""

    title = _("Export the closing history")
    permission_required = ("ledger.view_dayclosing",)

    def get(self, request, *args, **kwargs):
        export = EXPORT_FORMATS.get(request.GET.get("format", "csv"))
        if export is None:
            return HttpResponseBadRequest("Export as format=csv or format=xlsx.", content_type="text/plain")
        # The list's own changelist reads the rest of the address, so the file holds what the list shows.
        query = request.GET.copy()
        query.pop("format", None)
        request.GET = query
        try:
            changelist = self.model_admin.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("The address holds a filter the closing history does not have.",
                                          content_type="text/plain")
        closings = changelist.get_queryset(request).select_related("closed_by", "reopening__reopened_by")
        content_type, extension = export
        body = closings_dataset(closings, model_admin=self.model_admin).export(extension)
        if extension == "csv":
            body = "\ufeff" + body
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="cash-closings.{extension}"'
        return response


