"""Issue 8, high: a cashier raised a customer's credit limit and so approved their own credit sale.

Credit limit, state, GSTIN and the active flag belong to owners and managers; the service that both
the admin and the counter save through refuses them from anyone else.
"""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Warehouse
from catalog.services import StockChange, stock_add_opening
from ledger.models import Customer
from ledger.services import customer_create, customer_update
from sales.models import Invoice
from shop import roles
from shop.models import ShopProfile
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
OTHER_STATE_GSTIN = "29AAGCB7383J1Z4"  # a valid GSTIN of Karnataka (29); the shop is in Maharashtra (27)


@pytest.fixture
def shop(db):
    profile = ShopProfile.objects.get_profile()
    profile.state, profile.default_credit_limit = "27", D("200")
    profile.save()
    return profile


@pytest.fixture
def ravi(shop):
    return factories.CustomerFactory(name="Ravi", phone="9876500001", credit_limit=D("500"))


@pytest.fixture
def ghee(shop):
    product = factories.ProductFactory(name="Ghee 1 L", selling_price=D("3000"))
    stock_add_opening(entries=[StockChange(product, Warehouse.objects.get(is_default=True), D("10"))], user=None)
    return product


def counter(client, name: str, body: dict):
    return client.post(reverse(f"admin:sales_counter_{name}"), json.dumps(body), content_type="application/json")


def credit_sale(client, customer: Customer, product, key: str, approval: dict | None = None):
    body = {"idempotency_key": key, "customer_id": customer.pk, "lines": [{"product_id": product.pk, "quantity": 1}],
            "payments": [{"method": "credit", "amount": "3000"}]}
    return counter(client, "checkout", {**body, "approval": approval} if approval else body)


def change_form(customer: Customer, **changes) -> dict:
    """Return the POST of the admin's change form: every field as stored, then the changes."""
    data = {"name": customer.name, "phone": customer.phone, "email": customer.email, "gstin": customer.gstin,
            "state": customer.state, "address": customer.address, "credit_limit": str(customer.credit_limit),
            "is_active": "on" if customer.is_active else "", "notes": customer.notes, **changes}
    return {name: value for name, value in data.items() if not (name == "is_active" and not value)}


def change_url(customer: Customer) -> str:
    return reverse("admin:ledger_customer_change", args=[customer.pk])


def protected_values(customer: Customer) -> tuple:
    customer.refresh_from_db()
    return customer.credit_limit, customer.state, customer.gstin, customer.is_active


ATTACK = {"credit_limit": "1000000", "state": "29", "gstin": OTHER_STATE_GSTIN, "is_active": ""}


# --- the attack from the issue ----------------------------------------------------------------

def test_the_cashiers_raised_limit_no_longer_approves_their_own_credit_sale(client, cashier, ravi, ghee):
    client.force_login(cashier)
    assert credit_sale(client, ravi, ghee, "first").json()["needs_approval"]
    history = list(ravi.history.values_list("history_id", flat=True))

    client.post(change_url(ravi), change_form(ravi, **ATTACK))

    assert protected_values(ravi) == (D("500"), "", "", True)
    assert list(ravi.history.values_list("history_id", flat=True)) == history
    again = credit_sale(client, ravi, ghee, "again")
    assert again.status_code == 400 and again.json()["needs_approval"]
    assert not Invoice.objects.exists()


def test_the_credit_sale_still_passes_with_a_managers_approval(client, cashier, manager, ravi, ghee):
    client.force_login(cashier)
    client.post(change_url(ravi), change_form(ravi, credit_limit="1000000"))
    done = credit_sale(client, ravi, ghee, "k", approval={"username": "manager", "password": factories.PASSWORD})
    assert done.json()["ok"] and Invoice.objects.get().approved_by == manager


def test_a_manager_raises_the_limit_and_the_cashiers_credit_sale_passes(client, cashier, manager, ravi, ghee):
    client.force_login(manager)
    response = client.post(change_url(ravi), change_form(ravi, credit_limit="5000"))
    assert response.status_code == 302
    assert protected_values(ravi)[0] == D("5000")
    last = ravi.history.first()
    assert (last.credit_limit, last.history_user) == (D("5000"), manager)

    client.force_login(cashier)
    done = credit_sale(client, ravi, ghee, "k")
    assert done.json()["ok"] and Invoice.objects.get().approved_by is None


