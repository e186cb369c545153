"""The outbox's periodic Django-Q2 schedule, created idempotently by a data migration (never in AppConfig.ready).

Schedule.name is not unique in Django-Q2, so the function keeps exactly one row of its name
however often it runs. It uses the migration's historical models and imports nothing of the app.
"""

from django.utils import timezone

RETRY_SCHEDULE_NAME = "Retry queued emails"
RETRY_TASK = "shop.notifications.services.email_retry_due"
RETRY_EVERY_MINUTES = 2


def ensure_email_retry_schedule(apps, schema_editor=None) -> None:
    """Create or update the "Retry queued emails" schedule: email_retry_due every few minutes, forever."""
    Schedule = apps.get_model("django_q", "Schedule")
    extra = list(Schedule.objects.filter(name=RETRY_SCHEDULE_NAME).order_by("pk").values_list("pk", flat=True)[1:])
    Schedule.objects.filter(pk__in=extra).delete()
    fields = {
        "func": RETRY_TASK,
        "args": None,
        "kwargs": None,
        "hook": None,
        "schedule_type": "I",  # Schedule.MINUTES
        "minutes": RETRY_EVERY_MINUTES,
        "repeats": -1,  # forever
        "cluster": None,
    }
    Schedule.objects.update_or_create(name=RETRY_SCHEDULE_NAME, defaults=fields,
                                      create_defaults={**fields, "next_run": timezone.now()})


def remove_email_retry_schedule(apps, schema_editor=None) -> None:
    """Undo ensure_email_retry_schedule (for migrating backwards)."""
    apps.get_model("django_q", "Schedule").objects.filter(name=RETRY_SCHEDULE_NAME).delete()
