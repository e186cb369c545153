"""The emails that reach the owner without Galla being opened: the 9 AM summary of yesterday, and the weekly
and monthly reports with a spreadsheet attached.

They read the same selectors as the dashboard (reports.selectors.sales_summary, ledger.selectors), so the
email and the screen always agree. Each recipient's email carries a dedupe key naming the period and the
address, so "the summary for 2026-11-24 to this address" is queued once, whoever runs it and however often
(the schedule, a rerun of `send_daily_summary`, a retried task). Gross margin rests on cost prices: only a
recipient who may see profit (the owner) gets it.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import tablib
from django.urls import reverse
from django.utils import timezone

from catalog.selectors import low_stock_products
from ledger.models import DayClosing, PaymentMethod
from ledger.selectors import khata_outstanding
from reports.dashboard import sales_cards
from reports.insights import insights_for_day
from reports.selectors import SalesSummary, sales_summary
from shop.models import OutboundEmail, ShopProfile
from shop.money import format_inr
from shop.notifications.inbox import MANAGERS, users_in_roles
from shop.notifications.layout import absolute_url, email_base_context
from shop.notifications.services import email_queue
from shop.spreadsheets import escape_dataset

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAR_WIDTH = 240  # pixels of the longest bar in the email's hour chart


@dataclass(frozen=True)
class Comparison:
    """A figure of the day against the same weekday a week before."""

    label: str
    now: str
    before: str
    change: str
    trend: str


def comparisons(now: SalesSummary, before: SalesSummary, *, show_margin: bool) -> list[Comparison]:
    """Return the headline figures (the dashboard's cards) with the earlier period's beside them."""
    return [Comparison(card.label, card.value, card.before, card.change, card.trend)
            for card in sales_cards(now, before, show_margin=show_margin)]


def hour_bars(summary: SalesSummary) -> list[dict]:
    """Return the hours with sales as bars an email can draw with table cells: hour, amount, width in pixels."""
    busiest = max(summary.by_hour, default=Decimal("0"))
    return [{"hour": f"{hour:02d}:00", "amount": format_inr(amount),
             "width": max(2, int((amount * BAR_WIDTH / busiest).quantize(Decimal("1"), ROUND_HALF_UP)))}
            for hour, amount in enumerate(summary.by_hour) if amount and busiest]


def method_rows(summary: SalesSummary) -> list[tuple[str, str]]:
    labels = dict(PaymentMethod.choices)
    return [(str(labels.get(method, method)), format_inr(amount)) for method, amount in summary.by_method.items()]


def day_figures(day: date) -> dict:
    """Return what the daily summary says about `day`, for any recipient (margin is added per recipient)."""
    summary = sales_summary(start=day, end=day)
    before = sales_summary(start=day - timedelta(weeks=1), end=day - timedelta(weeks=1))
    owed, owing_customers = khata_outstanding()
    closing = DayClosing.objects.filter(day=day, book_day__isnull=False).first()
    return {
        "day": day, "summary": summary, "before": before,
        "methods": method_rows(summary), "hours": hour_bars(summary),
        "top_products": [(product.name, product.quantity, format_inr(product.amount))
                         for product in summary.top_products],
        "outstanding": format_inr(owed), "owing_customers": owing_customers,
        "low_stock": low_stock_products().count(),
        "closing": closing,
        "cash_difference": format_inr(closing.difference) if closing else "",
        "dashboard_link": absolute_url(reverse("admin:index") + f"?start={day}&end={day}"),
    }


def day_insights(day: date, user) -> list:
    """Return the day's insights for this recipient (cost-based ones only for who may see profit)."""
    return insights_for_day(day=day, user=user)


def _recipients() -> list:
    """Return the owners and managers with an email address, one per address."""
    seen, people = set(), []
    for user in users_in_roles(MANAGERS).exclude(email=""):
        if user.email.lower() not in seen:
            seen.add(user.email.lower())
            people.append(user)
    return people


def daily_summary_send(*, day: date | None = None) -> list[OutboundEmail]:
    """Queue the summary of `day` (yesterday by default, in the shop's time zone) to each owner and manager.

    Run at 9:00 by the "Daily summary" schedule and by `manage.py send_daily_summary --date`. A second run for
    the same day and address returns the email already queued.
    """
    day = day or timezone.localdate() - timedelta(days=1)
    figures = day_figures(day)
    profile = ShopProfile.objects.get_profile()
    emails = []
    for user in _recipients():
        show_margin = user.has_perm("reports.view_profit")
        context = {**email_base_context(profile), **figures, "show_margin": show_margin,
                   "insights": day_insights(day, user),
                   "comparisons": comparisons(figures["summary"], figures["before"], show_margin=show_margin)}
        summary = figures["summary"]
        subject = f"{day:%a %d %b}: {format_inr(summary.sales_total)} from {summary.bills} bills · {profile.name}"
        emails.append(email_queue(to=[user.email], subject=subject, template="daily_summary", context=context,
                                  reference=f"Summary {day:%d-%m-%Y}",
                                  dedupe_key=f"summary:{day:%Y-%m-%d}:{user.email.lower()}"))
    return emails


def period_workbook(summary: SalesSummary) -> bytes:
    """Return an Excel workbook of a period: totals, sales by day, by payment mode and the top products."""
    totals = tablib.Dataset(headers=["Figure", "Amount"], title="Totals")
    for label, value in (("Sales", summary.sales_total), ("Bills", summary.bills),
                         ("Average bill", summary.average_bill), ("Taxable value", summary.taxable_total),
                         ("CGST", summary.cgst), ("SGST", summary.sgst), ("IGST", summary.igst), ("Cess", summary.cess),
                         ("Discounts", summary.discount_total), ("Returns", summary.returns_total),
                         ("Net sales", summary.net_sales), ("Credit given", summary.credit_given),
                         ("Credit collected", summary.credit_collected)):
        totals.append([label, value])
    by_day = tablib.Dataset(headers=["Date", "Bills", "Sales"], title="By day")
    for row in summary.by_day:
        by_day.append([row.day.isoformat(), row.bills, row.amount])
    labels = dict(PaymentMethod.choices)
    by_method = tablib.Dataset(headers=["Payment mode", "Amount"], title="By payment mode")
    for method, amount in summary.by_method.items():
        by_method.append([str(labels.get(method, method)), amount])
    products = tablib.Dataset(headers=["Product", "Quantity", "Amount"], title="Top products")
    for product in summary.top_products:
        products.append([product.name, product.quantity, product.amount])
    book = tablib.Databook([escape_dataset(sheet) for sheet in (totals, by_day, by_method, products)])
    return book.export("xlsx")


def period_report_send(*, start: date, end: date, label: str, key: str) -> list[OutboundEmail]:
    """Queue the report of the days from start to end, with its workbook, to each owner and manager.

    `label` names the period for people ("week 47, 2026"), `key` for the dedupe key ("2026-W47").
    """
    summary = sales_summary(start=start, end=end)
    length = (end - start).days + 1
    before = sales_summary(start=start - timedelta(days=length), end=start - timedelta(days=1))
    profile = ShopProfile.objects.get_profile()
    workbook = period_workbook(summary)
    emails = []
    for user in _recipients():
        show_margin = user.has_perm("reports.view_profit")
        context = {**email_base_context(profile), "label": label, "start": start, "end": end, "summary": summary,
                   "comparisons": comparisons(summary, before, show_margin=show_margin),
                   "methods": method_rows(summary), "show_margin": show_margin,
                   "top_products": [(product.name, product.quantity, format_inr(product.amount))
                                    for product in summary.top_products],
                   "dashboard_link": absolute_url(reverse("admin:index") + f"?start={start}&end={end}")}
        emails.append(email_queue(
            to=[user.email], subject=f"Report for {label}: {format_inr(summary.sales_total)} · {profile.name}",
            template="period_report", context=context, reference=f"Report {key}",
            attachments=[(f"galla-report-{key}.xlsx", workbook, XLSX)],
            dedupe_key=f"report:{key}:{user.email.lower()}"))
    return emails


def iso_week_bounds(year: int, week: int) -> tuple[date, date]:
    """Return Monday and Sunday of an ISO week."""
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """Return the first and last day of a month."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def weekly_report_send(*, week: tuple[int, int] | None = None) -> list[OutboundEmail]:
    """Queue the report of an ISO week (year, week); by default the week that ended before today.

    Run on Mondays by the "Weekly report" schedule and by `manage.py send_period_report --week`.
    """
    if week is None:
        year, number, _weekday = (timezone.localdate() - timedelta(weeks=1)).isocalendar()
        week = (year, number)
    start, end = iso_week_bounds(*week)
    return period_report_send(start=start, end=end, label=f"week {week[1]}, {week[0]} ({start:%d %b} – {end:%d %b})",
                              key=f"{week[0]}-W{week[1]:02d}")


def monthly_report_send(*, month: tuple[int, int] | None = None) -> list[OutboundEmail]:
    """Queue the report of a month (year, month); by default last month.

    Run on the 1st by the "Monthly report" schedule and by `manage.py send_period_report --month`.
    """
    if month is None:
        last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
        month = (last_month.year, last_month.month)
    start, end = month_bounds(*month)
    return period_report_send(start=start, end=end, label=f"{start:%B %Y}", key=f"{month[0]}-{month[1]:02d}")
