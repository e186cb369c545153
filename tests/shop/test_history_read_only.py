"""simple-history's page of one past version saves a POSTed form for anyone who may view the record;
in Galla history is only read, so every history admin refuses that POST and nothing changes."""

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from shop.admin_base import ReadOnlyHistoryMixin
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_history_admin_is_read_only():
    history_admins = [type(a).__name__ for a in admin.site._registry.values() if isinstance(a, SimpleHistoryAdmin)]
    assert history_admins
    assert [name for name in history_admins
            if not isinstance(admin.site._registry[_model(name)], ReadOnlyHistoryMixin)] == []


def _model(admin_name):
    return next(m for m, a in admin.site._registry.items() if type(a).__name__ == admin_name)


def test_a_cashier_cannot_save_a_customer_through_a_history_page(client, cashier):
    customer = factories.CustomerFactory(name="Asha Patel", credit_limit=0)
    version = customer.history.first()
    client.force_login(cashier)
    url = reverse("admin:ledger_customer_simple_history", args=[customer.pk, version.history_id])
    response = client.post(url, {"name": "Changed by history", "phone": customer.phone, "credit_limit": "1000000",
                                 "state": "", "is_active": "on"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert (customer.name, customer.credit_limit) == ("Asha Patel", 0)
