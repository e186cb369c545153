"""Malformed input at the counter's endpoints: a 400 naming the field, never a 500, and nothing written.

Each row is one of the requests that answered 500 when the shop was probed (issue 8), or its close kin.
"""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledger.models import Customer
from sales.models import Invoice
from sales.services import checkout
from shop.jsonbody import MAX_BODY_BYTES
from tests import factories
from tests.sales.junk import Raw, path_name, replaced, to_json
from tests.sales.writes import sales_state

pytestmark = pytest.mark.django_db
D = Decimal
DIGITS_400 = "9" * 400


@pytest.fixture
def soap(stocked):
    return stocked("10", name="Lux soap", selling_price=D("100"))


@pytest.fixture
def customer(db):
    return factories.CustomerFactory(name="Meena", phone="9876543210", email="meena@example.com")


def send(client, name: str, body: str | bytes):
    return client.post(reverse(f"admin:sales_counter_{name}"), body, content_type="application/json")


def good_bill(product_id: int) -> dict:
    return {"idempotency_key": "k-1", "lines": [{"product_id": product_id, "quantity": "1", "discount": "0"}],
            "payments": [{"method": "cash", "amount": "100", "reference": ""}], "customer_id": None,
            "bill_discount": "0", "approval": {"username": "", "password": ""}}


CHECKOUT_REFUSALS = [  # (path, value put there, id)
    (("lines", 0, "quantity"), Raw("NaN"), "quantity-NaN"),
    (("lines", 0, "quantity"), Raw("Infinity"), "quantity-Infinity"),
    (("lines", 0, "quantity"), Raw("-Infinity"), "quantity-minus-Infinity"),
    (("lines", 0, "quantity"), Raw("1e400"), "quantity-1e400"),
    (("lines", 0, "quantity"), Raw(DIGITS_400), "quantity-400-digits"),
    (("lines", 0, "quantity"), "NaN", "quantity-NaN-as-text"),
    (("lines", 0, "quantity"), Raw("0.0001"), "quantity-4-decimals"),
    (("lines", 0, "quantity"), True, "quantity-boolean"),
    (("lines", 0, "quantity"), [1], "quantity-a-list"),
    (("lines", 0, "discount"), Raw("1e400"), "discount-1e400"),
    (("lines", 0, "discount"), "1,2,3", "discount-bad-grouping"),
    (("bill_discount",), Raw("Infinity"), "bill-discount-Infinity"),
    (("lines",), "1 soap", "lines-a-string"),
    (("lines", 0), None, "lines-null-item"),
    (("lines", 0), 1, "lines-number-item"),
    (("lines", 0, "product_id"), "abc", "product-id-text"),
    (("lines", 0, "product_id"), True, "product-id-boolean"),
    (("lines", 0, "product_id"), Raw(DIGITS_400), "product-id-400-digits"),
    (("payments", 0, "amount"), Raw("NaN"), "amount-NaN"),
    (("payments", 0, "amount"), Raw("1e400"), "amount-1e400"),
    (("payments", 0, "amount"), Raw(DIGITS_400), "amount-400-digits"),
    (("payments", 0, "amount"), Raw("1e20"), "cash-1e20"),
    (("payments",), "cash", "payments-a-string"),
    (("payments", 0), None, "payments-null-item"),
    (("payments", 0), ["cash", 100], "payments-not-objects"),
    (("payments", 0, "method"), ["cash"], "method-a-list"),
    (("payments", 0, "method"), "bitcoin", "method-unknown"),
    (("payments", 0, "reference"), "4123\x00", "reference-NUL"),
    (("customer_id",), [1], "customer-id-a-list"),
    (("customer_id",), "1", "customer-id-text"),
    (("approval",), "manager:secret", "approval-a-string"),
    (("approval", "password"), 1234, "password-an-integer"),
    (("approval", "username"), ["manager"], "username-a-list"),
    (("idempotency_key",), {"k": 1}, "key-an-object"),
    (("idempotency_key",), "k" * 65, "key-too-long"),
]


@pytest.mark.parametrize(("path", "value"), [pytest.param(path, value, id=name)
                                             for path, value, name in CHECKOUT_REFUSALS])
def test_malformed_checkout_is_a_400_naming_the_field_and_writes_nothing(at_counter, soap, path, value):
    before = sales_state()
    response = send(at_counter, "checkout", to_json(replaced(good_bill(soap.pk), path, value)))
    assert response.status_code == 400, response.content[:300]
    assert path_name(path) in response.json()["errors"], response.json()
    assert sales_state() == before


