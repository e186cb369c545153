import re

import pytest
from django.urls import reverse

from shop.models import User


@pytest.mark.django_db
def test_owner_adds_a_cashier_with_a_role_and_admin_access(client, owner):
    client.force_login(owner)
    response = client.post(reverse("admin:shop_user_add"), {
        "username": "priya", "first_name": "Priya", "email": "", "role": "Cashier",
        "password1": "counter-pass-2026", "password2": "counter-pass-2026", "usable_password": "true"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    priya = User.objects.get(username="priya")
    assert priya.is_staff and priya.role == "Cashier"
    assert list(priya.groups.values_list("name", flat=True)) == ["Cashier"]


@pytest.mark.django_db
def test_changing_the_role_replaces_the_old_one(client, owner, cashier):
    client.force_login(owner)
    change_url = reverse("admin:shop_user_change", args=[cashier.pk])
    form = client.get(change_url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {"groups", "user_permissions"}}
    data.update({"role": "Manager", "is_active": "on", "last_login": "", "date_joined": ""})
    response = client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(cashier.groups.values_list("name", flat=True)) == ["Manager"]


def sidebar_titles(client) -> set[str]:
    html = client.get(reverse("admin:index")).content.decode()
    nav = html[html.index('id="nav-sidebar-apps"'):]
    return {re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<span>([^<]+)</span>", nav)}


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "shown", "hidden"), [
    ("owner", {"Products", "Stock movements", "Customers", "Khata ageing", "Shop profile", "Users", "Roles"}, set()),
    ("manager", {"Products", "Stock movements", "Customers", "Khata ageing", "Shop profile", "Suppliers"},
     {"Users", "Roles"}),
    ("cashier", {"Products", "Customers", "Stock"},
     {"Users", "Roles", "Shop profile", "Stock movements", "Suppliers", "Tax rates", "Scheduled tasks",
      "Khata ageing"}),
])
def test_sidebar_shows_each_role_its_own_entries(client, request, role, shown, hidden):
    client.force_login(request.getfixturevalue(role))
    titles = sidebar_titles(client)
    assert shown <= titles
    assert not hidden & titles
