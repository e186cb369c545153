"""The admin home page (unfold's DASHBOARD_CALLBACK): what each role sees first after signing in.

A cashier's home is the way to the counter and their own shift so far; the owner's and manager's
dashboard grows with the reports.
"""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from sales.models import Invoice, Payment
from sales.selectors import invoices_visible_to
from shop.money import format_inr


def home_context(request, context: dict) -> dict:
    """Return the index page's context with the counter entry and, for a cashier, their shift today."""
    user = request.user
    if user.has_perm("sales.use_counter"):
        context["counter_url"] = reverse("admin:sales_counter")
    if not user.has_perm("sales.view_all_invoices"):
        context["shift"] = shift_today(user)
    return context


def shift_today(user) -> dict:
    """Return the cashier's completed bills of today: how many, their total, and the takings by method."""
    start = timezone.make_aware(timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time()))
    bills = invoices_visible_to(user).filter(cashier=user, issued_at__gte=start, status=Invoice.Status.COMPLETED)
    totals = list(bills.values_list("grand_total", flat=True))
    by_method: dict[str, Decimal] = {}
    for method, amount in Payment.objects.filter(invoice__in=bills).values_list("method", "amount"):
        by_method[method] = by_method.get(method, Decimal("0")) + amount  # exact: added in Python, not by SQLite
    labels = dict(Payment.Method.choices)
    return {
        "bills": len(totals),
        "total_text": format_inr(sum(totals, Decimal("0"))),
        "by_method": [(labels[method], format_inr(amount)) for method, amount in sorted(by_method.items())],
    }
