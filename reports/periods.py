"""Days in the shop's time zone: the boundaries reports filter on, and the day and hour a moment falls in."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Return [since, until): midnight starting `start` and midnight after `end`, in the shop's time zone."""
    zone = timezone.get_default_timezone()  # the shop's (settings.TIME_ZONE), whoever asks
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return since, until


def local_day_and_hour(moment: datetime) -> tuple[date, int]:
    """Return the shop's calendar day and hour (0-23) of a moment."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return local.date(), local.hour


def days_between(start: date, end: date) -> list[date]:
    """Return every day from start to end, both included."""
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
