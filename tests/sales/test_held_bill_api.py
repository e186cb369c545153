"""Held bills at the counter, the JSON endpoints: hold, list, resume, discard; per cashier; bad input named."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from sales.models import HeldBill
from tests import factories
from tests.sales.counter_client import post
from tests.sales.writes import sales_state

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def soap(stocked):
    return stocked("10", name="Lux soap", selling_price=D("40"), cost_price=D("33.17"))


def bill(product, **fields) -> dict:
    return {"lines": [{"product_id": product.pk, "quantity": "2", "discount": "5"}], "bill_discount": "0",
            "payments": [], **fields}


def held_list(client) -> list[dict]:
    return client.get(reverse("admin:sales_counter_held")).json()["held"]


def test_hold_answers_201_with_the_cashiers_held_bills(at_counter, soap):
    response = post(at_counter, "hold", bill(soap))
    assert response.status_code == 201
    [held] = response.json()["held"]
    assert held["label"] == "Lux soap" and held["items"] == 1 and len(held["time"]) == 5


def test_held_bills_are_listed_again_after_a_reload(at_counter, soap):
    post(at_counter, "hold", bill(soap))
    assert [held["label"] for held in held_list(at_counter)] == ["Lux soap"]


def test_resume_returns_the_cart_with_todays_product_facts_and_no_cost(at_counter, soap):
    meena = factories.CustomerFactory(name="Meena", phone="9876543210")
    post(at_counter, "hold", bill(soap, customer_id=meena.pk, bill_discount="3.50",
                                  payments=[{"method": "cash", "amount": "20", "reference": ""}]))
    soap.selling_price = D("45")  # the price changed while the bill was held
    soap.save()
    held_id = HeldBill.objects.get().pk
    response = post(at_counter, "resume", {"id": held_id})
    assert response.status_code == 200
    data = response.json()
    assert data["held"] == []
    resumed = data["bill"]
    assert [(li["product"]["id"], li["product"]["price"], li["quantity"], li["discount"])
            for li in resumed["lines"]] == [(soap.pk, "45.00", "2", "5")]
    assert resumed["customer"]["name"] == "Meena" and resumed["bill_discount"] == "3.5"
    assert resumed["payments"] == [{"method": "cash", "amount": "20", "reference": ""}]
    assert "33.17" not in json.dumps(data)


@pytest.mark.parametrize("endpoint", ["resume", "discard"])
def test_another_cashiers_held_bill_answers_404_and_stays(client, shop, soap, manager, endpoint):
    other = factories.UserFactory(username="cashier2", role="Cashier")
    client.force_login(other)
    post(client, "hold", bill(soap))
    held_id = HeldBill.objects.get().pk
    for user in (factories.cashier(), manager):
        client.force_login(user)
        response = post(client, endpoint, {"id": held_id})
        assert response.status_code == 404
        assert "no such bill" in response.json()["errors"]["held"][0]
        assert held_list(client) == []
    assert HeldBill.objects.filter(pk=held_id).exists()


def test_discard_removes_the_held_bill_from_the_list(at_counter, soap):
    post(at_counter, "hold", bill(soap))
    response = post(at_counter, "discard", {"id": HeldBill.objects.get().pk})
    assert response.status_code == 200 and response.json()["held"] == []
    assert not HeldBill.objects.exists()


@pytest.mark.parametrize(("endpoint", "body", "field"), [
    ("hold", {"lines": []}, "lines"),
    ("hold", {"lines": [{"product_id": "x", "quantity": "1"}]}, "lines[0].product_id"),
    ("hold", {"lines": [{"product_id": 1, "quantity": "1e400"}]}, "lines[0].quantity"),
    ("hold", {"lines": [{"product_id": 1, "quantity": "0"}]}, "lines[0].quantity"),
    ("hold", {"lines": [{"product_id": 999999, "quantity": "1"}]}, "lines[0].product_id"),
    ("hold", {"lines": [{"product_id": 1, "quantity": "1"}], "customer_id": 999999}, "customer_id"),
    ("hold", {"lines": [{"product_id": 1, "quantity": "1"}], "bill_discount": "NaN"}, "bill_discount"),
    ("hold", {"lines": [{"product_id": 1, "quantity": "1"}], "payments": [{"method": "gold", "amount": "1"}]},
     "payments[0].method"),
    ("hold", {"lines": [{"product_id": 1, "quantity": "1"}], "payments": [{"method": "cash", "amount": "-1"}]},
     "payments[0].amount"),
    ("hold", [], "__all__"),
    ("resume", {}, "id"),
    ("resume", {"id": "1"}, "id"),
    ("resume", {"id": 0}, "id"),
    ("discard", {"id": True}, "id"),
    ("discard", {"id": 10**30}, "id"),
])
def test_bad_input_answers_400_naming_the_field_and_changes_nothing(at_counter, soap, endpoint, body, field):
    body = json.loads(json.dumps(body).replace('"product_id": 1,', f'"product_id": {soap.pk},'))
    post(at_counter, "hold", bill(soap))
    before = sales_state()
    response = post(at_counter, endpoint, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert sales_state() == before


def test_held_bill_endpoints_are_refused_without_the_counter_permission(client, shop, soap):
    client.force_login(factories.UserFactory(is_staff=True))
    assert client.get(reverse("admin:sales_counter_held")).status_code == 403
    assert post(client, "hold", bill(soap)).status_code == 403
    assert not HeldBill.objects.exists()


def test_the_counter_page_has_the_hold_button_and_the_held_bill_urls(at_counter):
    html = at_counter.get(reverse("admin:sales_counter")).content.decode()
    assert 'id="hold"' in html and "F6" in html
    assert reverse("admin:sales_counter_resume") in html


def test_the_coupon_applied_is_held_with_the_bill_and_restored_on_resume(at_counter, soap):
    post(at_counter, "hold", bill(soap, coupon_code="diwali20"))
    response = post(at_counter, "resume", {"id": HeldBill.objects.get().pk})
    assert response.json()["bill"]["coupon_code"] == "DIWALI20"
