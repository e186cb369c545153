import json
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.models import Customer
from sales.models import Invoice
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


def post(client, name, body):
    return client.post(reverse(f"admin:sales_counter_{name}"), json.dumps(body), content_type="application/json")


@pytest.fixture
def at_counter(client, cashier, shop):
    client.force_login(cashier)
    return client


def test_counter_page_opens_for_a_cashier_with_the_scan_box_focused(at_counter):
    html = at_counter.get(reverse("admin:sales_counter")).content.decode()
    assert 'id="scan"' in html and "autofocus" in html
    assert "F8" in html and "complete sale" in html


def test_counter_is_refused_to_staff_without_the_counter_permission(client, shop):
    client.force_login(factories.UserFactory(is_staff=True))
    assert client.get(reverse("admin:sales_counter")).status_code == 403
    assert client.get(reverse("admin:sales_counter_search"), {"q": "salt"}).status_code == 403


def test_scanning_a_barcode_finds_the_product_without_its_cost(at_counter, stocked):
    product = stocked("12", barcode="8901234567894", selling_price=D("45"), cost_price=D("33.17"))
    data = at_counter.get(reverse("admin:sales_counter_product"), {"code": "8901234567894"}).json()
    assert data["product"]["id"] == product.pk and data["product"]["on_hand"] == "12"
    assert "33.17" not in json.dumps(data)


def test_unknown_barcode_is_reported_on_the_scan_box(at_counter):
    response = at_counter.get(reverse("admin:sales_counter_product"), {"code": "0000000000000"})
    assert response.status_code == 404
    assert response.json()["errors"] == {"scan": ["No product has the code '0000000000000'."]}


def test_search_returns_at_most_ten_active_products_exact_code_first(at_counter, stocked):
    for n in range(15):
        stocked(name=f"Parle-G biscuit pack {n}")
    factories.ProductFactory(name="Parle-G discontinued", is_active=False)
    exact = stocked(name="Biscuit tin", sku="PARLE")
    results = at_counter.get(reverse("admin:sales_counter_search"), {"q": "parle"}).json()["results"]
    assert len(results) == 10
    assert results[0]["id"] == exact.pk
    assert all("discontinued" not in r["name"] for r in results)


def test_quote_gives_the_same_totals_as_checkout(at_counter, stocked):
    atta = stocked(selling_price=D("285"), tax_rate=factories.tax_rate("5"))
    coke = stocked(selling_price=D("45"), tax_rate=factories.tax_rate("40"))
    body = {"lines": [{"product_id": atta.pk, "quantity": "2", "discount": "10"},
                      {"product_id": coke.pk, "quantity": "3"}], "bill_discount": "5"}
    quote = post(at_counter, "quote", body).json()
    done = post(at_counter, "checkout", {**body, "idempotency_key": "b1",
                                         "payments": [{"method": "cash", "amount": "1000"}]}).json()
    invoice = Invoice.objects.get(pk=done["invoice"]["id"])
    assert D(quote["totals"]["grand_total"]) == invoice.grand_total
    assert D(quote["totals"]["taxable"]) == invoice.taxable_total
    assert D(quote["totals"]["cgst"]) == invoice.cgst_total


def test_quote_warns_at_the_line_when_stock_is_short(at_counter, stocked):
    scarce = stocked("2")
    data = post(at_counter, "quote", {"lines": [{"product_id": scarce.pk, "quantity": "3"}]}).json()
    assert data["warnings"] == {"line-0": ["Only 2 pcs in stock."]}


def test_checkout_answers_the_invoice_number_and_change(at_counter, stocked):
    product = stocked(selling_price=D("449"))
    data = post(at_counter, "checkout", {"idempotency_key": "k", "lines": [{"product_id": product.pk, "quantity": 1}],
                                         "payments": [{"method": "cash", "amount": "500"}]}).json()
    assert data["ok"] and data["invoice"]["number"].endswith("/00001")
    assert (data["invoice"]["grand_total_text"], data["invoice"]["change_text"]) == ("₹449.00", "₹51.00")


def test_a_double_click_makes_one_invoice(at_counter, stocked):
    product = stocked()
    body = {"idempotency_key": "same-bill", "lines": [{"product_id": product.pk, "quantity": 1}],
            "payments": [{"method": "cash", "amount": "200"}]}
    first, second = post(at_counter, "checkout", body).json(), post(at_counter, "checkout", body).json()
    assert first["invoice"]["id"] == second["invoice"]["id"] and Invoice.objects.count() == 1


def test_checkout_errors_come_back_keyed_by_what_is_wrong(at_counter, stocked):
    scarce = stocked("1", name="Amul Butter")
    response = post(at_counter, "checkout", {"idempotency_key": "e", "payments": [{"method": "cash", "amount": "999"}],
                                             "lines": [{"product_id": scarce.pk, "quantity": 2}]})
    assert response.status_code == 400
    assert response.json()["errors"] == {"line-0": ["Only 1 pcs of Amul Butter in Shop floor; this needs 2 pcs."]}


def test_discount_over_the_limit_asks_for_a_manager_and_a_wrong_password_is_refused(at_counter, stocked, manager):
    product = stocked(selling_price=D("100"))
    body = {"idempotency_key": "d", "lines": [{"product_id": product.pk, "quantity": 1, "discount": "30"}],
            "payments": [{"method": "cash", "amount": "70"}]}
    asked = post(at_counter, "checkout", body).json()
    assert asked["needs_approval"] and "manager must approve" in asked["errors"]["discount"][0]
    wrong = post(at_counter, "checkout", {**body, "approval": {"username": "manager", "password": "nope"}}).json()
    assert wrong["errors"] == {"approval": ["That manager name and password do not match."]}
    approved = post(at_counter, "checkout", {**body, "approval": {"username": "manager",
                                                                  "password": factories.PASSWORD}}).json()
    assert approved["ok"] and Invoice.objects.get().approved_by == manager


def test_customer_is_found_by_phone_or_added(at_counter):
    assert at_counter.get(reverse("admin:sales_counter_customer"), {"phone": "9876543210"}).status_code == 404
    created = post(at_counter, "customer", {"name": "Meena", "phone": "9876543210"})
    assert created.status_code == 201
    found = at_counter.get(reverse("admin:sales_counter_customer"), {"phone": "9876543210"}).json()
    assert found["customer"]["name"] == "Meena" and found["customer"]["balance"] == "0.00"


def test_a_bad_customer_is_refused_with_the_reason(at_counter):
    response = post(at_counter, "customer", {"name": "Firm", "phone": "12", "gstin": "27AAPFU0939F1ZX"})
    errors = response.json()["errors"]
    assert response.status_code == 400 and set(errors) == {"phone", "gstin"}
    assert not Customer.objects.exists()


def test_credit_sale_from_the_counter_needs_the_customer(at_counter, stocked):
    customer = factories.CustomerFactory(credit_limit=D("500"))
    product = stocked(selling_price=D("300"))
    body = {"idempotency_key": "c", "lines": [{"product_id": product.pk, "quantity": 1}],
            "payments": [{"method": "credit", "amount": "300"}]}
    assert "customer" in post(at_counter, "checkout", body).json()["errors"]
    done = post(at_counter, "checkout", {**body, "idempotency_key": "c2", "customer_id": customer.pk}).json()
    assert done["ok"] and done["invoice"]["balance_due_text"] == "₹300.00"
