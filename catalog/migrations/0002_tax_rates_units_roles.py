from django.db import migrations

from catalog.reference import ensure_reference_data
from shop.roles import sync_role_permissions


def seed(apps, schema_editor):
    ensure_reference_data(apps.get_model("catalog", "TaxRate"), apps.get_model("catalog", "Unit"),
                          apps.get_model("catalog", "Warehouse"))
    sync_role_permissions(apps)


class Migration(migrations.Migration):
    """Seed the GST slabs, the common units and a default warehouse; give roles catalog permissions."""

    dependencies = [("catalog", "0001_initial"), ("shop", "0002_roles")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
