"""Every Django-Q2 schedule Galla runs, defined here and nowhere else, created idempotently by
`manage.py setup_schedules`, by data migrations and by `make run` (never in AppConfig.ready).

A schedule names code the worker runs, so what runs (func, arguments) is set here and rewritten on
every run; when it runs is the owner's (shop.schedules, the schedules admin): an existing row keeps
its timing and its on/off switch, and the times below are only those a new installation starts with.
Times are the shop's time zone (settings.TIME_ZONE). Only schedule types Django-Q2 computes without
croniter are used: every N minutes, daily, weekly, monthly. Schedule.name is not unique in Django-Q2,
so a name keeps exactly one row however often this runs.

This module imports nothing of the apps: migrations call it with their historical Schedule model.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

MINUTES, DAILY, WEEKLY, MONTHLY = "I", "D", "W", "M"  # django_q.models.Schedule's types (no cron)


@dataclass(frozen=True)
class ScheduleSpec:
    """One schedule: its name, the dotted function, and when a new installation runs it.

    kind MINUTES uses `every` (minutes); DAILY `at`; WEEKLY `at` on `weekday` (0 Monday);
    MONTHLY `at` on `day` of the month (1 to 28, so every month has it).
    """

    name: str
    func: str
    kind: str
    at: time = time(0, 0)
    every: int | None = None
    weekday: int = 0
    day: int = 1
    kwargs: dict | None = None


RETRY_SCHEDULE_NAME = "Retry queued emails"
RETRY_TASK = "shop.notifications.services.email_retry_due"
RETRY_EVERY_MINUTES = 2

# The list. A new schedule is one line here; `setup_schedules` (or a data migration calling
# schedules_ensure) creates it.
SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec(RETRY_SCHEDULE_NAME, RETRY_TASK, MINUTES, every=RETRY_EVERY_MINUTES),
    ScheduleSpec("Daily summary", "reports.summaries.daily_summary_send", DAILY, at=time(9, 0)),
    ScheduleSpec("Weekly report", "reports.summaries.weekly_report_send", WEEKLY, at=time(9, 30), weekday=0),
    ScheduleSpec("Monthly report", "reports.summaries.monthly_report_send", MONTHLY, at=time(10, 0), day=1),
    ScheduleSpec("Low-stock alert", "catalog.alerts.low_stock_alert_send", DAILY, at=time(8, 0)),
    ScheduleSpec("Credit reminders", "ledger.reminders.credit_reminders_send", WEEKLY, at=time(10, 0), weekday=0),
    ScheduleSpec("UPI payments awaiting", "sales.upi_watch.awaiting_upi_notify", MINUTES, every=15),
    ScheduleSpec("Remove old email attachments", "shop.notifications.services.email_attachments_expire", DAILY,
                 at=time(3, 0)),
)


def shop_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def first_run(spec: ScheduleSpec, *, now: datetime | None = None) -> datetime:
    """Return the first time after `now` that the schedule is due, in the shop's time zone."""
    local_now = timezone.localtime(now or timezone.now(), shop_zone())
    if spec.kind == MINUTES:
        return local_now
    candidate = local_now.replace(hour=spec.at.hour, minute=spec.at.minute, second=0, microsecond=0)
    if spec.kind == WEEKLY:
        candidate += timedelta(days=(spec.weekday - candidate.weekday()) % 7)
    elif spec.kind == MONTHLY:
        candidate = candidate.replace(day=spec.day)
    while candidate <= local_now:
        if spec.kind == DAILY:
            candidate += timedelta(days=1)
        elif spec.kind == WEEKLY:
            candidate += timedelta(weeks=1)
        else:
            year, month = divmod(candidate.month, 12)  # the next month (December -> January)
            candidate = candidate.replace(year=candidate.year + year, month=month + 1)
    return candidate


def _code_fields(spec: ScheduleSpec) -> dict:
    """The columns set in code, rewritten every time."""
    return {"func": spec.func, "hook": None, "args": None, "kwargs": repr(spec.kwargs) if spec.kwargs else None,
            "cluster": None, "intended_date_kwarg": None}


def _timing_fields(spec: ScheduleSpec, *, now: datetime | None = None) -> dict:
    """The columns a new row starts with; afterwards the owner's."""
    return {"schedule_type": spec.kind, "minutes": spec.every if spec.kind == MINUTES else None, "cron": None,
            "repeats": -1, "next_run": first_run(spec, now=now)}


def schedules_ensure(Schedule, specs=SCHEDULES, *, now: datetime | None = None) -> list:
    """Create the missing schedules and rewrite what the existing ones run, keeping their timing and on/off
    switch; remove duplicate rows of a name. Return the rows, in the order of `specs`.

    `Schedule` is django_q's model (or a migration's historical one). Running it twice leaves the same rows.
    """
    rows = []
    for spec in specs:
        extra = list(Schedule.objects.filter(name=spec.name).order_by("pk").values_list("pk", flat=True)[1:])
        Schedule.objects.filter(pk__in=extra).delete()
        row, _created = Schedule.objects.update_or_create(
            name=spec.name, defaults=_code_fields(spec),
            create_defaults={**_code_fields(spec), **_timing_fields(spec, now=now)})
        rows.append(row)
    return rows


def ensure_all_schedules(apps, schema_editor=None) -> None:
    """A data migration's RunPython: schedules_ensure with the historical Schedule model."""
    schedules_ensure(apps.get_model("django_q", "Schedule"))


def ensure_email_retry_schedule(apps, schema_editor=None) -> None:
    """Create or update the "Retry queued emails" schedule (migration 0005)."""
    schedules_ensure(apps.get_model("django_q", "Schedule"), specs=SCHEDULES[:1])


def remove_email_retry_schedule(apps, schema_editor=None) -> None:
    """Undo ensure_email_retry_schedule (for migrating backwards)."""
    apps.get_model("django_q", "Schedule").objects.filter(name=RETRY_SCHEDULE_NAME).delete()
