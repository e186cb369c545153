"""When Galla's Django-Q2 schedules run: the one thing about them a person may change.

The worker imports and calls whatever dotted path a schedule's `func` (and `hook`) names, with its
stored arguments, so those are set in code by data migrations and never typed by anyone. The owner
changes only the timing and switches a schedule on or off; Django-Q2's scheduler skips a schedule
whose `repeats` is 0, so "off" is repeats 0 and "on" is -1 (forever).
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.conf import croniter
from django_q.models import Schedule

# Columns of a schedule set in code: what runs, with what, where. Nobody changes them in the admin.
LOCKED_FIELDS = ("name", "func", "hook", "args", "kwargs", "cluster", "task", "intended_date_kwarg")
TIMING_FIELDS = ("schedule_type", "minutes", "cron", "next_run", "repeats")
MAX_MINUTES = 32767  # the largest value the minutes column (a positive small integer) holds
# A past next_run makes the scheduler step forward one interval at a time until it reaches the
# present: from long ago that is millions of steps for a one-minute schedule, inside the worker.
OLDEST_NEXT_RUN = timedelta(days=1)


def cron_available() -> bool:
    """True when croniter is installed: without it Django-Q2 cannot compute a cron schedule's next run."""
    return croniter is not None


def schedule_type_choices() -> list[tuple[str, str]]:
    """Return the kinds of timing an owner may pick.

    "Once" is left out: the scheduler deletes a once-only schedule after it runs, and a schedule
    defined in code would be gone. "Cron" only when croniter is installed.
    """
    offered = [choice for choice in Schedule.TYPE if choice[0] != Schedule.ONCE]
    return [choice for choice in offered if choice[0] != Schedule.CRON or cron_available()]


def validate_schedule_timing(*, schedule_type: str, minutes: int | None, cron: str | None,
                             next_run: datetime | None = None) -> None:
    """Raise ValidationError keyed by field unless the scheduler can run this timing without failing.

    next_run is checked when given (None: the stored one is kept)."""
    errors: dict[str, list] = {}
    if schedule_type not in dict(schedule_type_choices()):
        errors["schedule_type"] = [_("Pick how often it runs from the list.")]
    if schedule_type == Schedule.MINUTES and not (isinstance(minutes, int) and 1 <= minutes <= MAX_MINUTES):
        errors["minutes"] = [_("Enter the number of minutes between runs, from 1 to %(max)d.") % {"max": MAX_MINUTES}]
    if schedule_type == Schedule.CRON and cron_available():
        try:
            next_cron_run(cron or "")
        except ValidationError as error:
            errors["cron"] = error.messages
    if next_run is not None and next_run < timezone.now() - OLDEST_NEXT_RUN:
        errors["next_run"] = [_("Pick a time from today on; this one is more than a day ago.")]
    if errors:
        raise ValidationError(errors)


def next_cron_run(cron: str) -> datetime:
    """Return when a cron expression ("minute hour day month weekday", shop's time zone) next fires.

    Raise ValidationError keyed "cron" for anything else, including an expression that never fires
    (31 February); the scheduler would otherwise fail on it at every pass, holding up every schedule.
    """
    fields = cron.split()
    if len(fields) != 5:
        raise ValidationError({"cron": [_("Enter five parts: minute hour day month weekday, e.g. 0 9 * * *.")]})
    try:
        return croniter(" ".join(fields), timezone.localtime()).get_next(datetime)
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as error:
        # croniter's errors (CroniterBadCronError, CroniterBadDateError) are ValueErrors.
        raise ValidationError({"cron": [_("This is not a cron expression that ever runs: %(error)s")
                                        % {"error": error}]}) from None


def schedule_set_timing(*, schedule_id: int, schedule_type: str, minutes: int | None, cron: str | None,
                        enabled: bool, next_run: datetime | None = None) -> Schedule:
    """Change when a schedule runs and whether it runs at all; touch nothing else of it. Return the row.

    next_run None keeps the stored next run, except that a changed cron moves it to the cron's next
    time, so the first run after the change already follows it. Minutes and cron are kept only for
    the type that uses them.
    """
    validate_schedule_timing(schedule_type=schedule_type, minutes=minutes, cron=cron, next_run=next_run)
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().get(pk=schedule_id)
        cron = " ".join(cron.split()) if schedule_type == Schedule.CRON and cron else None
        if next_run is None and schedule_type == Schedule.CRON and (cron, schedule_type) != (
                schedule.cron, schedule.schedule_type):
            next_run = next_cron_run(cron)
        next_run = next_run or schedule.next_run
        if next_run is None:  # the scheduler never picks up a schedule without one
            raise ValidationError({"next_run": [_("Enter when it should run next.")]})
        schedule.schedule_type = schedule_type
        schedule.minutes = minutes if schedule_type == Schedule.MINUTES else None
        schedule.cron = cron
        schedule.next_run = next_run
        if not enabled:
            schedule.repeats = 0
        elif schedule.repeats == 0:
            schedule.repeats = -1  # a schedule with a count left keeps it
        schedule.full_clean(exclude=LOCKED_FIELDS)
        schedule.save(update_fields=TIMING_FIELDS)
    return schedule
