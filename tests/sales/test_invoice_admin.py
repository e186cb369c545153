from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sales.models import Invoice
from sales.services import checkout
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


def sale(cashier, product, method="cash") -> Invoice:
    return checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                    payments=[{"method": method, "amount": product.selling_price}])


def listed(client, **params) -> set[str]:
    response = client.get(reverse("admin:sales_invoice_changelist"), params)
    return {invoice.number for invoice in response.context["cl"].result_list}


def test_cashier_sees_only_their_own_invoices_of_the_last_seven_days(client, shop, stocked, cashier, manager):
    product = stocked()
    mine, theirs, old = sale(cashier, product), sale(manager, product), sale(cashier, product)
    Invoice.objects.filter(pk=old.pk).update(issued_at=timezone.now() - timedelta(days=8))
    client.force_login(cashier)
    assert listed(client) == {mine.number}
    assert client.get(reverse("admin:sales_invoice_change", args=[theirs.pk])).status_code == 302  # not found
    client.force_login(manager)
    assert listed(client) == {mine.number, theirs.number, old.number}


def test_invoices_filter_by_payment_method_and_search_by_phone(client, shop, stocked, owner):
    product = stocked(selling_price=D("50"))
    customer = factories.CustomerFactory(phone="9988776655")
    by_card = sale(owner, product, "card")
    sale(owner, product, "cash")
    with_customer = checkout(cashier=owner, customer=customer, lines=[{"product": product, "quantity": D("1")}],
                             payments=[{"method": "cash", "amount": D("50")}])
    client.force_login(owner)
    assert listed(client, paid_by="card") == {by_card.number}
    assert listed(client, q="9988776655") == {with_customer.number}


def test_invoice_page_shows_lines_and_payments_read_only(client, shop, stocked, owner):
    invoice = sale(owner, stocked(name="Fortune Oil 1 l", selling_price=D("155")))
    client.force_login(owner)
    html = client.get(reverse("admin:sales_invoice_change", args=[invoice.pk])).content.decode()
    assert "Fortune Oil 1 l" in html and "₹155.00" in html
    assert 'name="_save"' not in html
    assert f"/admin/sales/invoice/{invoice.pk}/cancel_invoice/" in html  # the "Cancel invoice" button


def test_manager_cancels_an_invoice_with_a_reason(client, shop, stocked, cashier, manager):
    invoice = sale(cashier, stocked())
    client.force_login(manager)
    button = client.get(f"/admin/sales/invoice/{invoice.pk}/cancel_invoice/")
    assert button["Location"] == reverse("admin:sales_invoice_cancel", args=[invoice.pk])
    assert "Cancel the invoice" in client.get(button["Location"]).content.decode()
    response = client.post(button["Location"], {"reason": "Wrong customer"})
    assert response["Location"] == reverse("admin:sales_invoice_change", args=[invoice.pk])
    invoice.refresh_from_db()
    assert (invoice.status, invoice.cancel_reason) == ("cancelled", "Wrong customer")


def test_cashier_may_not_cancel(client, shop, stocked, cashier):
    invoice = sale(cashier, stocked())
    client.force_login(cashier)
    assert client.get(reverse("admin:sales_invoice_cancel", args=[invoice.pk])).status_code == 403
    html = client.get(reverse("admin:sales_invoice_change", args=[invoice.pk])).content.decode()
    assert "cancel_invoice/" not in html


def test_invoices_are_never_added_edited_or_deleted_in_the_admin(client, shop, stocked, owner):
    invoice = sale(owner, stocked())
    client.force_login(owner)
    assert client.get(reverse("admin:sales_invoice_add")).status_code == 403
    assert client.get(reverse("admin:sales_invoice_delete", args=[invoice.pk])).status_code == 403
    client.post(reverse("admin:sales_invoice_change", args=[invoice.pk]), {"notes": "edited"})
    invoice.refresh_from_db()
    assert invoice.notes == ""
