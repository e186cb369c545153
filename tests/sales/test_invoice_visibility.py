"""One rule decides who reaches which bill (sales.selectors.invoices_visible_to), tested in every place
that reaches an invoice or its payment: lists, pages, both PDFs, email (form and JSON), UPI confirmation
(admin form and counter), and cancelling.

The rule: owner and manager reach every bill; a cashier reaches their own bills of today and the six
days before, never another cashier's.
"""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from sales.models import Invoice
from sales.selectors import CASHIER_INVOICE_DAYS, invoices_visible_to, payments_visible_to
from sales.services import checkout
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


def upi_bill(cashier, product, *, days_ago: int = 0) -> Invoice:
    invoice = checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                       payments=[{"method": "upi", "amount": product.selling_price}])
    if days_ago:
        Invoice.objects.filter(pk=invoice.pk).update(issued_at=timezone.now() - timedelta(days=days_ago))
    return invoice


def reaches(client, invoice: Invoice) -> dict[str, bool]:
    """Open the bill in every place that shows it; True where the user got it."""
    payment = invoice.payments.get()
    invoice_list = client.get(reverse("admin:sales_invoice_changelist"))
    payment_list = client.get(reverse("admin:sales_payment_changelist"))
    email_json = client.post(reverse("admin:sales_invoice_email", args=[invoice.pk]), json.dumps({"to": "x"}),
                             content_type="application/json")
    counter_confirm = client.post(reverse("admin:sales_counter_confirm_upi"),
                                  json.dumps({"invoice_id": invoice.pk, "utr": "1"}), content_type="application/json")
    return {
        "invoice list": invoice in invoice_list.context["cl"].result_list,
        "invoice page": client.get(reverse("admin:sales_invoice_change", args=[invoice.pk])).status_code == 200,
        "A4 PDF": client.get(reverse("admin:sales_invoice_pdf", args=[invoice.pk])).status_code == 200,
        "receipt PDF": client.get(reverse("admin:sales_invoice_receipt", args=[invoice.pk])).status_code == 200,
        "email form": client.get(reverse("admin:sales_invoice_email", args=[invoice.pk])).status_code == 200,
        "email from the counter": email_json.status_code == 400,  # reached: only the address "x" is refused
        "payment list": payment in payment_list.context["cl"].result_list,
        "payment page": client.get(reverse("admin:sales_payment_change", args=[payment.pk])).status_code == 200,
        "UPI confirm form": client.get(reverse("admin:sales_payment_confirm", args=[payment.pk])).status_code == 200,
        "UPI confirm at the counter": counter_confirm.status_code == 400,  # reached: only the UTR is refused
    }


EVERYWHERE = dict.fromkeys(["invoice list", "invoice page", "A4 PDF", "receipt PDF", "email form",
                            "email from the counter", "payment list", "payment page", "UPI confirm form",
                            "UPI confirm at the counter"], True)
NOWHERE = dict.fromkeys(EVERYWHERE, False)


@pytest.mark.parametrize(("viewer", "made_by", "days_ago", "expected"), [
    ("cashier", "cashier", 0, EVERYWHERE),
    ("cashier", "cashier", CASHIER_INVOICE_DAYS - 1, EVERYWHERE),  # the oldest day of the window
    ("cashier", "cashier", CASHIER_INVOICE_DAYS, NOWHERE),
    ("cashier", "other cashier", 0, NOWHERE),
    ("manager", "other cashier", 400, EVERYWHERE),
    ("owner", "cashier", 30, EVERYWHERE),
])
def test_one_rule_decides_every_place_that_reaches_a_bill(client, shop, stocked, viewer, made_by, days_ago,
                                                          expected):
    users = {"cashier": factories.cashier(), "manager": factories.manager(), "owner": factories.owner(),
             "other cashier": factories.UserFactory(username="cashier2", role="Cashier")}
    invoice = upi_bill(users[made_by], stocked(selling_price=D("120")), days_ago=days_ago)
    client.force_login(users[viewer])
    assert reaches(client, invoice) == expected


def test_the_window_starts_at_midnight_of_the_oldest_day(shop, stocked, cashier):
    product = stocked()
    invoice = upi_bill(cashier, product)
    first_day = timezone.localdate() - timedelta(days=CASHIER_INVOICE_DAYS - 1)
    midnight = timezone.make_aware(timezone.datetime.combine(first_day, timezone.datetime.min.time()))
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=midnight)
    assert list(invoices_visible_to(cashier)) == [invoice]
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=midnight - timedelta(seconds=1))
    assert list(invoices_visible_to(cashier)) == []
    assert list(payments_visible_to(cashier)) == []


def test_cancelling_reaches_only_visible_bills(client, shop, stocked, cashier, manager):
    invoice = upi_bill(cashier, stocked())
    no_view = factories.UserFactory(username="clerk")
    no_view.user_permissions.add(Permission.objects.get(codename="cancel_invoice"))
    client.force_login(no_view)
    assert client.get(reverse("admin:sales_invoice_cancel", args=[invoice.pk])).status_code in (403, 404)
    client.force_login(manager)
    assert client.get(reverse("admin:sales_invoice_cancel", args=[invoice.pk])).status_code == 200
