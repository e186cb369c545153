"""In-app notifications: notify() to a user or a role, the bell's count, the list page showing each user only
their own, and the causes that raise them (cash difference at closing, approved discount, UPI awaiting)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ledger.day_book import day_close
from sales.models import Payment
from sales.services import checkout
from sales.upi_watch import awaiting_upi_notify
from shop import roles
from shop.models import Notification
from shop.notifications.inbox import notifications_mark_read, notify, unread_count

pytestmark = pytest.mark.django_db
D = Decimal


def test_notify_a_role_writes_one_row_per_member(owner, manager, cashier):
    assert notify(text="Stock is low", roles=[roles.OWNER, roles.MANAGER]) == 2
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["manager", "owner"]
    assert unread_count(cashier) == 0


def test_a_key_makes_a_repeated_cause_land_once(owner):
    notify(text="UPI awaiting", user=owner, key="upi:1")
    assert notify(text="UPI awaiting", user=owner, key="upi:1") == 0
    assert Notification.objects.count() == 1


def test_marking_read_touches_only_ones_own(owner, manager):
    notify(text="For both", roles=[roles.OWNER, roles.MANAGER])
    theirs = Notification.objects.get(user=manager)
    assert notifications_mark_read(user=owner, ids=[theirs.pk]) == 0
    assert notifications_mark_read(user=owner) == 1
    assert (unread_count(owner), unread_count(manager)) == (0, 1)


def test_the_list_page_shows_a_user_only_their_own(client, owner, cashier):
    notify(text="Owner's secret: cash short", user=owner)
    notify(text="Cashier's note", user=cashier)
    client.force_login(cashier)
    page = client.get(reverse("admin:shop_notification_changelist")).content.decode()
    assert "Cashier&#x27;s note" in page and "cash short" not in page


def test_the_bell_shows_the_unread_count(client, manager):
    notify(text="One", user=manager)
    notify(text="Two", user=manager)
    client.force_login(manager)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="notification-bell"' in page and 'data-unread="2"' in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, manager):
    notify(text="Look", user=manager, link="/admin/shop/outboundemail/")
    notification = Notification.objects.get()
    client.force_login(manager)
    response = client.get(reverse("admin:shop_notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/admin/shop/outboundemail/"
    assert Notification.objects.get().is_read


def test_another_users_notification_cannot_be_opened_or_read(client, owner, cashier):
    notify(text="Owner only", user=owner)
    notification = Notification.objects.get()
    client.force_login(cashier)
    assert client.get(reverse("admin:shop_notification_open", args=[notification.pk])).status_code == 404
    client.get(reverse("admin:shop_notification_change", args=[notification.pk]))
    assert not Notification.objects.get().is_read


def test_an_outside_link_is_not_followed(client, owner):
    notify(text="Phish", user=owner, link="https://evil.example/")
    client.force_login(owner)
    response = client.get(reverse("admin:shop_notification_open", args=[Notification.objects.get().pk]))
    assert response["Location"] == reverse("admin:shop_notification_changelist")


# --- the causes --------------------------------------------------------------------------------------

def test_a_cash_difference_at_closing_notifies_the_owner_and_managers(owner, manager, cashier):
    closing = day_close(day=timezone.localdate(), counted_cash="150", user=manager)
    assert closing.difference == D("150")
    texts = list(Notification.objects.values_list("user__username", "text"))
    assert sorted(user for user, _ in texts) == ["manager", "owner"]
    assert "₹150.00 more than expected" in texts[0][1]


def test_a_closing_without_difference_notifies_nobody(owner, manager):
    day_close(day=timezone.localdate(), counted_cash="0", user=manager)
    assert not Notification.objects.exists()


def test_an_approved_discount_above_the_limit_notifies_the_owner(shop, stocked, owner, manager, cashier):
    rice = stocked(selling_price=D("1000"))
    invoice = checkout(cashier=cashier, lines=[{"product": rice, "quantity": D("1"), "discount": D("300")}],
                       payments=[{"method": "cash", "amount": D("700")}], approved_by=manager)
    [notification] = Notification.objects.all()
    assert notification.user == owner and invoice.number in notification.text and "approved by manager" in \
        notification.text


def test_a_discount_within_the_limit_notifies_nobody(shop, stocked, owner, cashier):
    rice = stocked(selling_price=D("1000"))
    checkout(cashier=cashier, lines=[{"product": rice, "quantity": D("1"), "discount": D("50")}],
             payments=[{"method": "cash", "amount": D("950")}])
    assert not Notification.objects.exists()


def test_a_upi_payment_awaiting_over_an_hour_is_reported_once(shop, stocked, owner, manager, cashier):
    rice = stocked(selling_price=D("500"))
    checkout(cashier=cashier, lines=[{"product": rice, "quantity": D("1")}],
             payments=[{"method": "upi", "amount": D("500")}])
    payment = Payment.objects.get(method="upi")
    assert payment.status == Payment.Status.AWAITING
    assert awaiting_upi_notify() == 0  # just now: not yet
    later = timezone.now() + timedelta(minutes=61)
    assert awaiting_upi_notify(now=later) == 1
    assert awaiting_upi_notify(now=later + timedelta(minutes=15)) == 0  # the next check: already reported
    assert Notification.objects.filter(text__contains="₹500.00").count() == 2  # owner and manager


def test_a_cashier_cannot_see_the_owners_notifications_by_url(client, owner, cashier):
    notify(text="Owner only", user=owner)
    client.force_login(cashier)
    response = client.get(reverse("admin:shop_notification_changelist") + f"?user__id__exact={owner.pk}")
    assert "Owner only" not in response.content.decode()
