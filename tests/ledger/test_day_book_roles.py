"""Who may do what in the day book: the roles' permissions, as the data migration leaves them."""

import pytest
from django.contrib.auth.models import Group

from shop import roles

pytestmark = pytest.mark.django_db
DAY_BOOK_PERMISSIONS = {"view_daybookentry", "view_full_day_book", "record_expense", "view_dayclosing", "close_day",
                        "reopen_day"}


def held(role: str) -> set[str]:
    codes = Group.objects.get(name=role).permissions.filter(content_type__app_label="ledger")
    return set(codes.values_list("codename", flat=True)) & DAY_BOOK_PERMISSIONS


@pytest.mark.parametrize(("role", "expected"), [
    (roles.OWNER, DAY_BOOK_PERMISSIONS),
    (roles.MANAGER, DAY_BOOK_PERMISSIONS - {"reopen_day"}),  # a manager closes; only the owner reopens
    (roles.CASHIER, {"view_daybookentry"}),  # their own counter's entries of today, nothing else
])
def test_each_role_holds_its_day_book_permissions(role, expected):
    assert held(role) == expected


def test_reopening_a_day_stays_the_owners_even_after_roles_are_synced_again():
    from django.apps import apps

    roles.sync_role_permissions(apps)
    assert "reopen_day" not in held(roles.MANAGER) and "reopen_day" in held(roles.OWNER)
