"""Django-Q2's schedule admin cannot make the server run code: schedules are defined in code, the owner
changes only when they run (and switches them off and on), a manager looks, task records are read-only."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.brokers import get_broker
from django_q.models import Failure, OrmQ, Schedule, Success
from django_q.scheduler import scheduler

from shop import schedules
from shop.notifications.schedules import RETRY_SCHEDULE_NAME, RETRY_TASK
from shop.notifications.services import email_retry_due

pytestmark = pytest.mark.django_db

ATTACK = {"func": "django.core.management.call_command", "args": "'shell'",
          "kwargs": "command='import os; os.system(\"touch /tmp/pwned\")'", "hook": "os.system",
          "cluster": "elsewhere", "name": "innocent", "intended_date_kwarg": "command", "repeats": "5"}


@pytest.fixture
def retry_schedule() -> Schedule:
    return Schedule.objects.get(name=RETRY_SCHEDULE_NAME)


def row(schedule: Schedule) -> dict:
    return Schedule.objects.values().get(pk=schedule.pk)


def all_rows() -> list[dict]:
    return list(Schedule.objects.order_by("pk").values())


def change_url(schedule: Schedule) -> str:
    return reverse("admin:django_q_schedule_change", args=[schedule.pk])


def in_a_day(hour: int = 9, minute: int = 0) -> datetime:
    return (timezone.localtime() + timedelta(days=1)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def timing(when: datetime | None = None, **overrides) -> dict:
    """Return the POST of the change form as the page sends it: timing fields only."""
    when = when or in_a_day()
    data = {"enabled": "on", "schedule_type": Schedule.MINUTES, "minutes": "2",
            "next_run_0": f"{when:%Y-%m-%d}", "next_run_1": f"{when:%H:%M:%S}"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- nobody creates a schedule or changes what it runs --------------------------------------------

@pytest.mark.parametrize("role", ["owner", "manager"])
def test_no_role_can_create_a_schedule(client, request, role):
    client.force_login(request.getfixturevalue(role))
    before = all_rows()
    response = client.post(reverse("admin:django_q_schedule_add"), {**timing(), **ATTACK})
    assert response.status_code == 403
    assert all_rows() == before


@pytest.mark.parametrize("field", sorted(ATTACK))
def test_owner_cannot_change_what_a_schedule_runs(client, owner, retry_schedule, field):
    client.force_login(owner)
    before = all_rows()
    response = client.post(change_url(retry_schedule), {**timing(), field: ATTACK[field]})
    assert response.status_code == 200
    assert "set in code" in str(response.context["adminform"].form.non_field_errors())
    assert all_rows() == before


def test_owner_cannot_change_what_a_schedule_runs_even_with_every_field_at_once(client, owner, retry_schedule):
    client.force_login(owner)
    before = all_rows()
    client.post(change_url(retry_schedule), {**timing(minutes="7"), **ATTACK})
    assert all_rows() == before


@pytest.mark.parametrize("payload", [{**timing(), **ATTACK}, timing(minutes="7"), {"enabled": ""}])
def test_manager_cannot_change_a_schedule_at_all(client, manager, retry_schedule, payload):
    client.force_login(manager)
    before = all_rows()
    response = client.post(change_url(retry_schedule), payload)
    assert response.status_code == 403
    assert all_rows() == before


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_no_role_can_delete_a_schedule(client, request, retry_schedule, role):
    client.force_login(request.getfixturevalue(role))
    client.post(reverse("admin:django_q_schedule_delete", args=[retry_schedule.pk]), {"post": "yes"})
    client.post(reverse("admin:django_q_schedule_changelist"),
                {"action": "delete_selected", "_selected_action": [retry_schedule.pk], "post": "yes"})
    assert Schedule.objects.filter(pk=retry_schedule.pk).exists()


def test_the_email_retry_schedule_is_still_there_with_its_function(retry_schedule):
    assert retry_schedule.func == RETRY_TASK
    assert import_string(retry_schedule.func) is email_retry_due
    assert (retry_schedule.args, retry_schedule.kwargs, retry_schedule.hook, retry_schedule.cluster) == (
        None, None, None, None)


def test_the_change_page_shows_what_runs_as_text_not_as_inputs(client, owner, retry_schedule):
    client.force_login(owner)
    form = client.get(change_url(retry_schedule)).context["adminform"].form
    assert set(form.fields) == {"enabled", "schedule_type", "minutes", "next_run"} | (
        {"cron"} if schedules.cron_available() else set())


# --- the owner changes when it runs ------------------------------------------------------------

def test_owner_changes_the_interval_and_next_run_and_nothing_else(client, owner, retry_schedule):
    client.force_login(owner)
    before = row(retry_schedule)
    when = in_a_day(hour=10, minute=30)
    response = client.post(change_url(retry_schedule), timing(when, minutes="15"))
    assert response.status_code == 302
    after = row(retry_schedule)
    assert (after["minutes"], after["next_run"]) == (15, when)
    assert {k: v for k, v in after.items() if k not in {"minutes", "next_run"}} == {
        k: v for k, v in before.items() if k not in {"minutes", "next_run"}}


def test_owner_switches_a_schedule_off_and_on(client, owner, retry_schedule):
    client.force_login(owner)
    client.post(change_url(retry_schedule), timing(enabled=None))
    assert row(retry_schedule)["repeats"] == 0
    client.post(change_url(retry_schedule), timing())
    assert row(retry_schedule)["repeats"] == -1


def test_switching_on_keeps_a_schedule_s_remaining_runs(client, owner, retry_schedule):
    Schedule.objects.filter(pk=retry_schedule.pk).update(repeats=3)
    client.force_login(owner)
    client.post(change_url(retry_schedule), timing())
    assert row(retry_schedule)["repeats"] == 3


def test_owner_makes_a_schedule_daily_and_the_minutes_go(client, owner, retry_schedule):
    client.force_login(owner)
    response = client.post(change_url(retry_schedule), timing(schedule_type=Schedule.DAILY, minutes=""))
    assert response.status_code == 302
    assert (row(retry_schedule)["schedule_type"], row(retry_schedule)["minutes"]) == (Schedule.DAILY, None)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"minutes": "0"}, "minutes"),
    ({"minutes": ""}, "minutes"),
    ({"minutes": "40000"}, "minutes"),
    ({"minutes": "-5"}, "minutes"),
    ({"minutes": "1e400"}, "minutes"),
    ({"schedule_type": Schedule.ONCE}, "schedule_type"),  # the scheduler would delete it after one run
    ({"schedule_type": "ZZ"}, "schedule_type"),
    ({"next_run_0": "", "next_run_1": ""}, "next_run"),
    ({"next_run_0": "2020-01-01", "next_run_1": "09:00:00"}, "next_run"),  # millions of catch-up steps
    ({"next_run_0": "not a date"}, "next_run"),
])
def test_owner_gets_a_form_error_for_a_timing_the_scheduler_cannot_run(client, owner, retry_schedule, overrides,
                                                                         field):
    client.force_login(owner)
    before = all_rows()
    response = client.post(change_url(retry_schedule), timing(**overrides))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert all_rows() == before


def test_cron_is_refused_while_croniter_is_not_installed(client, owner, retry_schedule, monkeypatch):
    monkeypatch.setattr(schedules, "croniter", None)
    client.force_login(owner)
    before = all_rows()
    response = client.post(change_url(retry_schedule), timing(schedule_type=Schedule.CRON, cron="0 9 * * *"))
    assert "schedule_type" in response.context["adminform"].form.errors
    assert all_rows() == before


# --- cron, with a stand-in for croniter (it is an optional dependency of Django-Q2) -------------

class FakeCroniter:
    """Understands "M H * * *" only, like croniter for that shape; anything else is a ValueError."""

    def __init__(self, expression: str, start: datetime):
        minute, hour, *rest = expression.split()
        if rest != ["*", "*", "*"] or not (minute.isdigit() and hour.isdigit()) or int(hour) > 23:
            raise ValueError(f"bad cron {expression!r}")
        self.at = start.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
        self.start = start

    def get_next(self, _type):
        return self.at if self.at > self.start else self.at + timedelta(days=1)

    @classmethod
    def expand(cls, expression: str):  # what Django-Q2's model validator calls
        cls(expression, timezone.localtime())


@pytest.fixture
def fake_croniter(monkeypatch):
    import django_q.models

    monkeypatch.setattr(schedules, "croniter", FakeCroniter)
    monkeypatch.setattr(django_q.models, "croniter", FakeCroniter)


@pytest.mark.parametrize("cron", ["", "0 9 * *", "0 99 * * *", "0 9 * * * *", "rm -rf /"])
def test_a_bad_cron_is_a_form_error(client, owner, retry_schedule, fake_croniter, cron):
    client.force_login(owner)
    before = all_rows()
    response = client.post(change_url(retry_schedule), timing(schedule_type=Schedule.CRON, cron=cron))
    assert "cron" in response.context["adminform"].form.errors
    assert all_rows() == before


def test_owner_sets_a_cron_and_the_next_run_follows_it(client, owner, retry_schedule, fake_croniter):
    client.force_login(owner)
    unchanged = timezone.localtime(retry_schedule.next_run)
    response = client.post(change_url(retry_schedule), timing(
        unchanged, schedule_type=Schedule.CRON, cron="30 8 * * *", minutes="",  # and the page's hidden initial:
        **{"initial-next_run_0": f"{unchanged:%Y-%m-%d}", "initial-next_run_1": f"{unchanged:%H:%M:%S}"}))
    assert response.status_code == 302
    after = row(retry_schedule)
    local = timezone.localtime(after["next_run"])
    assert (after["schedule_type"], after["cron"], after["minutes"], local.hour, local.minute) == (
        Schedule.CRON, "30 8 * * *", None, 8, 30)


def test_a_new_cron_sets_the_next_run_to_its_next_time(retry_schedule, fake_croniter):
    schedule = schedules.schedule_set_timing(
        schedule_id=retry_schedule.pk, schedule_type=Schedule.CRON, minutes=None, cron=" 0  9 * * * ", enabled=True)
    local = timezone.localtime(row(schedule)["next_run"])
    assert (schedule.cron, schedule.minutes, local.hour, local.minute) == ("0 9 * * *", None, 9, 0)
    assert local > timezone.localtime()


# --- what the worker does with the switch ----------------------------------------------------

def test_the_scheduler_skips_a_schedule_the_owner_switched_off(client, owner, retry_schedule):
    client.force_login(owner)
    client.post(change_url(retry_schedule), timing(enabled=None))
    Schedule.objects.filter(pk=retry_schedule.pk).update(next_run=timezone.now() - timedelta(minutes=1))
    scheduler(broker=get_broker())
    assert row(retry_schedule)["task"] is None


def test_the_scheduler_runs_a_schedule_switched_back_on(client, owner, retry_schedule):
    client.force_login(owner)
    client.post(change_url(retry_schedule), timing(enabled=None))
    client.post(change_url(retry_schedule), timing())
    Schedule.objects.filter(pk=retry_schedule.pk).update(next_run=timezone.now() - timedelta(minutes=1))
    scheduler(broker=get_broker())
    assert row(retry_schedule)["task"] is not None


# --- task records ---------------------------------------------------------------------------

def make_failure() -> Failure:
    return Failure.objects.create(id="f1", name="failed", func="math.floor", args=(1.5,), started=timezone.now(),
                                  stopped=timezone.now(), success=False)


@pytest.mark.parametrize(("label", "maker"), [
    ("failure", make_failure),
    ("success", lambda: Success.objects.create(id="s1", name="done", func="math.floor", args=(1.5,),
                                               started=timezone.now(), stopped=timezone.now(), success=True)),
])
def test_nobody_resubmits_or_deletes_a_task_record(client, owner, label, maker):
    task = maker()
    client.force_login(owner)
    for action in ("resubmit_task", "delete_selected"):
        client.post(reverse(f"admin:django_q_{label}_changelist"),
                    {"action": action, "_selected_action": [task.pk], "post": "yes"})
    assert Success.objects.count() + Failure.objects.count() == 1  # nothing re-ran, nothing went


def test_owner_cannot_edit_a_queued_task(client, owner):
    queued = OrmQ.objects.create(key="galla", payload="x", lock=timezone.now())
    client.force_login(owner)
    response = client.post(reverse("admin:django_q_ormq_change", args=[queued.pk]), {"key": "other", "lock": ""})
    assert response.status_code == 403
    assert OrmQ.objects.values_list("key", flat=True).get(pk=queued.pk) == "galla"


def test_manager_sees_the_last_run_without_a_link_to_results_they_cannot_open(client, manager, retry_schedule):
    client.force_login(manager)
    html = client.get(reverse("admin:django_q_schedule_changelist")).content.decode()
    assert RETRY_SCHEDULE_NAME in html
    assert "/django_q/success/" not in html and "/django_q/failure/" not in html
