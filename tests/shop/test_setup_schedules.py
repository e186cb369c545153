"""`manage.py setup_schedules`: every schedule of shop.notifications.schedules.SCHEDULES, created idempotently, at
the shop's local times, with types Django-Q2 computes without croniter; the owner's timing and switch survive."""

from datetime import datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.module_loading import import_string
from django_q.conf import Conf
from django_q.models import Schedule

from shop.notifications.schedules import (
    DAILY,
    MINUTES,
    MONTHLY,
    SCHEDULES,
    WEEKLY,
    ScheduleSpec,
    first_run,
    schedules_ensure,
)
from shop.schedules import schedule_set_timing

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
COLUMNS = ("name", "func", "hook", "args", "kwargs", "cluster", "schedule_type", "minutes", "cron", "repeats",
           "next_run")
DAILY_SUMMARY = ScheduleSpec("Daily summary", "reports.summaries.daily_summary_send", DAILY, at=time(9, 0))


def rows() -> list[tuple]:
    return list(Schedule.objects.order_by("pk").values_list(*COLUMNS))


def test_setup_schedules_twice_leaves_the_same_rows():
    call_command("setup_schedules", stdout=StringIO())
    first = rows()
    call_command("setup_schedules", stdout=StringIO())
    assert rows() == first
    assert [row[0] for row in first] == [spec.name for spec in SCHEDULES]


def test_a_duplicate_schedule_of_a_name_is_removed():
    Schedule.objects.create(name="Low-stock alert", func="math.floor", schedule_type=Schedule.DAILY)
    call_command("setup_schedules", stdout=StringIO())
    [alert] = Schedule.objects.filter(name="Low-stock alert")
    assert alert.func == "catalog.alerts.low_stock_alert_send"


def test_every_schedule_names_a_function_that_exists_and_needs_no_croniter():
    call_command("setup_schedules", stdout=StringIO())
    for schedule in Schedule.objects.all():
        assert callable(import_string(schedule.func)), schedule.name
        assert schedule.schedule_type in (Schedule.MINUTES, Schedule.DAILY, Schedule.WEEKLY, Schedule.MONTHLY)
        schedule.calculate_next_run()  # a cron type would raise ImportError without croniter


def test_the_daily_schedule_next_runs_at_nine_in_the_shops_time_zone():
    now = datetime(2026, 11, 25, 10, 15, tzinfo=IST)  # past 9:00 today: tomorrow
    [summary] = schedules_ensure(Schedule, specs=[DAILY_SUMMARY], now=now)
    summary.refresh_from_db()
    assert summary.next_run.astimezone(IST) == datetime(2026, 11, 26, 9, 0, tzinfo=IST)
    assert summary.next_run.astimezone(ZoneInfo("UTC")).time() == time(3, 30)
    # and Django-Q2 steps it a day at a time, still 9:00 in Kolkata
    assert summary.calculate_next_run().astimezone(IST) == datetime(2026, 11, 27, 9, 0, tzinfo=IST)


@pytest.mark.parametrize(("spec", "now", "expected"), [
    (DAILY_SUMMARY, datetime(2026, 11, 25, 8, 59), datetime(2026, 11, 25, 9, 0)),
    (DAILY_SUMMARY, datetime(2026, 11, 25, 9, 0), datetime(2026, 11, 26, 9, 0)),
    (ScheduleSpec("w", "f", WEEKLY, at=time(10, 0), weekday=0), datetime(2026, 11, 25, 12, 0),
     datetime(2026, 11, 30, 10, 0)),  # Wednesday -> next Monday
    (ScheduleSpec("w", "f", WEEKLY, at=time(10, 0), weekday=0), datetime(2026, 11, 30, 9, 0),
     datetime(2026, 11, 30, 10, 0)),  # Monday before ten -> today
    (ScheduleSpec("m", "f", MONTHLY, at=time(10, 0), day=1), datetime(2026, 12, 5, 0, 0),
     datetime(2027, 1, 1, 10, 0)),  # across the year end
    (ScheduleSpec("m", "f", MONTHLY, at=time(10, 0), day=1), datetime(2026, 12, 1, 9, 0),
     datetime(2026, 12, 1, 10, 0)),
    (ScheduleSpec("i", "f", MINUTES, every=2), datetime(2026, 11, 25, 9, 7), datetime(2026, 11, 25, 9, 7)),
])
def test_first_run_is_the_next_local_time(spec, now, expected):
    assert first_run(spec, now=now.replace(tzinfo=IST)) == expected.replace(tzinfo=IST)


def test_the_owners_switch_and_times_survive_setup_schedules():
    call_command("setup_schedules", stdout=StringIO())
    alert = Schedule.objects.get(name="Low-stock alert")
    moved = datetime(2026, 12, 1, 7, 30, tzinfo=IST)
    schedule_set_timing(schedule_id=alert.pk, schedule_type=Schedule.DAILY, minutes=None, cron=None, enabled=False,
                        next_run=max(moved, alert.next_run))
    before = Schedule.objects.filter(pk=alert.pk).values_list(*COLUMNS).get()
    call_command("setup_schedules", stdout=StringIO())
    after = Schedule.objects.filter(pk=alert.pk).values_list(*COLUMNS).get()
    assert after == before
    assert after[COLUMNS.index("repeats")] == 0  # still off


def test_setup_schedules_restores_what_a_schedule_runs():
    call_command("setup_schedules", stdout=StringIO())
    Schedule.objects.filter(name="Credit reminders").update(func="os.system", args="'rm -rf /'")
    call_command("setup_schedules", stdout=StringIO())
    reminders = Schedule.objects.get(name="Credit reminders")
    assert (reminders.func, reminders.args) == ("ledger.reminders.credit_reminders_send", None)


def test_the_migration_created_every_schedule():
    assert set(Schedule.objects.values_list("name", flat=True)) == {spec.name for spec in SCHEDULES}


def test_the_worker_reads_the_cluster_settings():
    assert Conf.CATCH_UP is False  # downtime does not replay a flood of missed runs
    assert Conf.RETRY > Conf.TIMEOUT  # a slow task is not handed to a second worker while it runs
    assert Conf.MAX_ATTEMPTS == 5
    assert (Conf.ORM == "default") != bool(settings.REDIS_URL)  # the ORM broker unless Redis is configured
