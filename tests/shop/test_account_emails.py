"""Account emails through the real outbox: the welcome email when the owner adds a user, and the password
reset asked for on the login page (throttled, no hint whether an address exists)."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from shop.accounts import RESETS_PER_ADDRESS_PER_HOUR, RESETS_PER_EMAIL_PER_HOUR
from shop.models import OutboundEmail, User
from tests import factories

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://127\.0\.0\.1:8000(/admin/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def add_user(client, owner, **fields):
    client.force_login(owner)
    return client.post(reverse("admin:shop_user_add"), {
        "username": "priya", "first_name": "Priya", "email": "priya@sharma.example", "role": "Cashier",
        "password1": "counter-pass-2026", "password2": "counter-pass-2026", "usable_password": "true", **fields})


def choose_password(client, path: str, password: str):
    client.logout()
    form = client.get(path, follow=True)  # Django moves the token into the session, then shows the form
    assert form.status_code == 200 and b"new_password1" in form.content
    return client.post(form.redirect_chain[-1][0] if form.redirect_chain else path,
                       {"new_password1": password, "new_password2": password})


def test_adding_a_user_sends_a_welcome_email_with_a_set_password_link(client, owner,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = add_user(client, owner)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "A welcome email with a link to choose a password is on its way to priya@sharma.example" in page
    email = OutboundEmail.objects.get(to="priya@sharma.example")
    assert email.status == OutboundEmail.Status.SENT and email.created_by == owner
    [message] = mail.outbox
    assert "priya" in message.body and "Welcome" in message.subject
    path = LINK.search(message.body).group(1)
    assert path in message.alternatives[0].content
    done = choose_password(client, path, "new-secret-kirana-77")
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert User.objects.get(username="priya").check_password("new-secret-kirana-77")


def test_a_user_added_without_email_gets_no_welcome(client, owner):
    add_user(client, owner, email="")
    assert User.objects.filter(username="priya").exists()
    assert not OutboundEmail.objects.exists()


def test_the_login_page_links_to_password_reset(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert reverse("admin_password_reset") in page


def test_password_reset_goes_through_the_outbox_and_the_link_sets_a_password(client,
                                                                             django_capture_on_commit_callbacks):
    factories.cashier(email="ravi@sharma.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin_password_reset"), {"email": "ravi@sharma.example"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    email = OutboundEmail.objects.get(to="ravi@sharma.example")
    assert email.status == OutboundEmail.Status.SENT
    path = LINK.search(mail.outbox[0].body).group(1)
    choose_password(client, path, "fresh-pass-for-ravi-9")
    assert User.objects.get(username="cashier").check_password("fresh-pass-for-ravi-9")


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    response = client.post(reverse("admin_password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert not OutboundEmail.objects.exists()


def test_one_address_gets_only_a_few_reset_emails_an_hour(client):
    factories.cashier(email="ravi@sharma.example")
    for _ in range(RESETS_PER_EMAIL_PER_HOUR + 2):
        assert client.post(reverse("admin_password_reset"), {"email": "ravi@sharma.example"}).status_code == 302
    assert OutboundEmail.objects.count() == RESETS_PER_EMAIL_PER_HOUR


def test_one_client_is_refused_after_too_many_requests(client):
    for _ in range(RESETS_PER_ADDRESS_PER_HOUR):
        client.post(reverse("admin_password_reset"), {"email": "someone@example.com"})
    refused = client.post(reverse("admin_password_reset"), {"email": "someone@example.com"})
    assert refused.status_code == 429 and b"Too many reset requests" in refused.content


def test_the_reset_page_has_unfolds_look(client):
    page = client.get(reverse("admin_password_reset")).content.decode()
    assert 'id="password-reset-form"' in page and "Galla" in page and "Back to sign in" in page
