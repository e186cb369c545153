"""Emailing an invoice from the counter (JSON) and from the invoice page (a small form); who may do it.

The URL is served by tests/sales/email_urls.py until InvoiceAdmin.get_urls() includes *email_urls(self).
"""

import json
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from sales.counter import invoice_payload
from sales.services import checkout
from shop import roles
from shop.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def invoice(shop, stocked, cashier):
    """The cashier's bill for Asha, who has an email address on file."""
    customer = factories.CustomerFactory(name="Asha Verma", email="asha@example.com")
    product = stocked(name="Tata Salt 1 kg", selling_price=D("28"), tax_rate=factories.tax_rate("0"))
    return checkout(cashier=cashier, customer=customer, lines=[{"product": product, "quantity": D("1")}],
                    payments=[{"method": "cash", "amount": D("28")}])


def email_url(invoice) -> str:
    return reverse("admin:sales_invoice_email", args=[invoice.pk])


def post_json(client, invoice, body):
    return client.post(email_url(invoice), data=json.dumps(body), content_type="application/json")


def test_the_counter_queues_the_invoice_email(client, cashier, invoice):
    client.force_login(cashier)
    response = post_json(client, invoice, {"to": "ravi@example.in"})
    assert response.status_code == 200
    assert response.json()["ok"] is True
    email = OutboundEmail.objects.get()
    assert (email.to, email.reference, email.created_by) == ("ravi@example.in", invoice.number, cashier)


@pytest.mark.parametrize("body", [{"to": "not an address"}, {"to": ""}, {}, {"to": 42}, ["asha@example.com"]])
def test_the_counter_gets_a_bad_address_back_under_email_and_nothing_is_queued(client, cashier, invoice, body):
    client.force_login(cashier)
    response = post_json(client, invoice, body)
    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False and list(data["errors"]) == ["email"] and data["errors"]["email"]
    assert not OutboundEmail.objects.exists()


def test_the_counter_gets_an_error_for_a_body_that_is_not_json(client, cashier, invoice):
    client.force_login(cashier)
    response = client.post(email_url(invoice), data="to=asha", content_type="application/json")
    assert response.status_code == 400 and response.json()["ok"] is False
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("body", [
    pytest.param("[" * 100_000 + "]" * 100_000, id="100000-deep"),
    pytest.param('{"to": "asha\\u0000@example.com"}', id="NUL"),
    pytest.param('{"to": "asha@example.com\\u202e"}', id="bidi-override"),
    pytest.param('{"to": "%s@example.com"}' % ("a" * 131_072), id="131072-characters"),
    pytest.param('{"to": ["asha@example.com"]}', id="a-list"),
])
def test_the_counter_gets_malformed_bodies_back_under_email_and_nothing_is_queued(client, cashier, invoice, body):
    client.force_login(cashier)
    response = client.post(email_url(invoice), data=body, content_type="application/json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["email"]
    assert not OutboundEmail.objects.exists()


def test_the_counter_payload_links_the_success_dialog_to_the_email_endpoint(invoice):
    assert invoice_payload(invoice)["email_url"] == email_url(invoice)
    assert invoice_payload(invoice)["customer_email"] == "asha@example.com"


def test_the_invoice_page_form_is_filled_with_the_customers_email(client, owner, invoice):
    client.force_login(owner)
    response = client.get(email_url(invoice))
    assert response.status_code == 200
    assert response.context["form"].initial == {"to": "asha@example.com"}
    page = response.content.decode()
    assert invoice.number in page and 'value="asha@example.com"' in page


def test_the_invoice_page_form_queues_the_email_and_goes_back_with_a_message(client, owner, invoice):
    client.force_login(owner)
    response = client.post(email_url(invoice), {"to": "accounts@asha.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sales_invoice_change", args=[invoice.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Invoice {invoice.number} is queued to be emailed to accounts@asha.example."]
    email = OutboundEmail.objects.get()
    assert (email.to, email.created_by) == ("accounts@asha.example", owner)


def test_the_invoice_page_form_shows_an_error_for_a_bad_address_and_queues_nothing(client, owner, invoice):
    client.force_login(owner)
    response = client.post(email_url(invoice), {"to": "asha@"})
    assert response.status_code == 200
    assert response.context["form"].errors["to"] == ["“asha@” is not a valid email address."]
    assert not OutboundEmail.objects.exists()


def test_a_cashier_cannot_email_another_cashiers_invoice(client, invoice):
    other = factories.UserFactory(username="cashier2", role=roles.CASHIER)
    client.force_login(other)
    response = post_json(client, invoice, {"to": "asha@example.com"})
    assert response.status_code == 403
    assert response.json()["ok"] is False and response.json()["errors"]["email"]
    assert client.get(email_url(invoice)).status_code == 403
    assert client.post(email_url(invoice), {"to": "asha@example.com"}).status_code == 403
    assert not OutboundEmail.objects.exists()


def test_a_manager_emails_any_cashiers_invoice(client, manager, invoice):
    client.force_login(manager)
    assert post_json(client, invoice, {"to": "asha@example.com"}).json() == {
        "ok": True, "to": "asha@example.com", "email_id": OutboundEmail.objects.get().pk}


def test_staff_without_invoice_access_are_refused(client, invoice):
    client.force_login(factories.UserFactory(username="helper"))
    assert post_json(client, invoice, {"to": "asha@example.com"}).status_code == 403
    assert client.get(email_url(invoice)).status_code == 403
    assert not OutboundEmail.objects.exists()


def test_signed_out_visitors_are_sent_to_the_login_page(client, invoice):
    response = post_json(client, invoice, {"to": "asha@example.com"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not OutboundEmail.objects.exists()


def test_the_endpoint_needs_the_csrf_token(cashier, invoice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cashier)
    assert post_json(client, invoice, {"to": "asha@example.com"}).status_code == 403
    assert not OutboundEmail.objects.exists()
