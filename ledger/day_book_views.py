"""The day book's admin pages: the book for a date or range (with its CSV, Excel and PDF), the forms for
expenses and cash in / out, closing a day with the counted cash, and the owner's reopening.

Views only turn HTTP into calls of ledger.selectors and ledger.day_book; who sees which entries is
decided once, by ledger.selectors.day_book_entries_visible_to. Bad input shows on the form (or a 400
for a download), never a 500, and changes nothing.
"""

from datetime import date, timedelta
from decimal import Decimal

import tablib
from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from unfold.views import UnfoldModelAdminViewMixin
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from ledger.day_book import (
    CASH_MOVEMENT_REASONS,
    COINS,
    EXPENSE_CATEGORIES,
    NOTE_VALUES,
    cash_movement_record,
    day_close,
    day_reopen,
    expense_record,
)
from ledger.day_book_pdf import day_book_pdf
from ledger.models import DayBookEntry, DayClosing, PaymentMethod
from ledger.selectors import (
    DayBook,
    closing_in_force,
    day_book,
    day_cash_position,
    entry_kind_text,
    sees_full_day_book,
)
from shop.models import ShopProfile
from shop.money import format_inr
from shop.spreadsheets import escape_dataset

MAX_RANGE_DAYS = 366
ENTRIES_PER_PAGE = 200
VIEW_PERMISSION = "ledger.view_daybookentry"


class DateInput(UnfoldAdminTextInputWidget):
    """The browser's own date picker, in unfold's input style."""

    input_type = "date"


def _amount_field(label, *, required: bool = True, **options) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=14, decimal_places=2,
                              min_value=Decimal("0.01") if required else Decimal("0"),
                              widget=UnfoldAdminDecimalFieldWidget(attrs={"step": "0.01", "inputmode": "decimal",
                                                                          **options.pop("attrs", {})}),
                              **options)


def add_service_errors(form: forms.Form, refusal: ValidationError) -> None:
    """Show a service's refusal on the form: under the field it names, else at the top."""
    if hasattr(refusal, "error_dict"):
        for field, problems in refusal.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, refusal.messages)


def _day_text(day: date) -> str:
    return f"{day:%d-%m-%Y}"


# --- The day book -------------------------------------------------------------------------------


