import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.http import HttpRequest

from catalog.models import Product, Stock, StockMovement
from shop.models import ShopProfile, User


@pytest.mark.django_db
def test_seed_demo_twice_creates_everything_once(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "owner / galla-owner" in out and "cashier / galla-cashier" in out
    assert User.objects.count() == 3
    assert {u.username: u.role for u in User.objects.all()} == {
        "owner": "Owner", "manager": "Manager", "cashier": "Cashier"}
    assert Product.objects.count() == 10
    assert Stock.objects.count() == 10 == StockMovement.objects.count()
    assert ShopProfile.objects.get().gstin == "27AAPFU0939F1ZV"


@pytest.mark.django_db
def test_demo_users_can_log_in(client):
    call_command("seed_demo")
    assert client.login(request=HttpRequest(), username="cashier", password="galla-cashier")  # axes needs a request


@pytest.mark.django_db
def test_seed_demo_products_builds_a_large_catalogue_with_opening_stock():
    call_command("seed_demo", products=2500)
    call_command("seed_demo", products=2600)
    assert Product.objects.filter(sku__startswith="GEN-").count() == 2600
    generated = Stock.objects.filter(product__sku__startswith="GEN-")
    assert generated.count() == 2600
    assert StockMovement.objects.filter(product__sku__startswith="GEN-", kind="opening").count() == 2600
    for product in Product.objects.filter(sku__startswith="GEN-")[:50]:
        product.full_clean()  # generated barcodes and codes are valid


@pytest.mark.django_db
def test_demo_stock_arrives_as_movements_that_add_up():
    call_command("seed_demo", products=30)
    totals = dict(StockMovement.objects.values("product").annotate(total=Sum("quantity"))
                  .values_list("product", "total"))
    assert {s.product_id: s.quantity for s in Stock.objects.all()} == totals
    assert not StockMovement.objects.filter(kind="opening", unit_cost__isnull=True).exists()