@pytest.mark.parametrize("body", [
    pytest.param("[{}]", id="body-a-list"),
    pytest.param("{'lines': []}", id="body-not-json"),
    pytest.param("[" * 100_000 + "]" * 100_000, id="body-100000-deep"),
    pytest.param(to_json({"lines": [], "pad": "x" * MAX_BODY_BYTES}), id="body-too-big"),
    pytest.param(b'{"lines": "\xff"}', id="body-not-utf8"),
])
@pytest.mark.parametrize("endpoint", ["checkout", "quote", "customer", "confirm_upi"])
def test_a_body_that_is_no_json_object_is_a_400_and_writes_nothing(at_counter, endpoint, body):
    before = sales_state()
    response = send(at_counter, endpoint, body)
    assert response.status_code == 400 and "__all__" in response.json()["errors"], response.content[:300]
    assert sales_state() == before


@pytest.mark.parametrize(("path", "value"), [
    pytest.param(("lines", 0, "quantity"), Raw("NaN"), id="quantity-NaN"),
    pytest.param(("lines", 0, "quantity"), Raw("1e400"), id="quantity-1e400"),
    pytest.param(("lines",), "soap", id="lines-a-string"),
    pytest.param(("lines", 0), None, id="lines-null-item"),
    pytest.param(("customer_id",), [1], id="customer-id-a-list"),
    pytest.param(("bill_discount",), "Infinity", id="bill-discount-Infinity"),
])
def test_malformed_quote_is_a_400_naming_the_field(at_counter, soap, path, value):
    response = send(at_counter, "quote", to_json(replaced(good_bill(soap.pk), path, value)))
    assert response.status_code == 400 and path_name(path) in response.json()["errors"], response.content[:300]


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"name": "Meena\u202e", "phone": "9876543210"}, "name", id="name-bidi-override"),
    pytest.param({"name": "Mee\x00na", "phone": "9876543210"}, "name", id="name-NUL"),
    pytest.param({"name": "Meena\u2066", "phone": "9876543210"}, "name", id="name-bidi-isolate"),
    pytest.param({"name": 42, "phone": "9876543210"}, "name", id="name-a-number"),
    pytest.param({"name": "M" * 131_072, "phone": "9876543210"}, "name", id="name-131072-characters"),
    pytest.param({"name": "Meena", "phone": ["9876543210"]}, "phone", id="phone-a-list"),
    pytest.param({"name": "Meena", "email": {"to": "x"}}, "email", id="email-an-object"),
    pytest.param({"name": "Meena", "gstin": "27AAPFU0939F1ZV\x00"}, "gstin", id="gstin-NUL"),
])
def test_malformed_new_customer_is_a_400_naming_the_field_and_adds_no_one(at_counter, body, field):
    response = send(at_counter, "customer", json.dumps(body))
    assert response.status_code == 400 and field in response.json()["errors"], response.content[:300]
    assert not Customer.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"invoice_id": "1", "utr": "412345678901"}, "invoice_id", id="invoice-id-text"),
    pytest.param({"invoice_id": [1], "utr": "412345678901"}, "invoice_id", id="invoice-id-a-list"),
    pytest.param({"utr": "412345678901"}, "invoice_id", id="invoice-id-missing"),
    pytest.param({"invoice_id": 1, "utr": 412345678901}, "utr", id="utr-a-number"),
    pytest.param({"invoice_id": 1, "utr": "4123\u202e45678901"}, "utr", id="utr-bidi"),
])
def test_malformed_upi_confirmation_is_a_400_naming_the_field(at_counter, body, field):
    response = send(at_counter, "confirm_upi", json.dumps(body))
    assert response.status_code == 400 and field in response.json()["errors"], response.content[:300]


@pytest.mark.parametrize(("name", "params", "status", "field"), [
    pytest.param("product", {"code": "890\x00123"}, 400, "code", id="code-NUL"),
    pytest.param("product", {"code": "8" * 10_000}, 400, "code", id="code-huge"),
    pytest.param("product", {"code": ""}, 404, "scan", id="code-empty"),
    pytest.param("product", {"code": "8901", "page": "abc"}, 404, "scan", id="code-with-page-abc"),
    pytest.param("search", {"q": "so\x00ap"}, 400, "q", id="q-NUL"),
    pytest.param("search", {"q": "soap\u202e"}, 400, "q", id="q-bidi"),
    pytest.param("search", {"q": "s" * 10_000}, 400, "q", id="q-huge"),
    pytest.param("customer", {"phone": "98765\x0043210"}, 400, "phone", id="phone-NUL"),
    pytest.param("customer", {"phone": "9" * 10_000}, 400, "phone", id="phone-huge"),
])
def test_odd_query_values_at_the_counter_are_refused_naming_the_parameter(at_counter, name, params, status, field):
    response = at_counter.get(reverse(f"admin:sales_counter_{name}"), params)
    assert response.status_code == status and field in response.json()["errors"], response.content[:300]


