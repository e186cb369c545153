"""Trigram indexes for product search on PostgreSQL.

Django searches with UPPER(column) LIKE '%text%' (icontains) and UPPER(column) = UPPER(text)
(iexact); GIN trigram indexes on those expressions serve both, so the counter's search and the
admin's product search stay fast on a large catalogue. SQLite has no such index and is left as is.
If the database user may not create the pg_trgm extension, search still works, only slower.
"""

import logging

from django.db import migrations, transaction

log = logging.getLogger(__name__)
COLUMNS = ("name", "sku", "barcode")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # noqa: BLE001  (missing privilege: run without the indexes)
        log.warning("pg_trgm is not available (%s); product search will not use trigram indexes.", error)
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS product_{column}_upper_trgm ON catalog_product "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS product_{column}_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_stock_documents")]

    operations = [migrations.RunPython(create, drop)]
