from django.db import migrations

from shop.roles import sync_role_permissions


class Migration(migrations.Migration):
    """Re-sync the roles: managers lose every change of Django-Q2's tables, the owner adding and deleting
    schedules (a schedule names code the worker runs)."""

    dependencies = [
        ("shop", "0006_default_credit_limit"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
