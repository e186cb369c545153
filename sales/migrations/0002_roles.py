from django.db import migrations

from shop.roles import sync_role_permissions


class Migration(migrations.Migration):
    """Give the roles their billing permissions (the counter for cashiers; cancelling for managers up)."""

    dependencies = [("sales", "0001_initial"), ("shop", "0002_roles")]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
