"""Weekly credit reminders: customers with an email owing longer than the shop's reminder age get balance, ageing,
a UPI link and the statement PDF, once per week; the others are listed for the owner with WhatsApp links."""

from datetime import date, datetime, time
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ledger.models import CreditEntry
from ledger.posting import post_credit
from ledger.reminders import credit_reminders_send, reminder_period
from shop.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 30)  # a Monday


def on(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(11, 0)))


@pytest.fixture
def khata(shop, owner):
    shop.upi_vpa, shop.credit_reminder_days = "sharma@okaxis", 30
    shop.save()
    owner.email = "owner@sharma.example"
    owner.save()

    def owes(name: str, amount: str, since: date, email: str = "", phone: str = ""):
        customer = factories.CustomerFactory(name=name, email=email, **({"phone": phone} if phone else {}))
        post_credit(customer=customer, kind=CreditEntry.Kind.CREDIT_SALE, amount=D(amount), user=owner,
                    created_at=on(since))
        return customer

    return owes


def test_a_customer_owing_long_enough_gets_balance_ageing_upi_and_statement(khata, django_capture_on_commit_callbacks):
    khata("Asha Verma", "1250.50", date(2026, 9, 15), email="asha@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        run = credit_reminders_send(as_of=TODAY)
    [email] = run.emails
    [message] = [m for m in mail.outbox if m.to == ["asha@example.com"]]
    assert "₹1,250.50" in message.subject
    assert "61–90 days: ₹1,250.50" in message.body
    assert "upi://pay?" in message.body and "am=1250.50" in message.body
    [(name, content, mimetype)] = message.attachments
    assert name.endswith(".pdf") and mimetype == "application/pdf" and content.startswith(b"%PDF")
    assert email.dedupe_key == f"credit-reminder:2026-W49:{email.source_id}:asha@example.com"


def test_recent_debts_and_settled_customers_get_no_reminder(khata):
    khata("Ravi Kumar", "500", date(2026, 11, 20), email="ravi@example.com")  # 10 days: under the 30-day age
    paid = khata("Meena Iyer", "300", date(2026, 8, 1), email="meena@example.com")
    post_credit(customer=paid, kind=CreditEntry.Kind.PAYMENT, amount=D("-300"), user=None, created_at=on(TODAY))
    run = credit_reminders_send(as_of=TODAY)
    assert run.emails == [] and run.without_email == []


def test_the_reminder_age_is_the_shops_setting(khata, shop):
    khata("Ravi Kumar", "500", date(2026, 11, 20), email="ravi@example.com")
    shop.credit_reminder_days = 7
    shop.save()
    assert len(credit_reminders_send(as_of=TODAY).emails) == 1


def test_the_reminder_is_not_sent_twice_in_one_week(khata, django_capture_on_commit_callbacks):
    khata("Asha Verma", "800", date(2026, 9, 15), email="asha@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        credit_reminders_send(as_of=TODAY)
        credit_reminders_send(as_of=date(2026, 12, 3))  # Thursday, same ISO week
        call_command("send_credit_reminders", "--date", "2026-12-06", stdout=StringIO())  # Sunday, same week
    assert OutboundEmail.objects.filter(to="asha@example.com").count() == 1
    assert len([m for m in mail.outbox if m.to == ["asha@example.com"]]) == 1
    credit_reminders_send(as_of=date(2026, 12, 7))  # the next Monday: a new period
    assert OutboundEmail.objects.filter(to="asha@example.com").count() == 2


def test_customers_without_email_are_listed_for_the_owner_with_whatsapp_links(khata):
    khata("Suresh Patil", "2000", date(2026, 10, 1), phone="9876543210")
    run = credit_reminders_send(as_of=TODAY)
    assert [row.customer.name for row in run.without_email] == ["Suresh Patil"]
    [email] = run.owner_emails
    assert email.to == "owner@sharma.example"
    assert "https://wa.me/919876543210?text=" in email.text_body and "₹2,000.00" in email.text_body
    assert "wa.me/919876543210" in email.html_body


@pytest.mark.parametrize(("day", "period"), [(date(2026, 11, 30), "2026-W49"), (date(2026, 12, 6), "2026-W49"),
                                             (date(2027, 1, 1), "2026-W53")])
def test_the_period_is_the_iso_week(day, period):
    assert reminder_period(day) == period


def test_the_command_refuses_a_bad_date(khata):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_credit_reminders", "--date", "30-11-2026", stdout=StringIO())
