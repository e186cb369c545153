"""The invoice email and the payment thank-you: what they say, what they carry, and when they are not sent."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from sales.emails import invoice_email_queue, payment_confirmation_email_queue
from sales.models import Payment
from sales.services import checkout
from shop.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def customer(db):
    return factories.CustomerFactory(name="Asha Verma", email="asha@example.com")


@pytest.fixture
def big_sale(shop, stocked, cashier, customer):
    """A ₹1,23,000 bill for Asha: ₹1,00,000 in cash and ₹23,000 by UPI still awaiting its UTR."""
    fridge = stocked(name="Godrej Fridge 260 L", selling_price=D("61500"), hsn_code="8418")
    return checkout(cashier=cashier, customer=customer, lines=[{"product": fridge, "quantity": D("2")}],
                    payments=[{"method": "cash", "amount": D("100000")}, {"method": "upi", "amount": D("23000")}])


@pytest.fixture
def cash_sale(shop, stocked, cashier):
    salt = stocked(name="Tata Salt 1 kg", selling_price=D("28"), tax_rate=factories.tax_rate("0"), hsn_code="2501")
    return checkout(cashier=cashier, lines=[{"product": salt, "quantity": D("3")}],
                    payments=[{"method": "cash", "amount": D("84")}])


def test_invoice_email_names_the_invoice_and_the_shop(big_sale, cashier):
    email = invoice_email_queue(invoice=big_sale, to=" asha@example.com ", user=cashier)
    assert email.subject == f"Invoice {big_sale.number} from Sharma Kirana Store"
    assert (email.to, email.reference, email.source, email.created_by) == (
        "asha@example.com", big_sale.number, big_sale, cashier)
    assert email.status == OutboundEmail.Status.QUEUED


def test_invoice_email_shows_total_balance_due_and_lines_in_both_bodies(big_sale, cashier):
    email = invoice_email_queue(invoice=big_sale, to="asha@example.com", user=cashier)
    for body in (email.text_body, email.html_body):
        assert "Sharma Kirana Store" in body
        assert big_sale.number in body
        assert "₹1,23,000.00" in body  # total, Indian grouping
        assert "₹23,000.00" in body  # balance due: the UPI part awaits its UTR
        assert "Godrej Fridge 260 L" in body
        assert "Asha Verma" in body
    assert "Balance due: ₹23,000.00" in email.text_body
    assert "<table" in email.html_body and "style=" in email.html_body


def test_a_paid_invoice_email_has_no_balance_due(cash_sale, cashier):
    email = invoice_email_queue(invoice=cash_sale, to="ravi@example.in", user=cashier)
    assert "₹84.00" in email.text_body
    assert "Balance due" not in email.text_body and "Balance due" not in email.html_body
    assert "Hello," in email.text_body  # a walk-in customer has no name on the bill


def test_invoice_email_carries_the_a4_pdf_named_after_the_number(big_sale, cashier):
    email = invoice_email_queue(invoice=big_sale, to="asha@example.com", user=cashier)
    pdf = email.attachments.get()
    assert pdf.filename == f"{big_sale.number.replace('/', '-')}.pdf"
    assert "/" not in pdf.filename
    assert pdf.mimetype == "application/pdf"
    assert bytes(pdf.content).startswith(b"%PDF-")


def test_a_long_bill_lists_the_first_lines_and_points_to_the_pdf(shop, stocked, cashier):
    products = [stocked(name=f"Item {n:02d}", selling_price=D("10"), tax_rate=factories.tax_rate("0"))
                for n in range(12)]
    invoice = checkout(cashier=cashier, lines=[{"product": p, "quantity": D("1")} for p in products],
                       payments=[{"method": "cash", "amount": D("120")}])
    email = invoice_email_queue(invoice=invoice, to="asha@example.com", user=cashier)
    assert "Item 09" in email.text_body and "Item 10" not in email.text_body
    assert "and 2 more items in the attached PDF" in email.text_body


@pytest.mark.parametrize("to", ["", "asha", "asha@", "asha@example.com, ravi@example.in"])
def test_invoice_email_refuses_a_bad_address_keyed_to(cash_sale, cashier, to):
    with pytest.raises(ValidationError) as refusal:
        invoice_email_queue(invoice=cash_sale, to=to, user=cashier)
    assert list(refusal.value.message_dict) == ["to"]
    assert not OutboundEmail.objects.exists()


def test_the_invoice_email_is_sent_with_its_pdf_after_commit(big_sale, cashier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice_email_queue(invoice=big_sale, to="asha@example.com", user=cashier)
    [message] = mail.outbox
    assert message.subject == f"Invoice {big_sale.number} from Sharma Kirana Store"
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{big_sale.number.replace('/', '-')}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")


# --- payment confirmation ----------------------------------------------------------------------

def confirm(payment: Payment, utr="412345678901") -> Payment:
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.CONFIRMED, reference=utr)
    return Payment.objects.get(pk=payment.pk)


def test_a_confirmed_upi_payment_thanks_a_customer_with_an_email(big_sale):
    payment = confirm(big_sale.payments.get(method="upi"))
    email = payment_confirmation_email_queue(payment=payment)
    assert email is not None
    assert email.to == "asha@example.com"
    assert email.subject == f"We received ₹23,000.00 for invoice {big_sale.number}"
    assert (email.reference, email.source) == (big_sale.number, payment)
    for body in (email.text_body, email.html_body):
        assert "₹23,000.00" in body and big_sale.number in body and "Thank you" in body
        assert "412345678901" in body
    assert not email.attachments.exists()


def test_no_thank_you_without_a_customer_email(big_sale, customer):
    customer.email = ""
    customer.save()
    assert payment_confirmation_email_queue(payment=confirm(big_sale.payments.get(method="upi"))) is None
    assert not OutboundEmail.objects.exists()


def test_no_thank_you_for_a_walk_in_customer(cash_sale):
    assert payment_confirmation_email_queue(payment=cash_sale.payments.get()) is None
    assert not OutboundEmail.objects.exists()


def test_no_thank_you_before_the_payment_is_confirmed(big_sale):
    assert payment_confirmation_email_queue(payment=big_sale.payments.get(method="upi")) is None
    assert not OutboundEmail.objects.exists()


def test_an_unusable_address_on_file_does_not_stop_the_confirmation(big_sale, customer):
    customer.email = "asha at example dot com"  # imported data, never validated
    customer.save(update_fields=["email"])
    assert payment_confirmation_email_queue(payment=confirm(big_sale.payments.get(method="upi"))) is None
    assert not OutboundEmail.objects.exists()


def test_no_thank_you_for_a_credit_entry_which_is_owed_not_paid(shop, stocked, cashier, customer):
    customer.credit_limit = D("5000")
    customer.save()
    product = stocked(selling_price=D("500"), tax_rate=factories.tax_rate("0"))
    invoice = checkout(cashier=cashier, customer=customer, lines=[{"product": product, "quantity": D("1")}],
                       payments=[{"method": "credit", "amount": D("500")}])
    assert payment_confirmation_email_queue(payment=invoice.payments.get()) is None
    assert not OutboundEmail.objects.exists()


def test_the_round_off_is_shown_so_the_lines_add_up_to_the_total(shop, stocked, cashier):
    soap = stocked(name="Lifebuoy 125 g", selling_price=D("33.41"), tax_rate=factories.tax_rate("18"))
    sale = checkout(cashier=cashier, lines=[{"product": soap, "quantity": D("3")}],
                    payments=[{"method": "cash", "amount": D("100")}])
    assert sale.round_off == D("-0.23")  # 3 x 33.41 = 100.23 at the shelf price, rounded to ₹100
    email = invoice_email_queue(invoice=sale, to="asha@example.com", user=cashier)
    assert "Round off: -₹0.23" in email.text_body
    assert "-₹0.23" in email.html_body
