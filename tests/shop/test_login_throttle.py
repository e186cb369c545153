"""Passwords cannot be guessed: lockouts at the admin login and the counter's approval box, the owner's
unlock, and idle sessions that end unless the counter page keeps them alive."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Warehouse
from catalog.services import StockChange, stock_add_opening
from sales.models import Invoice
from shop.signin import client_ip_address
from tests import factories
from tests.shop.test_settings import PRODUCTION, settings_in

pytestmark = pytest.mark.django_db

LOCKED_OUT = "Too many failed sign-ins for this account or address; try again in 15 minutes or ask the owner"


def sign_in(client, username, password, address="10.0.0.7"):
    return client.post(reverse("admin:login"), {"username": username, "password": password,
                                                "next": reverse("admin:index")}, REMOTE_ADDR=address)


def fail(client, times, username="cashier", address="10.0.0.7"):
    for _attempt in range(times):
        sign_in(client, username, "wrong-guess", address)


def signed_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, cashier):
    fail(client, 4)
    fifth = sign_in(client, "cashier", "wrong-guess")
    assert fifth.status_code == 429 and LOCKED_OUT in fifth.content.decode()
    right = sign_in(client, "cashier", factories.PASSWORD)
    html = right.content.decode()
    assert right.status_code == 429 and LOCKED_OUT in html
    assert 'id="login-form"' in html and "Galla" in html  # the unfold login page, not a bare text answer
    assert "Please enter the correct username" not in html
    assert signed_in_as(client) is None


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client, cashier):
    fail(client, 4)
    assert sign_in(client, "cashier", factories.PASSWORD).status_code == 302
    assert signed_in_as(client) == str(cashier.pk)


def test_a_successful_sign_in_resets_the_count(client, cashier):
    fail(client, 4)
    assert sign_in(client, "cashier", factories.PASSWORD).status_code == 302
    client.logout()
    fail(client, 4)
    assert sign_in(client, "cashier", factories.PASSWORD).status_code == 302


def test_a_locked_account_is_refused_from_any_address(client, cashier):
    fail(client, 5, address="10.0.0.7")
    assert sign_in(client, "cashier", factories.PASSWORD, address="10.9.9.9").status_code == 429


def test_a_locked_address_refuses_every_username_from_it(client, owner):
    for n in range(5):
        sign_in(client, f"guess{n}", "wrong-guess", address="203.0.113.5")
    refused = sign_in(client, "owner", factories.PASSWORD, address="203.0.113.5")
    assert refused.status_code == 429 and LOCKED_OUT in refused.content.decode()
    assert sign_in(Client(), "owner", factories.PASSWORD, address="198.51.100.1").status_code == 302


def test_sign_in_works_again_after_the_cool_off(client, cashier):
    fail(client, 5)
    assert sign_in(client, "cashier", factories.PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert sign_in(client, "cashier", factories.PASSWORD).status_code == 302
    assert signed_in_as(client) == str(cashier.pk)


def unlock(client, *users):
    return client.post(reverse("admin:shop_user_changelist"),
                       {"action": "unlock_sign_in", "_selected_action": [u.pk for u in users]})


def test_the_owners_unlock_action_lets_the_user_in_at_once(client, cashier, owner):
    fail(client, 5)
    as_owner = Client()
    as_owner.force_login(owner)
    assert unlock(as_owner, cashier).status_code == 302
    assert sign_in(client, "cashier", factories.PASSWORD).status_code == 302
    assert signed_in_as(client) == str(cashier.pk)


def test_a_manager_cannot_run_the_unlock_action(client, cashier, manager):
    fail(client, 5)
    as_manager = Client()
    as_manager.force_login(manager)
    assert unlock(as_manager, cashier).status_code == 403
    assert sign_in(client, "cashier", factories.PASSWORD).status_code == 429


def user_list(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("admin:shop_user_changelist")).content.decode()
    return html, len(queries)


def test_user_list_marks_locked_users_without_a_query_per_user(client, owner, cashier, manager):
    client.force_login(owner)
    _html, queries_before = user_list(client)
    fail(Client(), 5, username="cashier")
    for n in range(5):
        factories.UserFactory(username=f"extra{n}")
    html, queries_after = user_list(client)
    assert queries_after == queries_before
    rows = {name: html[html.index(f">{name}<"):][:3000] for name in ("cashier", "manager")}
    assert "Locked" in rows["cashier"].split("</tr>")[0]
    assert "Locked" not in rows["manager"].split("</tr>")[0]


# --- the counter's manager-approval box ------------------------------------------------------------

@pytest.fixture
def discounted_bill(db):
    product = factories.ProductFactory(selling_price=Decimal("100"))
    stock_add_opening(entries=[StockChange(product, Warehouse.objects.get(is_default=True), Decimal("10"))],
                      user=None)
    return {"idempotency_key": "approval-throttle", "payments": [{"method": "cash", "amount": "70"}],
            "lines": [{"product_id": product.pk, "quantity": 1, "discount": "30"}]}


def checkout_approved_by(client, bill, password):
    return client.post(reverse("admin:sales_counter_checkout"),
                       json.dumps({**bill, "approval": {"username": "manager", "password": password}}),
                       content_type="application/json", REMOTE_ADDR="10.0.0.8")


def test_the_approval_box_locks_out_after_the_limit_and_then_refuses_the_right_password(
        client, cashier, manager, discounted_bill):
    client.force_login(cashier)
    for _attempt in range(4):
        wrong = checkout_approved_by(client, discounted_bill, "wrong-guess")
        assert wrong.json()["errors"] == {"approval": ["That manager name and password do not match."]}
    fifth = checkout_approved_by(client, discounted_bill, "wrong-guess")
    assert fifth.status_code == 400 and fifth.json()["errors"]["approval"][0].startswith(LOCKED_OUT)
    right = checkout_approved_by(client, discounted_bill, factories.PASSWORD)
    assert right.status_code == 400 and right.json()["errors"]["approval"][0].startswith(LOCKED_OUT)
    assert not Invoice.objects.exists()
    assert sign_in(Client(), "manager", factories.PASSWORD, address="10.1.1.1").status_code == 429


def test_the_approval_box_still_accepts_a_managers_right_password(client, cashier, manager, discounted_bill):
    client.force_login(cashier)
    checkout_approved_by(client, discounted_bill, "wrong-guess")
    approved = checkout_approved_by(client, discounted_bill, factories.PASSWORD)
    assert approved.status_code == 200 and Invoice.objects.get().approved_by == manager


def test_an_overlong_approver_name_is_a_field_error_not_a_server_error(client, cashier, discounted_bill):
    client.force_login(cashier)
    response = client.post(reverse("admin:sales_counter_checkout"),
                           json.dumps({**discounted_bill, "approval": {"username": "m" * 300, "password": "x"}}),
                           content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["approval.username"]


# --- where a sign-in comes from ------------------------------------------------------------------

@pytest.mark.parametrize(("behind_proxy", "forwarded", "expected"), [
    (False, "", "10.0.0.2"),
    (False, "1.2.3.4", "10.0.0.2"),  # a header nobody vouches for is ignored
    (True, "1.2.3.4", "1.2.3.4"),
    (True, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the proxy appends; the left part is the client's own typing
    (True, "not-an-address", "10.0.0.2"),
    (True, "", "10.0.0.2"),
])
def test_client_address_trusts_the_forwarded_header_only_behind_our_proxy(rf, settings, behind_proxy, forwarded,
                                                                          expected):
    settings.BEHIND_TLS_PROXY = behind_proxy
    request = rf.post("/admin/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip_address(request) == expected


# --- idle sessions ----------------------------------------------------------------------------------

def test_sessions_end_after_four_idle_hours_counted_from_the_last_request():
    assert settings.SESSION_COOKIE_AGE == 4 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_idle_hours_failure_limit_and_cool_off_come_from_the_environment():
    got = settings_in({**PRODUCTION, "SESSION_IDLE_HOURS": "10", "AXES_FAILURE_LIMIT": "8",
                       "AXES_COOLOFF_MINUTES": "30"}, "SESSION_COOKIE_AGE", "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME")
    assert got == {"SESSION_COOKIE_AGE": 36000, "AXES_FAILURE_LIMIT": 8, "AXES_COOLOFF_TIME": "0:30:00"}


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_an_idle_session_ends_and_the_next_page_asks_to_sign_in(client, cashier):
    client.force_login(cashier)
    Session.objects.filter(pk=session_row(client).pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_the_counter_ping_keeps_the_session_alive(client, cashier):
    client.force_login(cashier)
    Session.objects.filter(pk=session_row(client).pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    response = client.get(reverse("admin:sales_counter_ping"))
    assert response.status_code == 204
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 4 * 3600
    assert session_row(client).expire_date > timezone.now() + timedelta(hours=3, minutes=59)


def test_the_counter_page_pings_while_it_is_open(client, cashier):
    client.force_login(cashier)
    html = client.get(reverse("admin:sales_counter")).content.decode()
    assert reverse("admin:sales_counter_ping") in html and ".ping" in html and "setInterval" in html


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("no_role", 403), ("cashier", 204),
                                             ("manager", 204), ("owner", 204)])
def test_the_ping_answers_only_users_of_the_counter(client, who, status):
    if who == "no_role":
        client.force_login(factories.UserFactory(is_staff=True))
    elif who != "anonymous":
        client.force_login(getattr(factories, who)())
    assert client.get(reverse("admin:sales_counter_ping")).status_code == status

