"""The weekly credit reminder: customers who have owed money longer than the shop's reminder age get their
balance, its ageing, a UPI link for exactly that amount and their statement PDF by email; customers without
an email are listed for the owner with a WhatsApp link each.

At most once per period (the ISO week of the day it runs for): every email carries a dedupe key of the week,
the customer and the address, so a rerun, the command and the schedule together still send one.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ledger.documents import statement_pdf
from ledger.emails import statement_attachment_name
from ledger.models import Customer
from ledger.selectors import customer_statement, customers_with_balances, khata_upi_link, khata_whatsapp_link
from shop import roles
from shop.models import OutboundEmail, ShopProfile
from shop.money import format_inr
from shop.notifications.inbox import users_in_roles
from shop.notifications.layout import absolute_url, email_base_context
from shop.notifications.services import email_queue

# The statement attached covers at least this many days before the reminder's day.
STATEMENT_MIN_DAYS = 30


@dataclass(frozen=True)
class WithoutEmail:
    customer: Customer
    balance: Decimal
    owed_since: date | None
    whatsapp_link: str


@dataclass
class ReminderRun:
    period: str
    emails: list[OutboundEmail] = field(default_factory=list)
    without_email: list[WithoutEmail] = field(default_factory=list)
    owner_emails: list[OutboundEmail] = field(default_factory=list)


def reminder_period(day: date) -> str:
    """Return the period a reminder belongs to: the ISO week, like 2026-W48."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def customers_due_reminder(*, as_of: date, min_days: int):
    """Return active customers who owe money and whose oldest unpaid debt is at least `min_days` old on `as_of`."""
    customers = customers_with_balances(Customer.objects.filter(is_active=True))
    return customers.filter(owed__gt=0, oldest_due_on__lte=as_of - timedelta(days=min_days)).order_by("name", "pk")


def credit_reminders_send(*, as_of: date | None = None) -> ReminderRun:
    """Queue this period's credit reminders (customers with an email) and the owner's list of the others.

    Run weekly by the "Credit reminders" schedule and by `manage.py send_credit_reminders [--date]`.
    """
    as_of = as_of or timezone.localdate()
    profile = ShopProfile.objects.get_profile()
    run = ReminderRun(period=reminder_period(as_of))
    for customer in customers_due_reminder(as_of=as_of, min_days=profile.credit_reminder_days):
        if customer.email:
            email = _reminder_queue(customer, as_of=as_of, period=run.period, profile=profile)
            if email is not None:
                run.emails.append(email)
        else:
            run.without_email.append(WithoutEmail(
                customer=customer, balance=customer.owed, owed_since=customer.oldest_due_on,
                whatsapp_link=khata_whatsapp_link(customer, balance=customer.owed, as_of=as_of, profile=profile)))
    if run.without_email:
        run.owner_emails = _owner_list_queue(run, as_of=as_of, profile=profile)
    return run


@transaction.atomic
def _reminder_queue(customer: Customer, *, as_of: date, period: str, profile: ShopProfile) -> OutboundEmail | None:
    key = f"credit-reminder:{period}:{customer.pk}:{customer.email.lower()}"
    existing = OutboundEmail.objects.filter(dedupe_key=key).first()
    if existing is not None:  # already reminded this period: skip rendering the PDF
        return existing
    start = min(customer.oldest_due_on or as_of, as_of - timedelta(days=STATEMENT_MIN_DAYS))
    statement = customer_statement(customer=customer, start=start, end=as_of)
    if statement.closing <= 0:
        return None  # paid off by then (the run is for a past day)
    context = {
        **email_base_context(profile),
        "customer_name": customer.name,
        "as_of": as_of,
        "balance": statement.closing,
        "owed_since": customer.oldest_due_on,
        "ageing": [(label, amount) for label, amount in statement.ageing.buckets if amount],
        "upi_link": khata_upi_link(customer, amount=statement.closing, profile=profile),
    }
    return email_queue(
        to=[customer.email],
        subject=f"Reminder from {profile.name}: {format_inr(statement.closing)} due on your khata",
        template="credit_reminder",
        context=context,
        attachments=[(statement_attachment_name(customer, statement.start, statement.end),
                      statement_pdf(statement, profile), "application/pdf")],
        reference=f"Reminder {customer.pk} {period}",
        source=customer,
        reply_to=profile.email,
        dedupe_key=key,
    )


def _owner_list_queue(run: ReminderRun, *, as_of: date, profile: ShopProfile) -> list[OutboundEmail]:
    context = {**email_base_context(profile), "as_of": as_of, "customers": run.without_email,
               "emailed": len(run.emails), "total": sum((row.balance for row in run.without_email), Decimal("0")),
               "link": absolute_url(reverse("admin:ledger_customer_changelist"))}
    emails = []
    for address in sorted(set(users_in_roles([roles.OWNER]).exclude(email="").values_list("email", flat=True))):
        emails.append(email_queue(
            to=[address], subject=f"Credit reminders {run.period}: {len(run.without_email)} customer(s) to message",
            template="credit_reminder_owner", context=context, reference=f"Reminders {run.period}",
            dedupe_key=f"credit-reminder-list:{run.period}:{address.lower()}"))
    return emails