# --- the admin ---------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["credit_limit", "state", "gstin", "is_active"])
def test_the_cashiers_change_form_shows_protected_fields_read_only(client, cashier, ravi, field):
    client.force_login(cashier)
    html = client.get(change_url(ravi)).content.decode()
    assert f'name="{field}"' not in html
    assert 'name="name"' in html and 'name="_save"' in html


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owners_and_managers_edit_every_customer_field(client, role, ravi):
    client.force_login(getattr(factories, role)())
    html = client.get(change_url(ravi)).content.decode()
    assert all(f'name="{field}"' in html for field in ("credit_limit", "state", "gstin", "is_active"))


@pytest.mark.parametrize(("field", "value"), list(ATTACK.items()))
def test_a_cashiers_crafted_post_of_one_protected_field_changes_nothing(client, cashier, ravi, field, value):
    client.force_login(cashier)
    history = ravi.history.count()
    client.post(change_url(ravi), change_form(ravi, **{field: value}))
    assert protected_values(ravi) == (D("500"), "", "", True)
    assert ravi.history.count() == history


def test_a_cashier_fixes_name_phone_email_address_and_notes(client, cashier, ravi):
    client.force_login(cashier)
    fixed = {"name": "Ravi Kumar", "phone": "9876500002", "email": "ravi@example.com", "address": "Shop 4, MG Road",
             "notes": "Pays on Saturdays"}
    response = client.post(change_url(ravi), change_form(ravi, **fixed, credit_limit="1000000"))
    assert response.status_code == 302
    ravi.refresh_from_db()
    assert {name: getattr(ravi, name) for name in fixed} == fixed
    assert protected_values(ravi) == (D("500"), "", "", True)
    assert ravi.history.first().history_user == cashier


def test_a_cashier_adds_a_customer_in_the_admin_with_the_shops_default_limit(client, cashier, shop):
    client.force_login(cashier)
    data = {"name": "Meena", "phone": "9876500003", "email": "", "address": "", "notes": "", **ATTACK}
    response = client.post(reverse("admin:ledger_customer_add"), data)
    assert response.status_code == 302
    meena = Customer.objects.get(phone="9876500003")
    assert protected_values(meena) == (D("200"), "", "", True)
    assert meena.history.get().history_user == cashier


def test_the_add_form_starts_at_the_shops_default_limit(client, manager, shop):
    client.force_login(manager)
    form = client.get(reverse("admin:ledger_customer_add")).context["adminform"].form
    assert form["credit_limit"].value() == D("200")


def test_a_manager_adds_a_customer_with_a_limit_and_tax_details(client, manager, shop):
    client.force_login(manager)
    data = {"name": "Bharat Traders", "phone": "9876500004", "email": "", "address": "", "notes": "",
            "credit_limit": "25000", "state": "29", "gstin": OTHER_STATE_GSTIN.lower(), "is_active": "on"}
    assert client.post(reverse("admin:ledger_customer_add"), data).status_code == 302
    firm = Customer.objects.get(phone="9876500004")
    assert protected_values(firm) == (D("25000"), "29", OTHER_STATE_GSTIN, True)


def test_a_bad_value_from_a_manager_is_shown_on_the_form(client, manager, ravi):
    client.force_login(manager)
    response = client.post(change_url(ravi), change_form(ravi, gstin=OTHER_STATE_GSTIN, state="27"))
    assert response.status_code == 200
    assert "belongs to state 29" in str(response.context["adminform"].form.errors)
    assert protected_values(ravi) == (D("500"), "", "", True)


# --- the counter's add-customer box ------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "message"), [
    ("credit_limit", "1000000", "Only an owner or manager can set the credit limit."),
    ("credit_limit", 1000000, "Only an owner or manager can set the credit limit."),
    ("state", "29", "Only an owner or manager can set the state."),
    ("gstin", OTHER_STATE_GSTIN, "Only an owner or manager can set the GSTIN."),
])
def test_the_counter_refuses_protected_fields_from_a_cashier(client, cashier, shop, field, value, message):
    client.force_login(cashier)
    response = counter(client, "customer", {"name": "Meena", "phone": "9876500003", field: value})
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert not Customer.objects.exists()


