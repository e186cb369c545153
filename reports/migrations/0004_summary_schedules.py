from django.db import migrations

from shop.notifications.schedules import ensure_all_schedules


class Migration(migrations.Migration):
    """Create the daily summary, weekly report and monthly report schedules (shop.notifications.schedules)."""

    dependencies = [
        ("reports", "0003_fill_daily_rollups"),
        ("shop", "0010_setup_schedules_and_inbox_permission"),
    ]

    operations = [migrations.RunPython(ensure_all_schedules, migrations.RunPython.noop)]