class DayRangeForm(forms.Form):
    """A date, or a range of dates, of the day book (both optional: today)."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start = cleaned.get("start") or cleaned.get("end") or timezone.localdate()
        end = cleaned.get("end") or start
        if end < start:
            raise ValidationError({"end": _("The last day comes before the first.")})
        if (end - start).days >= MAX_RANGE_DAYS:
            raise ValidationError({"end": _("Show at most %(days)d days at a time.") % {"days": MAX_RANGE_DAYS}})
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


def requested_day_book(request: HttpRequest) -> tuple[DayRangeForm, DayBook | None]:
    """Return the range form and the day book it asks for (None when the form is invalid).

    A viewer without the full day book (a cashier) gets today, whatever the address asks.
    """
    if not sees_full_day_book(request.user):
        today = timezone.localdate()
        form = DayRangeForm({"start": today, "end": today})
    else:
        form = DayRangeForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    today = timezone.localdate()
    start, end = (form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_bound else (today, today)
    return form, day_book(start=start, end=end, viewer=request.user)


def source_url(entry: DayBookEntry) -> str:
    """Return the admin page of the document an entry came from, or "" when it has none."""
    if not entry.source_type_id:
        return ""
    kind = ContentType.objects.get_for_id(entry.source_type_id)
    try:
        return reverse(f"admin:{kind.app_label}_{kind.model}_change", args=[entry.source_id])
    except NoReverseMatch:
        return ""


def range_text(book: DayBook) -> str:
    if book.start == book.end:
        return _day_text(book.start)
    return f"{_day_text(book.start)} to {_day_text(book.end)}"


class DayBookView(UnfoldModelAdminViewMixin, TemplateView):
    """Every money event of a date or range, in time order, with totals and the cash in the drawer."""

    title = _("Day book")
    permission_required = (VIEW_PERMISSION,)
    template_name = "admin/ledger/day_book.html"

    def get_context_data(self, **kwargs):
        form, book = requested_day_book(self.request)
        context = super().get_context_data(form=form, book=book, full=sees_full_day_book(self.request.user),
                                           **kwargs)
        if book is None:
            return context
        page = Paginator(book.entries, ENTRIES_PER_PAGE).get_page(self.request.GET.get("page"))
        for entry in page:
            entry.source_url = source_url(entry)
            entry.kind_text = entry_kind_text(entry)
        query = {"start": book.start.isoformat(), "end": book.end.isoformat()}
        today = timezone.localdate()
        user = self.request.user
        context.update(
            page=page, range_text=range_text(book), query=urlencode(query),
            single_day=book.start == book.end,
            closing=closing_in_force(day=book.start) if book.start == book.end and context["full"] else None,
            today=today.isoformat(), yesterday=(today - timedelta(days=1)).isoformat(),
            month_start=today.replace(day=1).isoformat(),
            may_record=user.has_perm("ledger.record_expense"), may_close=user.has_perm("ledger.close_day"),
            may_reopen=user.has_perm("ledger.reopen_day"),
            close_day_url=f"{reverse('admin:ledger_dayclosing_close')}?{urlencode({'day': book.start.isoformat()})}",
        )
        return context


EXPORT_HEADERS = ("Date", "Time", "Kind", "Category", "Method", "Amount", "Reference", "Note", "By")


def day_book_dataset(book: DayBook) -> tablib.Dataset:
    """Return the book's entries as a spreadsheet, every text cell made safe from formulas."""
    dataset = tablib.Dataset(headers=list(EXPORT_HEADERS), title="Day book")
    for entry in book.entries.iterator(chunk_size=2000):
        by = (entry.created_by.get_full_name() or entry.created_by.get_username()) if entry.created_by else ""
        dataset.append((
            entry.date.isoformat(), f"{timezone.localtime(entry.created_at):%H:%M:%S}", str(entry.get_kind_display()),
            str(entry.get_category_display()) if entry.category else "", str(entry.get_method_display()),
            entry.amount, entry.reference, entry.note, by,
        ))
    return escape_dataset(dataset)


EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def _file_name(book: DayBook, extension: str) -> str:
    days = book.start.isoformat() if book.start == book.end else f"{book.start.isoformat()}_{book.end.isoformat()}"
    return f"day-book-{days}.{extension}"


def _bad_range(form: DayRangeForm) -> HttpResponse:
    problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return HttpResponseBadRequest(f"Choose the days again ({problems}).", content_type="text/plain; charset=utf-8")


class DayBookExportView(UnfoldModelAdminViewMixin, TemplateView):
    """The day book's entries as CSV or Excel (?format=csv|xlsx), for the same days and viewer as the page."""

    title = _("Export the day book")
    permission_required = (VIEW_PERMISSION,)

    def get(self, request, *args, **kwargs):
        export = EXPORT_FORMATS.get(request.GET.get("format", "csv"))
        if export is None:
            return HttpResponseBadRequest("Export as format=csv or format=xlsx.", content_type="text/plain")
        form, book = requested_day_book(request)
        if book is None:
            return _bad_range(form)
        content_type, extension = export
        dataset = day_book_dataset(book)
        body = dataset.export(extension)
        if extension == "csv":
            body = "\ufeff" + body  # a BOM, so Excel opens ₹ and Hindi names as UTF-8
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{_file_name(book, extension)}"'
        return response


class DayBookPdfView(UnfoldModelAdminViewMixin, TemplateView):
    """The day book printed on A4, for the same days and viewer as the page."""

    title = _("Print the day book")
    permission_required = (VIEW_PERMISSION,)

    def get(self, request, *args, **kwargs):
        form, book = requested_day_book(request)
        if book is None:
            return _bad_range(form)
        content = day_book_pdf(book, profile=ShopProfile.objects.get_profile(), printed_by=request.user)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{_file_name(book, "pdf")}"'
        return response


# --- Expenses and cash in / out -----------------------------------------------------------------


class ExpenseForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput, initial=timezone.localdate,
                          help_text=_("Today, or an earlier day that is not closed."))
    category = forms.ChoiceField(label=_("For"), widget=UnfoldAdminSelectWidget,
                                 choices=[(value, DayBookEntry.Category(value).label) for value in EXPENSE_CATEGORIES])
    method = forms.ChoiceField(label=_("Paid by"), widget=UnfoldAdminSelectWidget,
                               choices=[(value, label) for value, label in PaymentMethod.choices
                                        if value != PaymentMethod.CREDIT])
    amount = _amount_field(_("Amount (₹)"))
    reference = forms.CharField(label=_("Bill or voucher number"), max_length=60, required=False,
                                widget=UnfoldAdminTextInputWidget)
    note = forms.CharField(label=_("Note"), max_length=255, required=False, widget=UnfoldAdminTextInputWidget)


class CashMovementForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput, initial=timezone.localdate,
                          help_text=_("Today, or an earlier day that is not closed."))
    kind = forms.ChoiceField(label=_("Cash"), widget=UnfoldAdminSelectWidget, choices=[
        (DayBookEntry.Kind.CASH_IN, _("In: put into the drawer")),
        (DayBookEntry.Kind.CASH_OUT, _("Out: taken from the drawer"))])
    reason = forms.ChoiceField(label=_("Why"), widget=UnfoldAdminSelectWidget, choices=[
        (value, DayBookEntry.Category(value).label)
        for value in dict.fromkeys(reason for reasons in CASH_MOVEMENT_REASONS.values() for reason in reasons)])
    amount = _amount_field(_("Amount (₹)"))
    note = forms.CharField(label=_("Note"), max_length=255, required=False, widget=UnfoldAdminTextInputWidget)


class _RecordView(UnfoldModelAdminViewMixin, FormView):
    """A form that records one day book entry through a service, then shows the day book of its day."""

    permission_required = ("ledger.record_expense",)
    template_name = "admin/ledger/day_book_form.html"

    def record(self, data: dict) -> DayBookEntry:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            entry = self.record(form.cleaned_data)
        except ValidationError as refusal:
            add_service_errors(form, refusal)
            return self.form_invalid(form)
        messages.success(self.request, _("Recorded: %(what)s, %(amount)s on %(day)s.") % {
            "what": entry_kind_text(entry), "amount": format_inr(abs(entry.amount)), "day": _day_text(entry.date)})
        day = entry.date.isoformat()
        return redirect(f"{reverse('admin:ledger_daybookentry_changelist')}?{urlencode({'start': day, 'end': day})}")


class ExpenseView(_RecordView):
    title = _("Record an expense")
    form_class = ExpenseForm

    def record(self, data):
        return expense_record(category=data["category"], amount=data["amount"], method=data["method"],
                              user=self.request.user, note=data["note"], reference=data["reference"], day=data["day"])


class CashMovementView(_RecordView):
    title = _("Cash in / out")
    form_class = CashMovementForm

    def record(self, data):
        return cash_movement_record(kind=data["kind"], reason=data["reason"], amount=data["amount"],
                                    user=self.request.user, note=data["note"], day=data["day"])


# --- Closing and reopening ----------------------------------------------------------------------


def _note_field(value: int) -> forms.IntegerField:
    return forms.IntegerField(label=f"₹{value} ×", required=False, min_value=0, max_value=1_000_000,
                              widget=UnfoldAdminIntegerFieldWidget(attrs={
                                  "inputmode": "numeric", "min": "0", "x-model.number": f"notes[{value}]"}))


class DayCloseForm(forms.Form):
    """The drawer's count: notes by value and coins, or just the total; the total must match the notes."""

    day = forms.DateField(widget=forms.HiddenInput)
    counted_cash = _amount_field(_("Counted cash (₹)"), required=False, attrs={"x-model": "total"},
                                 help_text=_("Leave it empty to take the notes and coins above; type it if you "
                                             "counted only the total."))
    note = forms.CharField(label=_("Note"), max_length=255, required=False, widget=UnfoldAdminTextInputWidget)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value in NOTE_VALUES:
            self.fields[f"notes_{value}"] = _note_field(value)
        self.fields[COINS] = _amount_field(_("Coins (₹)"), required=False, attrs={"x-model.number": "coins"})
        self.order_fields(["day", *(f"notes_{value}" for value in NOTE_VALUES), COINS, "counted_cash", "note"])

    def note_fields(self) -> list:
        return [self[f"notes_{value}"] for value in NOTE_VALUES] + [self[COINS]]

    def denominations(self) -> dict:
        counted = {str(value): self.cleaned_data.get(f"notes_{value}") for value in NOTE_VALUES}
        counted[COINS] = self.cleaned_data.get(COINS)
        return {key: value for key, value in counted.items() if value}

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("counted_cash") is None and not self.denominations():
            raise ValidationError(_("Count the cash: enter the notes and coins, or the total counted."))
        return cleaned


