"""The report framework: a filter form, a table of figures, and the report's definition.

A report is a selector (a plain keyword-only function in reports.sales_reports or reports.stock_reports)
that returns a `ReportTable`: columns, rows and a totals row of exact Decimals. The same table is the
admin page, the CSV and Excel files (formula-safe, through shop.spreadsheets) and the A4 PDF
(reports.pdf), so the four always agree to the paisa.

The filters are a django-filter FilterSet used for its form only: it checks the query string (a bad
date or an unknown warehouse is a form error, never a 500) and the selector receives clean values.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import django_filters
import tablib
from django import forms
from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminIntegerFieldWidget, UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from catalog.models import Brand, Category, Warehouse
from sales.models import Invoice
from shop.models import User
from shop.money import QUANTITY_STEP, format_inr, format_quantity
from shop.spreadsheets import escape_dataset

MAX_RANGE_DAYS = 732  # two years: a year against the one before it
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
ZERO = Decimal("0")

# --- Column kinds and cells -----------------------------------------------------------------------

TEXT, MONEY, QUANTITY, COUNT, PERCENT, DATE = "text", "money", "quantity", "count", "percent", "date"
NUMERIC = {MONEY, QUANTITY, COUNT, PERCENT}


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT


@dataclass
class ReportTable:
    """The figures of one report: rows of values in column order, and a totals row (or None).

    Values are Decimals (money to the paisa, quantities to the gram), ints, dates or text; None is
    an empty cell. `note` says in one sentence what the figures are; `heat` shades numeric cells by size.
    """

    columns: list[Column]
    rows: list[list]
    totals: list | None = None
    note: str = ""
    heat: bool = False


def cell_text(value, kind: str) -> str:
    """Return a value as the page and the PDF show it: ₹ with Indian grouping, quantities without zeros."""
    if value is None:
        return ""
    if kind == MONEY:
        return format_inr(value)
    if kind == QUANTITY:
        return format_quantity(value)
    if kind == PERCENT:
        return f"{value:.1f}%"
    if kind == COUNT:
        return f"{value:,}"
    if kind == DATE:
        return f"{value:%d-%m-%Y}"
    return str(value)


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """Return part as a percentage of whole to one decimal, or None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def add_columns(rows: list[list], columns: list[Column], *, label: str = "Total") -> list:
    """Return the totals row: each money, quantity and count column added up in Python (exact)."""
    totals: list = [None] * len(columns)
    totals[0] = label
    for index, column in enumerate(columns):
        if index and column.kind in (MONEY, QUANTITY, COUNT):
            totals[index] = sum((row[index] or 0 for row in rows), ZERO if column.kind != COUNT else 0)
    return totals


def _exact_grams(value, expression, connection) -> Decimal:
    return Decimal(value or 0).quantize(QUANTITY_STEP)


class QuantitySum(ExpressionWrapper):
    """The sum of a quantity column, exact on SQLite too: added in thousandths (grams), as MoneySum adds paise."""

    def __init__(self, expression, **extra):
        amount = F(expression) if isinstance(expression, str) else expression
        super().__init__(Sum(Round(amount * 1000), **extra) / 1000,
                         output_field=DecimalField(max_digits=20, decimal_places=3))

    @cached_property
    def convert_value(self):
        return _exact_grams


# --- The filter form ------------------------------------------------------------------------------


class DateInput(UnfoldAdminTextInputWidget):
    input_type = "date"


class Preset:
    TODAY, THIS_WEEK, THIS_MONTH, LAST_MONTH = "today", "this_week", "this_month", "last_month"
    CHOICES = [(TODAY, _("Today")), (THIS_WEEK, _("This week")), (THIS_MONTH, _("This month")),
               (LAST_MONTH, _("Last month"))]


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """Return the first and last day of a preset period (weeks start on Monday)."""
    if preset == Preset.TODAY:
        return today, today
    if preset == Preset.THIS_WEEK:
        return today - timedelta(days=today.weekday()), today
    if preset == Preset.LAST_MONTH:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    return today.replace(day=1), today


class Grouping:
    DAY, WEEK, MONTH = "day", "week", "month"
    PERIOD_CHOICES = [(DAY, _("Day")), (WEEK, _("Week")), (MONTH, _("Month"))]
    PRODUCT, WAREHOUSE = "product", "warehouse"
    STOCK_CHOICES = [(PRODUCT, _("Product")), (WAREHOUSE, _("Warehouse"))]


class ReportForm(forms.Form):
    """Checks the period: a preset, or from/to dates (the preset wins); this month when neither is given."""

    def clean(self):
        cleaned = super().clean()
        if "start" not in self.fields or self.errors:
            return cleaned
        today = timezone.localdate()
        if cleaned.get("preset"):
            start, end = preset_range(cleaned["preset"], today)
        elif cleaned.get("start") or cleaned.get("end"):
            start = cleaned.get("start") or cleaned["end"]
            end = cleaned.get("end") or max(start, today)
        else:
            start, end = preset_range(Preset.THIS_MONTH, today)
        for name, day in (("start", start), ("end", end)):
            if not EARLIEST <= day <= LATEST:
                raise forms.ValidationError({name: _("Pick a day between 2000 and 2099.")})
        if end < start:
            raise forms.ValidationError({"end": _("The last day comes before the first.")})
        if (end - start).days >= MAX_RANGE_DAYS:
            raise forms.ValidationError({"end": _("A report covers at most %(days)d days.") % {"days": MAX_RANGE_DAYS}})
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