def test_a_cashier_adds_a_customer_at_the_counter_with_the_shops_default_limit(client, cashier, shop):
    client.force_login(cashier)
    response = counter(client, "customer", {"name": "Meena", "phone": "9876500003", "gstin": "", "state": ""})
    assert response.status_code == 201
    assert response.json()["customer"]["credit_limit"] == "200.00"
    assert protected_values(Customer.objects.get()) == (D("200"), "", "", True)


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_an_owner_or_manager_sets_a_limit_at_the_counter(client, shop, role):
    client.force_login(getattr(factories, role)())
    response = counter(client, "customer", {"name": "Meena", "phone": "9876500003", "credit_limit": "7500"})
    assert response.status_code == 201
    assert Customer.objects.get().credit_limit == D("7500")


@pytest.mark.parametrize("limit", ["abc", "-5", "NaN", "1e400", 1e400, "9" * 400, [1], {"a": 1}])
def test_a_bad_limit_at_the_counter_is_refused_naming_the_field(client, manager, shop, limit):
    client.force_login(manager)
    body = json.dumps({"name": "Meena", "phone": "9876500003"})[:-1] + ', "credit_limit": ' + (
        "1e400" if limit == 1e400 else json.dumps(limit)) + "}"
    response = client.post(reverse("admin:sales_counter_customer"), body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"credit_limit"}
    assert not Customer.objects.exists()


def test_the_counter_shows_state_and_gstin_boxes_only_to_those_who_may_set_them(client, cashier, manager, shop):
    for user, shown in ((cashier, False), (manager, True)):
        client.force_login(user)
        html = client.get(reverse("admin:sales_counter")).content.decode()
        assert ('<select id="new-state">' in html) is shown
        assert ('<input id="new-gstin" type="text"' in html) is shown


def test_the_counter_shows_the_credit_limit_box_only_to_those_who_may_set_it(client, cashier, manager, owner, shop):
    for user, shown in ((cashier, False), (manager, True), (owner, True)):
        client.force_login(user)
        html = client.get(reverse("admin:sales_counter")).content.decode()
        assert ('id="new-credit-limit"' in html) is shown
        if shown:  # the shop's default limit, as a hint of what an empty box gives
            assert 'placeholder="200"' in html


# --- the service, by role ----------------------------------------------------------------------

ROLE_MAKERS = {"owner": factories.owner, "manager": factories.manager, "cashier": factories.cashier}
CREATE_CASES = [
    # field, value, stored as
    ("credit_limit", D("9000"), D("9000")),
    ("state", "29", "29"),
    ("gstin", OTHER_STATE_GSTIN, OTHER_STATE_GSTIN),
    ("is_active", False, False),
]


@pytest.mark.parametrize(("role", "may"), [("owner", True), ("manager", True), ("cashier", False)])
@pytest.mark.parametrize(("field", "value", "stored"), CREATE_CASES)
def test_customer_create_by_role(shop, role, may, field, value, stored):
    user = ROLE_MAKERS[role]()
    if may:
        customer = customer_create(user=user, name="Meena", phone="9876500003", **{field: value})
        assert getattr(customer, field) == stored
    else:
        with pytest.raises(ValidationError) as refused:
            customer_create(user=user, name="Meena", phone="9876500003", **{field: value})
        assert refused.value.message_dict == {field: [f"Only an owner or manager can {_verb(field)}."]}
        assert not Customer.objects.exists()


@pytest.mark.parametrize(("role", "may"), [("owner", True), ("manager", True), ("cashier", False)])
@pytest.mark.parametrize(("field", "value", "stored"), CREATE_CASES)
def test_customer_update_by_role(ravi, role, may, field, value, stored):
    user = ROLE_MAKERS[role]()
    history = ravi.history.count()
    if may:
        customer_update(customer=ravi, user=user, **{field: value})
        ravi.refresh_from_db()
        assert getattr(ravi, field) == stored
        assert ravi.history.first().history_user == user
    else:
        with pytest.raises(ValidationError) as refused:
            customer_update(customer=ravi, user=user, **{field: value})
        assert refused.value.message_dict == {field: [f"Only an owner or manager can {_verb(field)}."]}
        assert protected_values(ravi) == (D("500"), "", "", True)
        assert ravi.history.count() == history


