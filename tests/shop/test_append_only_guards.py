"""On PostgreSQL the books refuse UPDATE and DELETE in the database itself, whoever sends them:
QuerySet.update()/delete() skip the models' save() and delete() guards, raw SQL skips Django."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from catalog.models import StockMovement, Warehouse
from catalog.services import StockChange, stock_add_opening
from ledger.models import CreditEntry, DayBookEntry, StoreCreditEntry
from ledger.posting import post_credit, post_day_book, post_store_credit
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def shop_floor() -> Warehouse:
    return Warehouse.objects.get(is_default=True)


@pytest.fixture
def records(owner):
    stock_add_opening(entries=[StockChange(factories.ProductFactory(), shop_floor(), Decimal("2"))], user=owner)
    post_credit(customer=factories.CustomerFactory(), kind="sale", amount=Decimal("150"), user=owner)
    post_day_book(entries=[("sale", "cash", Decimal("150"))], day=date(2026, 11, 24), user=owner)
    post_store_credit(customer=factories.CustomerFactory(), kind="return", amount=Decimal("40"), user=owner)
    return {model: model.objects.get() for model in (StockMovement, CreditEntry, DayBookEntry, StoreCreditEntry)}


def refused(operation) -> bool:
    try:
        with transaction.atomic():
            operation()
    except DatabaseError as error:
        return "Cannot update or delete rows" in str(error)
    return False


@pytest.mark.parametrize("model", [StockMovement, CreditEntry, DayBookEntry, StoreCreditEntry],
                         ids=lambda m: m.__name__)
def test_the_database_refuses_bulk_updates_and_deletes(records, model):
    row = records[model]
    assert refused(lambda: model.objects.filter(pk=row.pk).update(note="edited"))
    assert refused(lambda: model.objects.filter(pk=row.pk).delete())
    assert model.objects.get(pk=row.pk).note == row.note


@pytest.mark.parametrize("model", [StockMovement, CreditEntry, DayBookEntry, StoreCreditEntry],
                         ids=lambda m: m.__name__)
def test_the_database_refuses_raw_sql_updates_and_deletes(records, model):
    table = connection.ops.quote_name(model._meta.db_table)

    def run(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [records[model].pk])

    assert refused(lambda: run(f"UPDATE {table} SET note = 'edited' WHERE id = %s"))
    assert refused(lambda: run(f"DELETE FROM {table} WHERE id = %s"))
    assert model.objects.filter(pk=records[model].pk).exists()


def test_new_rows_are_still_written(records, owner):
    stock_add_opening(entries=[StockChange(factories.ProductFactory(), shop_floor(), Decimal("3"))], user=owner)
    assert StockMovement.objects.count() == 2
