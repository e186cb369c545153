"""Confirming UPI payments: by the UTR a cashier types, a signed gateway notification, or a bank statement.

A confirmation locks the payment row, so the same payment is confirmed once however many
notifications arrive; a replay with the same UTR changes nothing. The day book counts a UPI
payment on the day it is confirmed.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ledger.models import DayBookEntry
from ledger.posting import post_day_book
from reports.rollups import rollups_record_upi_confirmed
from sales.emails import payment_confirmation_email_queue
from sales.models import Invoice, Payment
from sales.upi import clean_utr
from shop.models import User
from shop.money import format_inr

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Confirmation:
    payment: Payment
    newly_confirmed: bool  # False for a replay of a confirmation already recorded


@transaction.atomic
def upi_payment_confirm(*, payment: Payment, utr: str, via: str, user: User | None = None) -> Confirmation:
    """Confirm an awaiting UPI payment with its UTR, post it to today's day book and thank the customer."""
    utr = clean_utr(utr)
    payment = Payment.objects.select_for_update(of=("self",)).select_related("invoice__customer").get(pk=payment.pk)
    if payment.method != Payment.Method.UPI:
        raise ValidationError("Only UPI payments wait for a transaction number.", code="not_upi")
    if payment.status == Payment.Status.CONFIRMED:
        if payment.reference == utr:
            return Confirmation(payment, newly_confirmed=False)
        raise ValidationError(f"This payment was already confirmed with UTR {payment.reference}.", code="confirmed")
    if payment.invoice.status != Invoice.Status.COMPLETED:
        raise ValidationError(f"Invoice {payment.invoice.number} is cancelled; its payment cannot be confirmed.",
                              code="cancelled")
    used = Payment.objects.filter(method=Payment.Method.UPI, reference=utr).exclude(pk=payment.pk).first()
    if used is not None:
        raise ValidationError(f"UTR {utr} is already recorded for invoice {used.invoice.number}.", code="utr_used")
    now = timezone.now()
    payment.status, payment.reference, payment.confirmed_at = Payment.Status.CONFIRMED, utr, now
    payment.confirmed_via, payment.confirmed_by = via, user
    payment.save(update_fields=["status", "reference", "confirmed_at", "confirmed_via", "confirmed_by"])
    post_day_book(entries=[(DayBookEntry.Kind.SALE, Payment.Method.UPI, payment.amount)],
                  day=timezone.localdate(now), user=user, reference=payment.invoice.number, source=payment.invoice)
    # After the book day's row, as every sale, cancel and return takes them (lock order in sales.services).
    rollups_record_upi_confirmed(payment=payment, invoice=payment.invoice)
    payment_confirmation_email_queue(payment=payment)
    return Confirmation(payment, newly_confirmed=True)


def upi_gateway_confirm(*, invoice_number: str, amount: Decimal, utr: str) -> Confirmation:
    """Confirm the awaiting UPI payment of a bill that a gateway says was paid.

    The bill is found by the reference in its UPI link (the invoice number), the payment by its
    amount. A notification for a payment already confirmed with this UTR is a replay: no change.
    """
    utr = clean_utr(utr)
    invoice = Invoice.objects.filter(number=invoice_number).first()
    if invoice is None:
        raise ValidationError(f"No bill has the reference {invoice_number!r}.", code="unknown_bill")
    upi = invoice.payments.filter(method=Payment.Method.UPI)
    replay = upi.filter(status=Payment.Status.CONFIRMED, reference=utr).first()
    if replay is not None:
        return Confirmation(replay, newly_confirmed=False)
    awaiting = upi.filter(status=Payment.Status.AWAITING, amount=amount).order_by("pk").first()
    if awaiting is None:
        raise ValidationError(f"No UPI payment of {format_inr(amount)} awaits confirmation on bill {invoice.number}.",
                              code="wrong_amount")
    return upi_payment_confirm(payment=awaiting, utr=utr, via=Payment.ConfirmedVia.GATEWAY)


def awaiting_upi_payments():
    return (Payment.objects.filter(method=Payment.Method.UPI, status=Payment.Status.AWAITING,
                                   invoice__status=Invoice.Status.COMPLETED)
            .select_related("invoice__customer", "invoice__cashier"))
