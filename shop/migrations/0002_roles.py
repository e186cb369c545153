from django.db import migrations

from shop.roles import sync_role_permissions


class Migration(migrations.Migration):
    """Create the Owner, Manager and Cashier groups with their permission lists."""

    dependencies = [("shop", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
