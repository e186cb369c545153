"""The admin site's command search (unfold's /admin/search/) answers a bad page number with a 404, not a 500."""

import pytest
from django.contrib import admin
from django.urls import reverse

from shop.sites import GallaAdminSite

pytestmark = pytest.mark.django_db


def test_the_admin_is_galla_s_unfold_site():
    assert isinstance(admin.site, GallaAdminSite)


@pytest.mark.parametrize("page", ["abc", "99", "0", "-1", "1.5", "9" * 400])
def test_command_search_with_a_bad_page_is_not_found(client, owner, page):
    client.force_login(owner)
    response = client.get(reverse("admin:search"), {"s": "pro", "page": page})
    assert response.status_code == 404


def test_command_search_still_finds_models(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:search"), {"s": "product", "page": "1"})
    assert response.status_code == 200 and "Products" in response.content.decode()


def test_changelist_and_autocomplete_survive_a_bad_page_number(client, owner):
    client.force_login(owner)
    assert client.get(reverse("admin:catalog_product_changelist"), {"p": "abc"}).status_code == 200
    autocomplete = client.get(reverse("admin:autocomplete"), {
        "app_label": "sales", "model_name": "invoice", "field_name": "customer", "term": "a", "page": "abc"})
    assert autocomplete.status_code < 500
