"""The admin home page (unfold's DASHBOARD_CALLBACK): what each role sees first after signing in.

A cashier's home is the way to the counter and their own shift so far; the owner and the manager
(who may open the reports) land on the dashboard of the day, or of the days the date picker chose.
"""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.models import PaymentMethod
from ledger.selectors import day_book
from reports.dashboard import owner_dashboard, period_from_query
from sales.models import Invoice, Payment
from sales.selectors import invoices_visible_to
from shop.money import format_inr


def home_context(request, context: dict) -> dict:
    """Return the index page's context with the counter entry and, for a cashier, their shift today."""
    user = request.user
    context["title"] = _("Dashboard")
    if user.has_perm("sales.use_counter"):
        context["counter_url"] = reverse("admin:sales_counter")
    if user.has_perm("reports.view_reports"):
        start, end, form = period_from_query(request.GET)
        context["period_form"] = form
        context["dashboard"] = owner_dashboard(user=user, start=start, end=end)
    elif not user.has_perm("sales.view_all_invoices"):
        context["shift"] = shift_today(user)
    return context


def shift_today(user) -> dict:
    """Return the cashier's completed bills of today: how many, their total, the takings by method, and the
    cash they should hand over (their own day book's cash: sales, repayments taken, less refunds paid)."""
    start = timezone.make_aware(timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time()))
    bills = invoices_visible_to(user).filter(cashier=user, issued_at__gte=start, status=Invoice.Status.COMPLETED)
    totals = list(bills.values_list("grand_total", flat=True))
    by_method: dict[str, Decimal] = {}
    for method, amount in Payment.objects.filter(invoice__in=bills).values_list("method", "amount"):
        by_method[method] = by_method.get(method, Decimal("0")) + amount  # exact: added in Python, not by SQLite
    labels = dict(Payment.Method.choices)
    today = timezone.localdate()
    own_cash = day_book(start=today, end=today, viewer=user).totals_by_method.get(PaymentMethod.CASH, Decimal("0"))
    return {
        "cash_text": format_inr(own_cash),
        "bills": len(totals),
        "total_text": format_inr(sum(totals, Decimal("0"))),
        "by_method": [(labels[method], format_inr(amount)) for method, amount in sorted(by_method.items())],
    }
