"""Shared fixtures, and the rules that keep CI from passing with tests silently skipped."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from catalog.models import Warehouse
from catalog.services import StockChange, stock_add_opening
from shop.models import ShopProfile
from tests import factories

CHROMIUM = "/usr/bin/chromium"
# .ci/run sets these so that a skipped browser or PostgreSQL test fails CI instead.
REQUIRE_BROWSER = os.environ.get("GALLA_REQUIRE_BROWSER") == "1"
REQUIRE_POSTGRES = os.environ.get("GALLA_REQUIRE_POSTGRES") == "1"


def skip_or_fail(reason: str, *, required: bool) -> None:
    if required:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def chromium_or_skip(path: str = CHROMIUM, *, required: bool = REQUIRE_BROWSER) -> str:
    """Return Debian's chromium for the browser tests; without it, skip them saying how to install it (fail in CI)."""
    if not Path(path).exists():
        skip_or_fail("Debian's chromium is not installed: `sudo apt-get install chromium` (CI installs it)",
                     required=required)
    return path


def pytest_runtest_setup(item):
    # Decided before any fixture runs, so a skipped transactional test never flushes the database.
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: run `make test-pg` (DATABASE_URL=postgres://...)", required=REQUIRE_POSTGRES)


transactional_db = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    """Transactional tests (threads, live server) run on a database flushed by the one before, which
    empties what the data migrations made; put back the roles, tax rates, units and default warehouse."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from catalog.models import TaxRate, Unit, Warehouse
    from catalog.reference import ensure_reference_data
    from shop.roles import sync_role_permissions

    ensure_reference_data(TaxRate, Unit, Warehouse)
    sync_role_permissions(apps)


@pytest.fixture
def owner(db):
    return factories.owner()


@pytest.fixture
def manager(db):
    return factories.manager()


@pytest.fixture
def cashier(db):
    return factories.cashier()


@pytest.fixture
def shop(db):
    """The shop profile: Maharashtra, prefix SKS, financial year from April, rounding on."""
    profile = ShopProfile.objects.get_profile()
    profile.name, profile.state, profile.invoice_prefix = "Sharma Kirana Store", "27", "SKS"
    profile.gstin = "27AAPFU0939F1ZV"
    profile.save()
    return profile


@pytest.fixture
def shop_floor(db):
    return Warehouse.objects.get(is_default=True)


@pytest.fixture
def stocked(shop_floor):
    """Return a function that makes a product with stock on the shop floor."""

    def make(quantity="100", **fields):
        product = factories.ProductFactory(**fields)
        stock_add_opening(entries=[StockChange(product, shop_floor, Decimal(quantity))], user=None)
        return product

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache: cached insights or throttles of one test never leak into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
