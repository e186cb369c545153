"""Helpers that make a shop's history at chosen moments, through the real services."""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from sales.services import checkout, invoice_cancel, return_create
from tests.sales.selling import exact_cash

D = Decimal


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a moment in the shop's time zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_default_timezone())


@contextmanager
def clock(moment: datetime):
    """Make the services believe it is `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def sell_at(moment: datetime, cashier, *lines, payments=None, customer=None, **options):
    """Sell (product, quantity) lines at a moment; paid in exact cash unless payments say otherwise."""
    cart = [{"product": product, "quantity": D(quantity)} for product, quantity in lines]
    with clock(moment):
        if payments is None:
            payments = [exact_cash(cart, customer=customer)]
        return checkout(cashier=cashier, lines=cart, payments=payments, customer=customer, **options)


def cancel_at(moment: datetime, invoice, user):
    with clock(moment):
        return invoice_cancel(invoice=invoice, user=user, reason="Wrong bill")


def return_at(moment: datetime, invoice, user, *quantities, refund_method="cash"):
    """Take back quantities of the invoice's lines in order (0 skips a line)."""
    lines = [{"line": line, "quantity": D(q)} for line, q in zip(invoice.lines.all(), quantities, strict=False)
             if D(q)]
    with clock(moment):
        return return_create(invoice=invoice, lines=lines, refund_method=refund_method, user=user)
