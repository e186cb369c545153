"""The owner's and manager's dashboard: one day (or range) of the shop at a glance, against the week before.

Every figure comes from the selectors the reports and the summary emails read (reports.selectors,
ledger.selectors, catalog.selectors), so the three always agree. Flow figures (sales, bills, returns...)
are compared with the same weekdays one or more whole weeks earlier; figures of the moment (khata
outstanding, low stock, UPI awaiting, the drawer) are shown as they stand.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.cache import cache
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.selectors import low_stock_products
from ledger.models import CustomerBalance, PaymentMethod
from ledger.selectors import day_cash_position, khata_outstanding
from reports.insights import insights_for_day
from reports.periods import day_bounds
from reports.selectors import SalesSummary, sales_summary
from sales.models import CreditNote, Invoice, InvoiceLine, Payment
from shop.money import MoneySum, format_inr

ZERO = Decimal("0.00")
CHART_DAYS = 30
USUAL_WEEKS = 4  # "the usual" hour curve: the same weekday over the four weeks before
LIST_LENGTH = 8
LONGEST_RANGE = 366
INSIGHTS_CACHE_SECONDS = 600


class PeriodForm(forms.Form):
    """The dashboard's date picker: one day, or a range of at most a year."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start = data.get("start") or data.get("end") or today
        end = data.get("end") or max(start, today)  # "from the 19th" means up to today
        if end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        if (end - start).days >= LONGEST_RANGE:
            raise forms.ValidationError(_("Pick at most a year."))
        data["start"], data["end"] = start, end
        return data


