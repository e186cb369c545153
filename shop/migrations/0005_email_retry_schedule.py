from django.db import migrations

from shop.notifications.schedules import ensure_email_retry_schedule, remove_email_retry_schedule


class Migration(migrations.Migration):
    """Create the "Retry queued emails" Django-Q2 schedule (idempotent: update_or_create by name)."""

    dependencies = [
        ("shop", "0004_outbound_email"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(ensure_email_retry_schedule, remove_email_retry_schedule)]
