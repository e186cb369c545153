"""Emails about sales: the invoice with its PDF, the credit note of a return with its PDF, and the
thank-you when a payment is confirmed.

All go through the outbox (shop.notifications.services.email_queue): the row is written in the
caller's transaction and sent by a background task after it commits.
"""

import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from sales.documents import credit_note_pdf, credit_note_with_lines, document_file_name, invoice_pdf, invoice_with_lines
from sales.models import CreditNote, Invoice, Payment
from shop.models import OutboundEmail, ShopProfile, User
from shop.money import format_inr, format_quantity
from shop.notifications.layout import email_base_context
from shop.notifications.services import clean_recipients, email_queue

logger = logging.getLogger(__name__)

LINES_SHOWN = 10  # the email lists the first lines; the PDF has them all


def _invoice_context(invoice: Invoice, shop: ShopProfile) -> dict:
    lines = list(invoice.lines.all())
    balance_due = invoice.balance_due
    return {
        **email_base_context(shop),
        "invoice": invoice,
        "document_title": _("Bill of supply") if invoice.bill_of_supply else _("Tax invoice"),
        "customer_name": invoice.customer.name if invoice.customer else "",
        "issued_on": timezone.localtime(invoice.issued_at).date(),
        "lines": [{"description": line.description, "quantity": format_quantity(line.quantity), "unit": line.unit,
                   "amount": format_inr(line.line_total)} for line in lines[:LINES_SHOWN]],
        "more_lines": max(len(lines) - LINES_SHOWN, 0),
        "round_off": format_inr(invoice.round_off) if invoice.round_off else "",
        "total": format_inr(invoice.grand_total),
        "tax_total": format_inr(invoice.tax_total) if invoice.tax_total else "",
        "balance_due": format_inr(balance_due) if balance_due > Decimal("0") else "",
        "cancelled": invoice.is_cancelled,
    }


def invoice_email_queue(*, invoice: Invoice, to: str, user: User | None) -> OutboundEmail:
    """Queue an email of the invoice to one address, with its A4 PDF attached; return the outbox row.

    The PDF is rendered now and stored with the row, so a retry sends exactly this document.
    Raises ValidationError keyed "to" for a missing or malformed address.
    """
    addresses = clean_recipients(to)
    if len(addresses) > 1:
        raise ValidationError({"to": [_("Enter one email address.")]}, code="invalid")
    invoice = invoice_with_lines(invoice)
    shop = ShopProfile.objects.get_profile()
    return email_queue(
        to=addresses,
        subject=_("Invoice %(number)s from %(shop)s") % {"number": invoice.number, "shop": shop.name},
        template="invoice",
        context=_invoice_context(invoice, shop),
        attachments=[(document_file_name(invoice.number), invoice_pdf(invoice), "application/pdf")],
        reference=invoice.number,
        source=invoice,
        reply_to=shop.email,
        user=user,
    )


def payment_confirmation_email_queue(*, payment: Payment) -> OutboundEmail | None:
    """Queue a short thank-you for a confirmed payment to the invoice's customer; return the row.

    Return None, queueing nothing, when the customer has no usable email address, when the payment
    is not confirmed yet, or when it is a credit (udhar) entry, which is a promise and not money in.
    Call it inside the transaction that confirms the payment: the email goes only if that commits.
    """
    payment = Payment.objects.select_related("invoice__customer").get(pk=payment.pk)
    invoice = payment.invoice
    customer = invoice.customer
    if payment.status != Payment.Status.CONFIRMED or payment.method == Payment.Method.CREDIT:
        return None
    if customer is None or not customer.email.strip():
        return None
    shop = ShopProfile.objects.get_profile()
    amount = format_inr(payment.amount)
    balance_due = invoice.balance_due
    context = {
        **email_base_context(shop),
        "invoice": invoice,
        "payment": payment,
        "customer_name": customer.name,
        "amount": amount,
        "method": payment.get_method_display(),
        "received_on": timezone.localtime(payment.confirmed_at or payment.created_at).date(),
        "balance_due": format_inr(balance_due) if balance_due > Decimal("0") else "",
    }
    try:
        return email_queue(
            to=[customer.email],
            subject=_("We received %(amount)s for invoice %(number)s") % {"amount": amount, "number": invoice.number},
            template="payment_confirmation",
            context=context,
            reference=invoice.number,
            source=payment,
            reply_to=shop.email,
        )
    except ValidationError as refusal:
        # A bad address on file must never undo the payment's confirmation; the owner sees it in the log.
        logger.warning("No payment email for %s: customer %s has an unusable address (%s)", invoice.number,
                       customer.pk, "; ".join(refusal.messages))
        return None


def credit_note_email_queue(*, credit_note: CreditNote, to: str, user: User | None) -> OutboundEmail:
    """Queue an email of the credit note to one address, with its A4 PDF attached; return the outbox row.

    Raises ValidationError keyed "to" for a missing or malformed address.
    """
    addresses = clean_recipients(to)
    if len(addresses) > 1:
        raise ValidationError({"to": [_("Enter one email address.")]}, code="invalid")
    credit_note = credit_note_with_lines(credit_note)
    shop = ShopProfile.objects.get_profile()
    lines = list(credit_note.lines.all())
    context = {
        **email_base_context(shop),
        "credit_note": credit_note,
        "invoice": credit_note.invoice,
        "customer_name": credit_note.customer.name if credit_note.customer else "",
        "issued_on": timezone.localtime(credit_note.issued_at).date(),
        "invoice_issued_on": timezone.localtime(credit_note.invoice.issued_at).date(),
        "lines": [{"description": line.description, "quantity": format_quantity(line.quantity), "unit": line.unit,
                   "amount": format_inr(line.line_total)} for line in lines[:LINES_SHOWN]],
        "more_lines": max(len(lines) - LINES_SHOWN, 0),
        "total": format_inr(credit_note.grand_total),
        "khata": format_inr(credit_note.khata_amount) if credit_note.khata_amount else "",
        "store_credit_back": format_inr(credit_note.store_credit_back) if credit_note.store_credit_back else "",
        "refund": format_inr(credit_note.refund_amount) if credit_note.refund_amount else "",
        "refund_method": credit_note.get_refund_method_display(),
        "store_credit": credit_note.refund_method == CreditNote.RefundMethod.STORE_CREDIT,
    }
    return email_queue(
        to=addresses,
        subject=_("Credit note %(number)s from %(shop)s") % {"number": credit_note.number, "shop": shop.name},
        template="credit_note",
        context=context,
        attachments=[(document_file_name(credit_note.number), credit_note_pdf(credit_note), "application/pdf")],
        reference=credit_note.number,
        source=credit_note,
        reply_to=shop.email,
        user=user,
    )