def period_from_query(query) -> tuple[date, date, PeriodForm]:
    """Return (start, end, form) for a query string; today when it is empty or invalid (the form says why)."""
    form = PeriodForm(query or None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["start"], form.cleaned_data["end"], form
    today = timezone.localdate()
    return today, today, form


def comparison_period(start: date, end: date) -> tuple[date, date]:
    """Return the same weekdays whole weeks earlier: a day against last week's, a month against 5 weeks back."""
    weeks = -(-((end - start).days + 1) // 7)  # ceiling: the shift never overlaps the period
    shift = timedelta(weeks=weeks)
    return start - shift, end - shift


@dataclass(frozen=True)
class Card:
    """One figure on the dashboard, with last period's to compare."""

    key: str
    label: str
    value: str
    before: str = ""  # the same figure in the comparison period, formatted
    note: str = ""  # a figure of the moment's context, such as how many customers owe
    change: str = ""  # "+12%", "-3%", or "" when there is nothing to compare with
    trend: str = ""  # "up", "down" or "" (for the colour)
    link: str = ""


def percent_change(now: Decimal, before: Decimal) -> tuple[str, str]:
    """Return ("+12%", "up") for the change from before to now; ("", "") when before is nothing."""
    if not before:
        return "", ""
    change = ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(Decimal("1"), ROUND_HALF_UP)
    trend = "up" if change > 0 else "down" if change < 0 else ""
    return f"{change:+}%", trend


def compared(key: str, label, now, before, *, money: bool = True, link: str = "") -> Card:
    """Return a card of a flow figure against the comparison period."""
    show = format_inr if money else str
    change, trend = percent_change(now, before)
    return Card(key=key, label=str(label), value=show(now), before=show(before), change=change, trend=trend,
                link=link)


# The headline figures of a period, compared with the one before, on the dashboard and in the summary emails:
# key, label, SalesSummary attribute, money or a count, the list it links to. Gross margin is the owner's.
HEADLINE_FIGURES = (
    ("sales", _("Sales"), "sales_total", True, "admin:sales_invoice_changelist"),
    ("bills", _("Bills"), "bills", False, "admin:sales_invoice_changelist"),
    ("average_bill", _("Average bill"), "average_bill", True, ""),
    ("gst", _("GST collected"), "gst_total", True, ""),
    ("returns", _("Returns"), "returns_total", True, "admin:sales_creditnote_changelist"),
    ("credit_given", _("Credit given"), "credit_given", True, ""),
    ("credit_collected", _("Credit collected"), "credit_collected", True, ""),
)
MARGIN_FIGURE = ("gross_margin", _("Gross margin"), "gross_margin", True, "")


def sales_cards(now: SalesSummary, before: SalesSummary, *, show_margin: bool) -> list[Card]:
    """Return the headline figures of the period against the comparison period's (margin if show_margin)."""
    figures = (*HEADLINE_FIGURES, MARGIN_FIGURE) if show_margin else HEADLINE_FIGURES
    return [compared(key, label, getattr(now, name), getattr(before, name), money=money,
                     link=reverse(url_name) if url_name else "")
            for key, label, name, money, url_name in figures]


def standing_cards(*, end: date) -> list[Card]:
    """Return the figures of the moment: khata outstanding, the drawer on the last day, low stock, UPI awaiting."""
    owed, customers = khata_outstanding()
    drawer = day_cash_position(day=end)
    awaiting = Payment.objects.filter(method=Payment.Method.UPI, status=Payment.Status.AWAITING)
    return [
        Card("outstanding", str(_("Khata outstanding")), format_inr(owed),
             note=str(_("%(count)s customers") % {"count": customers}),
             link=reverse("admin:ledger_customer_changelist")),
        Card("cash_expected", str(_("Cash expected in the drawer")), format_inr(drawer.expected),
             note=str(_("opening %(amount)s") % {"amount": format_inr(drawer.opening)}),
             link=reverse("admin:ledger_daybookentry_changelist")),
        Card("low_stock", str(_("Low stock")), str(low_stock_products().count()),
             link=reverse("admin:catalog_product_low_stock")),
        Card("upi_awaiting", str(_("UPI awaiting")), str(awaiting.count()),
             link=reverse("admin:sales_payment_changelist") + "?method__exact=upi&status__exact=awaiting"),
    ]


def method_split(summary: SalesSummary) -> list[tuple[str, str, int]]:
    """Return (label, amount, percent of the takings) per payment method used."""
    labels = dict(PaymentMethod.choices)
    total = sum(summary.by_method.values(), ZERO)
    return [(str(labels.get(method, method)), format_inr(amount),
             int((amount * 100 / total).quantize(Decimal("1"), ROUND_HALF_UP)) if total else 0)
            for method, amount in summary.by_method.items()]


def chart(labels: list[str], datasets: list[dict]) -> str:
    """Return the JSON unfold's chart components read (Chart.js data)."""
    return json.dumps({"labels": labels, "datasets": datasets})


def sales_by_day_chart(*, end: date) -> str:
    """Return a bar chart of sales for the 30 days ending on `end`."""
    days = sales_summary(start=end - timedelta(days=CHART_DAYS - 1), end=end).by_day
    return chart([day.day.strftime("%d %b") for day in days],
                 [{"label": str(_("Sales")), "data": [str(day.amount) for day in days],
                   "backgroundColor": "var(--color-primary-600)", "maxBarThickness": 14}])


def usual_by_hour(*, day: date) -> list[Decimal]:
    """Return the average sales per hour of the same weekday over the weeks before `day`."""
    totals = [ZERO] * 24
    for weeks_back in range(1, USUAL_WEEKS + 1):
        earlier = day - timedelta(weeks=weeks_back)
        for hour, amount in enumerate(sales_summary(start=earlier, end=earlier).by_hour):
            totals[hour] += amount
    return [(total / USUAL_WEEKS).quantize(Decimal("0.01"), ROUND_HALF_UP) for total in totals]


def hour_chart(summary: SalesSummary) -> str:
    """Return a line chart of the day's sales by hour against the usual for that weekday (shop hours only)."""
    usual = usual_by_hour(day=summary.end)
    busy = [hour for hour in range(24) if summary.by_hour[hour] or usual[hour]] or [9, 21]
    hours = range(min(busy), max(busy) + 1)
    return chart([f"{hour:02d}:00" for hour in hours], [
        {"label": str(_("This day")), "data": [str(summary.by_hour[hour]) for hour in hours],
         "borderColor": "var(--color-primary-600)"},
        {"label": str(_("Usual")), "data": [str(usual[hour]) for hour in hours],
         "borderColor": "var(--color-base-400)", "borderDash": [4, 4]},
    ])


def top_categories(*, start: date, end: date, limit: int = 5) -> list[tuple[str, str]]:
    """Return (category, sales) of the period's best-selling categories, by line totals of completed bills."""
    since, until = day_bounds(start, end)
    rows = (InvoiceLine.objects.filter(invoice__status=Invoice.Status.COMPLETED, invoice__issued_at__gte=since,
                                       invoice__issued_at__lt=until)
            .values(name=F("product__category__name")).annotate(amount=MoneySum("line_total"))
            .order_by("-amount", "name")[:limit])
    return [(row["name"] or str(_("No category")), format_inr(row["amount"])) for row in rows]


def cached_insights(*, day: date, user) -> list:
    """Return the day's insights, computed at most once per ten minutes for each level of access.

    They read weeks of sales (about 3 s on a year of a busy shop), too slow for every page load. The key
    holds the newest invoice and credit note, so a new bill or return shows at once.
    """
    level = "profit" if user.has_perm("reports.view_profit") else "reports" if user.has_perm(
        "reports.view_reports") else "none"
    newest = (Invoice.objects.aggregate(last=Max("pk"))["last"], CreditNote.objects.aggregate(last=Max("pk"))["last"])
    key = f"galla:insights:{day.isoformat()}:{level}:{newest[0]}:{newest[1]}"
    return cache.get_or_set(key, lambda: insights_for_day(day=day, user=user), INSIGHTS_CACHE_SECONDS)


def owner_dashboard(*, user, start: date, end: date) -> dict:
    """Return the context of the owner's or manager's dashboard for the days from start to end."""
    summary = sales_summary(start=start, end=end)
    before_start, before_end = comparison_period(start, end)
    before = sales_summary(start=before_start, end=before_end)
    one_day = start == end
    return {
        "period": {"start": start, "end": end, "one_day": one_day, "is_today": one_day and end == timezone.localdate(),
                   "compare_start": before_start, "compare_end": before_end},
        "sales_cards": sales_cards(summary, before, show_margin=user.has_perm("reports.view_profit")),
        "standing_cards": standing_cards(end=end),
        "method_split": method_split(summary),
        "day_chart": sales_by_day_chart(end=end),
        "hour_chart": hour_chart(summary) if one_day else "",
        "top_products": [(product.name, format_inr(product.amount)) for product in summary.top_products[:5]],
        "top_categories": top_categories(start=start, end=end),
        "insights": cached_insights(day=end, user=user),
        "low_stock": list(low_stock_products()[:LIST_LENGTH]),
        "largest_balances": list(CustomerBalance.objects.filter(balance__gt=0).select_related("customer")
                                 .order_by("-balance", "customer_id")[:LIST_LENGTH]),
        "latest_bills": list(Invoice.objects.select_related("customer").order_by("-issued_at", "-pk")[:LIST_LENGTH]),
    }