class DayCloseView(UnfoldModelAdminViewMixin, FormView):
    """Count the drawer and close a day (?day=YYYY-MM-DD, today by default)."""

    title = _("Close the day")
    permission_required = ("ledger.close_day",)
    template_name = "admin/ledger/day_close.html"
    form_class = DayCloseForm

    def the_day(self) -> date:
        try:
            day = date.fromisoformat(self.request.GET.get("day") or self.request.POST.get("day") or "")
        except ValueError:
            day = timezone.localdate()
        return min(day, timezone.localdate())

    def get_initial(self):
        return {"day": self.the_day()}

    def get_context_data(self, **kwargs):
        day = self.the_day()
        form = kwargs.get("form") or self.get_form()
        title = _("Cash in the drawer on %(day)s") % {"day": _day_text(day)}
        return super().get_context_data(day=day, position_title=title, position=day_cash_position(day=day),
                                        closing=closing_in_force(day=day), note_fields=form.note_fields(),
                                        today=timezone.localdate().isoformat(), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        denominations = form.denominations()
        counted = data["counted_cash"]
        if counted is None:
            counted = sum((Decimal(key) * count for key, count in denominations.items() if key != COINS),
                          Decimal(denominations.get(COINS, 0)))
        try:
            closing = day_close(day=data["day"], counted_cash=counted, user=self.request.user,
                                denominations=denominations or None, note=data["note"])
        except ValidationError as refusal:
            add_service_errors(form, refusal)
            return self.form_invalid(form)
        messages.success(self.request, closing_summary(closing))
        return redirect("admin:ledger_dayclosing_changelist")


def closing_summary(closing: DayClosing) -> str:
    """Say how a count went: "Closed 25-11-2026: expected ₹1,500.00, counted ₹1,490.00, ₹10.00 short"."""
    if closing.difference < 0:
        outcome = _("%(amount)s short") % {"amount": format_inr(-closing.difference)}
    elif closing.difference > 0:
        outcome = _("%(amount)s over") % {"amount": format_inr(closing.difference)}
    else:
        outcome = _("no difference")
    return _("Closed %(day)s: expected %(expected)s, counted %(counted)s, %(outcome)s.") % {
        "day": _day_text(closing.day), "expected": format_inr(closing.expected_cash),
        "counted": format_inr(closing.counted_cash), "outcome": outcome}


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why is the day reopened?"), max_length=255,
                             widget=UnfoldAdminTextInputWidget(attrs={"autofocus": True}))


class DayReopenView(UnfoldModelAdminViewMixin, FormView):
    """The owner reopens a closed day, saying why; the closing stays on record."""

    title = _("Reopen a closed day")
    permission_required = ("ledger.reopen_day",)
    template_name = "admin/ledger/day_reopen.html"
    form_class = ReopenForm

    def get_closing(self) -> DayClosing:
        return get_object_or_404(DayClosing.objects.select_related("closed_by"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        closing = self.get_closing()
        return super().get_context_data(closing=closing, in_force=closing_in_force(day=closing.day) == closing,
                                        **kwargs)

    def form_valid(self, form):
        closing = self.get_closing()
        if closing_in_force(day=closing.day) != closing:
            form.add_error(None, _("This count no longer closes %(day)s.") % {"day": _day_text(closing.day)})
            return self.form_invalid(form)
        try:
            day_reopen(day=closing.day, user=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as refusal:
            add_service_errors(form, refusal)
            return self.form_invalid(form)
        messages.success(self.request, _("%(day)s is open again.") % {"day": _day_text(closing.day)})
        return redirect("admin:ledger_dayclosing_changelist")
