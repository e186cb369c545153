"""Shared fixtures, and the rules that keep CI from passing with tests silently skipped."""

import os

import pytest
from django.db import connection

from tests import factories

CHROMIUM = "/usr/bin/chromium"
# .ci/run sets these so that a skipped browser or PostgreSQL test fails CI instead.
REQUIRE_BROWSER = os.environ.get("GALLA_REQUIRE_BROWSER") == "1"
REQUIRE_POSTGRES = os.environ.get("GALLA_REQUIRE_POSTGRES") == "1"


def skip_or_fail(reason: str, *, required: bool) -> None:
    if required:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: run `make test-pg` (DATABASE_URL=postgres://...)", required=REQUIRE_POSTGRES)


@pytest.fixture
def owner(db):
    return factories.owner()


@pytest.fixture
def manager(db):
    return factories.manager()


@pytest.fixture
def cashier(db):
    return factories.cashier()