def _verb(field: str) -> str:
    return {"credit_limit": "set the credit limit", "state": "set the state", "gstin": "set the GSTIN",
            "is_active": "deactivate or reactivate a customer"}[field]


@pytest.mark.parametrize("role", ["owner", "manager", "cashier"])
def test_anyone_who_may_change_customers_fixes_the_contact_fields(ravi, role):
    user = ROLE_MAKERS[role]()
    customer_update(customer=ravi, user=user, name=" Ravi Kumar ", phone="9876500002", email="ravi@example.com",
                    address="MG Road", notes="Regular")
    ravi.refresh_from_db()
    assert (ravi.name, ravi.phone, ravi.email, ravi.address, ravi.notes) == (
        "Ravi Kumar", "9876500002", "ravi@example.com", "MG Road", "Regular")


def test_a_cashier_may_send_protected_fields_unchanged(ravi, cashier):
    customer_update(customer=ravi, user=cashier, name="Ravi K", credit_limit=D("500.00"), state="", gstin="",
                    is_active=True)
    ravi.refresh_from_db()
    assert ravi.name == "Ravi K"


def test_the_stored_row_not_the_instance_passed_in_is_what_a_change_is_judged_against(ravi, cashier):
    ravi.credit_limit = D("1000000")  # changed in memory, as the admin's form does before saving
    with pytest.raises(ValidationError, match="credit limit"):
        customer_update(customer=ravi, user=cashier, credit_limit=D("1000000"))
    assert protected_values(ravi)[0] == D("500")


def test_a_cashier_may_not_give_the_default_limit_to_a_customer_with_another(ravi, cashier, shop):
    with pytest.raises(ValidationError, match="credit limit"):
        customer_update(customer=ravi, user=cashier, credit_limit=shop.default_credit_limit)


def test_a_refusal_and_a_bad_value_are_reported_together(shop, cashier):
    with pytest.raises(ValidationError) as refused:
        customer_create(user=cashier, name="Meena", phone="12", credit_limit="1000000")
    assert set(refused.value.message_dict) == {"phone", "credit_limit"}


def test_customer_create_gives_the_shops_default_limit_to_everyone(shop, owner):
    assert customer_create(user=owner, name="Meena").credit_limit == D("200")


def test_an_update_that_changes_nothing_writes_no_history(ravi, manager):
    history = ravi.history.count()
    customer_update(customer=ravi, user=manager, name="Ravi", credit_limit="500")
    assert ravi.history.count() == history


def test_an_unknown_field_is_a_programming_error(ravi, manager):
    with pytest.raises(TypeError, match="created_at"):
        customer_update(customer=ravi, user=manager, created_at=None)


# --- the roles ---------------------------------------------------------------------------------

def test_owners_and_managers_hold_the_credit_permission_and_cashiers_do_not():
    holders = set(Group.objects.filter(permissions__codename="manage_customer_credit",
                                       permissions__content_type__app_label="ledger").values_list("name", flat=True))
    assert holders == {roles.OWNER, roles.MANAGER}


def test_the_admin_form_shows_the_services_refusal_when_it_carries_a_protected_field(rf, manager, cashier, ravi):
    """Defence in depth: were a protected field ever editable for a cashier, the form still refuses it."""
    from django.contrib import admin

    request = rf.get("/")
    request.user = manager
    form_class = admin.site._registry[Customer].get_form(request, ravi, change=True)
    form_class.user = cashier
    form = form_class(change_form(ravi, credit_limit="1000000"), instance=ravi)
    assert form.errors == {"credit_limit": ["Only an owner or manager can set the credit limit."]}


def test_a_stored_value_the_cashier_cannot_fix_is_reported_on_the_form_not_as_a_crash(client, cashier, ravi):
    Customer.objects.filter(pk=ravi.pk).update(credit_limit=D("-1"))  # a row written around the validators
    client.force_login(cashier)
    response = client.post(change_url(ravi), change_form(ravi, name="Ravi Kumar"))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Credit limit: Ensure this value is greater than or equal to 0."]
    assert Customer.objects.get(pk=ravi.pk).name == "Ravi"
