"""The check for UPI payments still awaiting their confirmation an hour after the bill: the owner and managers
get one in-app notification per payment (run every few minutes by the "UPI payments awaiting" schedule)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sales.payments import awaiting_upi_payments
from shop.money import format_inr
from shop.notifications.inbox import MANAGERS, Level, notify

AWAITING_TOO_LONG = timedelta(hours=1)
CHECK_BATCH = 200


def awaiting_upi_notify(*, now=None) -> int:
    """Notify about UPI payments awaiting confirmation for more than an hour, each once; return how many
    payments were reported now (those reported by an earlier check are skipped by their key)."""
    now = now or timezone.now()
    overdue = awaiting_upi_payments().filter(created_at__lt=now - AWAITING_TOO_LONG).order_by("created_at", "pk")
    link = reverse("admin:sales_payment_changelist") + "?method__exact=upi&status__exact=awaiting"
    reported = 0
    for payment in overdue[:CHECK_BATCH]:
        waited = int((now - payment.created_at).total_seconds() // 60)
        written = notify(text=f"UPI payment of {format_inr(payment.amount)} on bill {payment.invoice.number} has "
                              f"awaited confirmation for {waited // 60} h {waited % 60} min.",
                         level=Level.WARNING, link=link, roles=MANAGERS, key=f"upi-awaiting:{payment.pk}")
        reported += bool(written)
    return reported
