"""The admin's print views: who may print which invoice, and how the PDF is served."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sales.services import checkout
from shop import roles
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def invoice(shop, stocked, cashier):
    product = stocked(name="Tata Salt 1 kg", selling_price=D("28"), tax_rate=factories.tax_rate("0"))
    return checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                    payments=[{"method": "cash", "amount": D("28")}])


@pytest.mark.parametrize(("url_name", "filename"), [
    ("admin:sales_invoice_pdf", "{number}.pdf"),
    ("admin:sales_invoice_receipt", "{number}-receipt.pdf"),
])
def test_owner_gets_the_pdf_inline_named_after_the_number(client, owner, invoice, url_name, filename):
    client.force_login(owner)
    response = client.get(reverse(url_name, args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    expected = filename.format(number=invoice.number.replace("/", "-"))
    assert response["Content-Disposition"] == f'inline; filename="{expected}"'
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("url_name", ["admin:sales_invoice_pdf", "admin:sales_invoice_receipt"])
def test_cashier_prints_their_own_invoice(client, cashier, invoice, url_name):
    client.force_login(cashier)
    assert client.get(reverse(url_name, args=[invoice.pk])).status_code == 200


@pytest.mark.parametrize("url_name", ["admin:sales_invoice_pdf", "admin:sales_invoice_receipt"])
def test_cashier_cannot_print_another_cashiers_invoice(client, invoice, url_name):
    other = factories.UserFactory(username="cashier2", role=roles.CASHIER)
    client.force_login(other)
    assert client.get(reverse(url_name, args=[invoice.pk])).status_code == 403


def test_manager_prints_any_cashiers_invoice(client, manager, invoice):
    client.force_login(manager)
    assert client.get(reverse("admin:sales_invoice_pdf", args=[invoice.pk])).status_code == 200


def test_staff_without_invoice_permission_is_refused(client, invoice):
    client.force_login(factories.UserFactory(username="helper"))
    assert client.get(reverse("admin:sales_invoice_pdf", args=[invoice.pk])).status_code == 403


def test_anonymous_visitor_is_sent_to_the_login_page(client, invoice):
    response = client.get(reverse("admin:sales_invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_unknown_invoice_is_not_found(client, owner, invoice):
    client.force_login(owner)
    assert client.get(reverse("admin:sales_invoice_receipt", args=[invoice.pk + 1000])).status_code == 404
