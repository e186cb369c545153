from decimal import Decimal

import pytest
from django.urls import reverse

from sales.services import checkout
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_cashier_lands_on_a_home_with_the_counter_and_their_shift(client, shop, stocked, cashier, manager):
    product = stocked(selling_price=D("150"))
    for seller, method in ((cashier, "cash"), (cashier, "upi"), (manager, "cash")):
        checkout(cashier=seller, lines=[{"product": product, "quantity": D("1")}],
                 payments=[{"method": method, "amount": D("150"), "reference": "412345678901"}])
    client.force_login(cashier)
    response = client.post(reverse("admin:login"), {"username": "cashier", "password": factories.PASSWORD})
    home = client.get(response["Location"]).content.decode()
    assert reverse("admin:sales_counter") in home and "Open the billing counter" in home
    assert "₹300.00" in home and "2 bills" in home  # their own two bills, not the manager's
    assert "Cash" in home and "UPI" in home
    assert "₹150.00" in home.split('data-testid="shift-cash"')[1].split("</div>")[0]  # their cash, not the UPI
    assert reverse("admin:catalog_category_changelist") not in home.split("Your bills today")[1]  # no app list


def test_the_owner_home_is_the_dashboard_and_offers_the_counter(client, owner):
    client.force_login(owner)
    home = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:sales_counter") in home
    assert 'data-testid="dashboard"' in home and "Your bills today" not in home


def test_a_refused_page_keeps_the_admin_layout_and_a_way_back(client, cashier):
    client.force_login(cashier)
    response = client.get(reverse("admin:shop_user_changelist"))
    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="forbidden"' in html and "Back to the home page" in html
    assert reverse("admin:sales_counter") in html  # the sidebar and the counter button are there


def test_a_refused_page_for_a_visitor_without_admin_access_is_plain(client):
    user = factories.UserFactory(is_staff=False, username="shopper")
    client.force_login(user)
    response = client.get(reverse("admin:sales_invoice_pdf", args=[1]))
    assert response.status_code in (302, 403)
    assert "Back to the home page" not in response.content.decode()
