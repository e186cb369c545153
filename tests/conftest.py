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


def pytest_runtest_setup(item):
    # Decided before any fixture runs, so a skipped transactional test never flushes the database.
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: run `make test-pg` (DATABASE_URL=postgres://...)", required=REQUIRE_POSTGRES)


# Transactional tests (threads, live server) flush the database afterwards; serialized_rollback
# restores what the migrations created (roles, tax rates, units, the default warehouse) first.
transactional_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def owner(db):
    return factories.owner()


@pytest.fixture
def manager(db):
    return factories.manager()


@pytest.fixture
def cashier(db):
    return factories.cashier()