def _select(**options) -> dict:
    return {"widget": UnfoldAdminSelectWidget, "method": "keep", **options}


class ReportFilter(django_filters.FilterSet):
    """Every filter a report may offer; each report keeps only the ones it names (ReportSpec.filters)."""

    preset = django_filters.ChoiceFilter(label=_("Period"), choices=Preset.CHOICES, empty_label=_("Dates below"),
                                         **_select())
    start = django_filters.DateFilter(label=_("From"), widget=DateInput, method="keep")
    end = django_filters.DateFilter(label=_("To"), widget=DateInput, method="keep")
    group = django_filters.ChoiceFilter(label=_("Group by"), choices=Grouping.PERIOD_CHOICES, empty_label=None,
                                        **_select())
    stock_group = django_filters.ChoiceFilter(label=_("Group by"), choices=Grouping.STOCK_CHOICES, empty_label=None,
                                              **_select())
    warehouse = django_filters.ModelChoiceFilter(label=_("Warehouse"), queryset=Warehouse.objects.order_by("name"),
                                                 empty_label=_("All warehouses"), **_select())
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=Category.objects.order_by("name"),
                                                empty_label=_("All categories"), **_select())
    brand = django_filters.ModelChoiceFilter(label=_("Brand"), queryset=Brand.objects.order_by("name"),
                                             empty_label=_("All brands"), **_select())
    cashier = django_filters.ModelChoiceFilter(label=_("Cashier"), empty_label=_("Everyone"),
                                               queryset=User.objects.filter(is_staff=True).order_by("username"),
                                               **_select())
    days = IntegerFilter(label=_("No sale in (days)"), method="keep", min_value=1, max_value=3650,
                         widget=UnfoldAdminIntegerFieldWidget(attrs={"inputmode": "numeric", "min": "1"}))

    class Meta:
        model = Invoice
        fields: list[str] = []
        form = ReportForm

    def __init__(self, data=None, *, names: tuple[str, ...], **kwargs):
        super().__init__(data, queryset=Invoice.objects.none(), **kwargs)
        self.filters = {name: self.filters[name] for name in names}

    def keep(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # the selectors filter; this form only checks the input

    def values(self) -> dict:
        """Return the cleaned values with defaults (call after is_valid())."""
        data = dict(self.form.cleaned_data)
        if "group" in self.filters:
            data["group"] = data.get("group") or Grouping.DAY
        if "stock_group" in self.filters:
            data["stock_group"] = data.get("stock_group") or Grouping.PRODUCT
        if "days" in self.filters:
            data["days"] = data.get("days") or 90
        data.pop("preset", None)
        return data


PERIOD = ("preset", "start", "end")


# --- Report definitions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """What a report may show the user asking: costs (valuation, money tied up) only with both permissions."""

    user: User

    @cached_property
    def sees_costs(self) -> bool:
        return self.user.has_perms(("catalog.view_cost_price", "reports.view_profit"))


@dataclass(frozen=True)
class ReportSpec:
    """One report: its address, its title, who may open it, which filters it takes and how it is built.

    `build(values, viewer)` turns the form's clean values into the selector's keyword arguments.
    """

    slug: str
    title: str
    description: str
    build: Callable[[dict, Viewer], ReportTable]
    filters: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ("reports.view_reports",)
    landscape: bool = False
    icon: str = "bar_chart"
    section: str = "Sales"

    @property
    def url_name(self) -> str:
        return f"reports_report_{self.slug.replace('-', '_')}"


def period_text(values: dict) -> str:
    start, end = values.get("start"), values.get("end")
    if not start:
        return ""
    if start == end:
        return f"{start:%d-%m-%Y}"
    return f"{start:%d-%m-%Y} to {end:%d-%m-%Y}"


def filters_text(values: dict) -> str:
    """Return the filters in force as one line: "Warehouse: Godown · Cashier: asha"."""
    labels = {"warehouse": "Warehouse", "category": "Category", "brand": "Brand", "cashier": "Cashier"}
    parts = [f"{label}: {values[name]}" for name, label in labels.items() if values.get(name)]
    return " · ".join(parts)


def day_span(start: date, end: date) -> tuple[datetime, datetime]:
    """Return the shop-time instants from the start of `start` to the start of the day after `end`."""
    zone = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=zone),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone))


# --- Files ----------------------------------------------------------------------------------------


def _raw(value, kind: str):
    if value is None:
        return ""
    if kind == DATE:
        return value.isoformat()
    if kind in NUMERIC:
        return value
    return str(value)


def report_dataset(table: ReportTable, *, title: str) -> tablib.Dataset:
    """Return the table as a spreadsheet: numbers stay numbers, every text cell is made safe from formulas."""
    dataset = tablib.Dataset(headers=[str(column.label) for column in table.columns], title=title[:31])
    for row in [*table.rows, *([table.totals] if table.totals else [])]:
        dataset.append([_raw(value, column.kind) for value, column in zip(row, table.columns, strict=True)])
    return escape_dataset(dataset)
