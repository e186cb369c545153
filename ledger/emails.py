"""The customer statement by email, with its PDF, through the outbox (shop.notifications): written in the
caller's transaction, sent by the background worker once that commits, retried when the mail server is down."""

from django.core.exceptions import ValidationError

from ledger.documents import statement_pdf
from ledger.models import Customer
from ledger.selectors import customer_statement, khata_upi_link
from shop.models import OutboundEmail, ShopProfile, User
from shop.money import format_inr
from shop.notifications.layout import email_base_context
from shop.notifications.services import clean_recipients, email_queue


def statement_attachment_name(customer: Customer, start, end) -> str:
    """Return the PDF's file name: statement-<customer id>-<start>-<end>.pdf (no customer text in file names)."""
    return f"statement-{customer.pk}-{start:%Y%m%d}-{end:%Y%m%d}.pdf"


def statement_email_queue(*, customer: Customer, start, end, to: str, user: User | None) -> OutboundEmail:
    """Queue the customer's statement for `start` to `end` to one address, the A4 PDF attached; return the row.

    The PDF is rendered now and kept with the row, so a retry sends exactly this statement.
    Raises ValidationError keyed "to" for a missing or malformed address.
    """
    addresses = clean_recipients(to)
    if len(addresses) > 1:
        raise ValidationError({"to": ["Enter one email address."]}, code="invalid")
    address = addresses[0]
    statement = customer_statement(customer=customer, start=start, end=end)
    shop = ShopProfile.objects.get_profile()
    closing = statement.closing
    context = {
        **email_base_context(shop),
        "customer_name": customer.name,
        "start": statement.start,
        "end": statement.end,
        "opening": format_inr(statement.opening),
        "closing": format_inr(closing),
        "owes": closing > 0,
        "entries": len(statement.lines),
        "upi_link": khata_upi_link(customer, amount=closing, profile=shop),
    }
    return email_queue(
        to=[address],
        subject=f"Statement of your khata at {shop.name}: {format_inr(closing)} on {statement.end:%d-%m-%Y}",
        template="statement",
        context=context,
        attachments=[(statement_attachment_name(customer, statement.start, statement.end),
                      statement_pdf(statement, shop), "application/pdf")],
        reference=f"Statement {customer.pk}",
        source=customer,
        reply_to=shop.email,
        user=user,
    )
