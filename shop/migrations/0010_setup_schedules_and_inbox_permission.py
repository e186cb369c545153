from django.db import migrations

from shop.notifications.schedules import ensure_all_schedules
from shop.roles import sync_role_permissions


class Migration(migrations.Migration):
    """Create every schedule of shop.notifications.schedules.SCHEDULES (as `manage.py setup_schedules` does:
    existing ones keep their timing) and give every role the view permission of its own notifications."""

    dependencies = [
        ("shop", "0009_notifications_schedules_dedupe"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunPython(ensure_all_schedules, migrations.RunPython.noop),
        migrations.RunPython(sync_role_permissions, migrations.RunPython.noop),
    ]