def test_search_ignores_an_unknown_page_parameter(at_counter, soap):
    response = at_counter.get(reverse("admin:sales_counter_search"), {"q": "lux", "page": "abc"})
    assert response.status_code == 200 and [p["id"] for p in response.json()["results"]] == [soap.pk]


def test_well_formed_numbers_in_any_json_spelling_still_sell(at_counter, soap):
    body = replaced(replaced(good_bill(soap.pk), ("lines", 0, "quantity"), Raw("1.000")),
                    ("payments", 0, "amount"), Raw("1e2"))
    response = send(at_counter, "checkout", to_json(body))
    assert response.status_code == 200, response.content[:300]
    assert Invoice.objects.get().grand_total == D("100")


# ---------- cash tendered has an upper bound ----------

@pytest.mark.parametrize(("cash", "accepted"), [
    ("2100", True),  # a ₹2,000 note for a ₹100 bill
    ("1000", True),  # ten times the bill
    ("2100.01", False),
    ("99999", False),
    ("1e20", False),
])
def test_cash_far_beyond_the_bill_is_refused_on_its_payment_field(shop, soap, cashier, cash, accepted):
    lines = [{"product": soap, "quantity": D("1")}]
    payments = [{"method": "card", "amount": D("0")}, {"method": "cash", "amount": cash}]
    before = sales_state()
    if accepted:
        assert checkout(cashier=cashier, lines=lines, payments=payments).change_given == D(cash) - 100
        return
    with pytest.raises(ValidationError) as refused:
        checkout(cashier=cashier, lines=lines, payments=payments)
    assert list(refused.value.message_dict) == ["payments[1].amount"]
    assert sales_state() == before


def test_cash_split_over_several_entries_is_bounded_as_a_whole(shop, soap, cashier):
    with pytest.raises(ValidationError) as refused:
        checkout(cashier=cashier, lines=[{"product": soap, "quantity": D("1")}],
                 payments=[{"method": "cash", "amount": D("2000")}, {"method": "cash", "amount": D("2000")}])
    assert list(refused.value.message_dict) == ["payments[1].amount"]


def test_counter_refuses_implausible_cash_and_stores_nothing(at_counter, soap):
    before = sales_state()
    response = send(at_counter, "checkout", to_json(replaced(good_bill(soap.pk), ("payments", 0, "amount"), "50000")))
    assert response.status_code == 400
    assert "more than a customer hands over" in response.json()["errors"]["payments[0].amount"][0]
    assert sales_state() == before


def test_a_bill_too_large_for_the_books_is_refused_before_anything_is_written(shop, stocked, cashier):
    shop.allow_negative_stock = True
    shop.save()
    fridge = stocked("1", selling_price=D("999999"))
    before = sales_state()
    with pytest.raises(ValidationError) as refused:
        checkout(cashier=cashier, lines=[{"product": fridge, "quantity": D("1999998")}],  # ₹2 lakh crore
                 payments=[{"method": "cash", "amount": D("999999999999")}] * 2)
    assert "split it" in refused.value.message_dict["lines"][0]
    assert sales_state() == before


# ---------- an idempotency key belongs to its cashier ----------

def test_another_cashiers_idempotency_key_is_refused_without_the_first_bill(client, shop, soap, cashier, customer):
    body = to_json(replaced(good_bill(soap.pk), ("customer_id",), customer.pk))
    client.force_login(cashier)
    first = send(client, "checkout", body).json()["invoice"]
    client.force_login(factories.UserFactory(username="cashier2", role="Cashier"))
    before = sales_state()
    response = send(client, "checkout", body)
    assert response.status_code == 400 and list(response.json()["errors"]) == ["idempotency_key"]
    text = response.content.decode()
    assert customer.phone not in text and customer.email not in text and first["number"] not in text
    assert sales_state() == before


def test_checkout_service_refuses_a_key_used_by_another_user(shop, soap, cashier, manager):
    lines, payments = [{"product": soap, "quantity": D("1")}], [{"method": "cash", "amount": D("100")}]
    checkout(cashier=cashier, lines=lines, payments=payments, idempotency_key="shared")
    with pytest.raises(ValidationError) as refused:
        checkout(cashier=manager, lines=lines, payments=payments, idempotency_key="shared")
    assert list(refused.value.message_dict) == ["idempotency_key"]
    assert Invoice.objects.count() == 1


def test_the_same_cashier_retrying_still_gets_the_first_invoice(at_counter, soap):
    body = to_json(good_bill(soap.pk))
    first, again = send(at_counter, "checkout", body).json(), send(at_counter, "checkout", body).json()
    assert again["ok"] and again["invoice"]["id"] == first["invoice"]["id"] and Invoice.objects.count() == 1
