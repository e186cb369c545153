"""Who may open the reports, and who sees profit."""

import pytest
from django.contrib.auth.models import Group

from shop import roles


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "reports", "profit"), [
    (roles.OWNER, True, True),
    (roles.MANAGER, True, False),
    (roles.CASHIER, False, False),
])
def test_roles_hold_the_report_permissions(role, reports, profit):
    granted = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
    assert ("view_reports" in granted) is reports
    assert ("view_profit" in granted) is profit
