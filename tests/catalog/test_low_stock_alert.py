"""The morning low-stock alert: only products that crossed their level since the last alert, with order
quantities, by email (HTML and text) to the owner and managers and in their in-app inbox."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from catalog.alerts import low_stock_alert_send
from catalog.models import StockMovement
from catalog.services import StockChange, stock_move
from shop.models import LowStockAlertMark, Notification
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def people(shop, cashier):
    owner = factories.owner(email="owner@sharma.example")
    manager = factories.manager(email="manager@sharma.example")
    return owner, manager


def adjust(product, warehouse, quantity: str) -> None:
    stock_move(changes=[StockChange(product, warehouse, D(quantity))], kind=StockMovement.Kind.ADJUSTMENT, user=None)


def test_the_alert_lists_products_at_or_below_their_level_with_order_quantities(
        people, stocked, django_capture_on_commit_callbacks):
    rice = stocked(quantity="4", name="Basmati Rice 5 kg", reorder_level=D("5"), reorder_quantity=D("20"))
    soap = stocked(quantity="2", name="Lifebuoy Soap", reorder_level=D("6"))  # no reorder quantity: up to 2 x 6
    stocked(quantity="50", name="Sugar 1 kg", reorder_level=D("5"))
    with django_capture_on_commit_callbacks(execute=True):
        alert = low_stock_alert_send()
    assert {(row.name, row.order) for row in alert.rows} == {(rice.name, D("20")), (soap.name, D("10"))}
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "manager@sharma.example", "owner@sharma.example"]
    message = mail.outbox[0]
    html = message.alternatives[0].content
    assert "Basmati Rice 5 kg" in message.body and "order 20 pcs" in message.body and "Sugar" not in message.body
    assert "Lifebuoy Soap" in html and "Sharma Kirana Store" in html
    assert Notification.objects.filter(level="warning").count() == 2  # owner and manager, not the cashier


def test_a_product_still_low_is_not_reported_again(people, stocked, django_capture_on_commit_callbacks):
    stocked(quantity="1", reorder_level=D("5"))
    with django_capture_on_commit_callbacks(execute=True):
        low_stock_alert_send()
        again = low_stock_alert_send()
    assert again.rows == [] and again.still_low == 1
    assert len(mail.outbox) == 2  # one email each from the first run only


def test_a_product_that_recovers_and_falls_again_alerts_again(people, stocked, shop_floor):
    oil = stocked(quantity="3", reorder_level=D("5"))
    assert [row.product_id for row in low_stock_alert_send().rows] == [oil.pk]
    adjust(oil, shop_floor, "+10")  # a delivery: 13 on hand
    assert low_stock_alert_send().rows == []
    assert not LowStockAlertMark.objects.exists()  # recovered: forgotten
    adjust(oil, shop_floor, "-9")  # sold down to 4
    assert [row.product_id for row in low_stock_alert_send().rows] == [oil.pk]


def test_nothing_low_sends_nothing(people, stocked):
    stocked(quantity="100", reorder_level=D("5"))
    assert low_stock_alert_send().emails == []
    assert not Notification.objects.exists()


def test_the_command_runs_the_alert(people, stocked):
    stocked(quantity="1", reorder_level=D("1"))
    out = StringIO()
    call_command("send_low_stock_alert", stdout=out)
    assert "1 product(s) newly low" in out.getvalue() and "2 email(s) queued" in out.getvalue()
