"""A clock for writing the demo's history: the real services run as if it were an earlier moment.

Galla stamps its records with `django.utils.timezone.now()` and asks `timezone.localdate()` for today,
always through the module (`from django.utils import timezone`); localdate() and localtime() call the
module's own `now`. So replacing that one attribute moves every service, Django's `auto_now` fields and
simple-history's history dates. What it cannot reach are model fields declared `default=timezone.now`:
those hold the function itself (DayBookEntry.created_at, DayClosing.closed_at, User.date_joined...),
so their defaults are pointed at the clock as well while it runs.

Only the demo seeder (and its tests) use this. It is not thread-safe: never enter it while serving requests.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.apps import apps
from django.utils import timezone

_REAL_NOW = timezone.now
_clocks: list["DemoClock"] = []
_patched_fields: list = []


class DemoClock:
    """The time the services see: set by the seeder before each event, and never moving by itself."""

    def __init__(self, moment: datetime):
        self.set(moment)

    def set(self, moment: datetime) -> None:
        if timezone.is_naive(moment):
            raise ValueError("The demo clock needs an aware datetime.")
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def _clock_now() -> datetime:
    return _clocks[-1].now()


def _fields_defaulting_to_now() -> list:
    return [field for model in apps.get_models() for field in model._meta.concrete_fields
            if field.default is _REAL_NOW]


def _install() -> None:
    timezone.now = _clock_now
    for field in _fields_defaulting_to_now():
        # Field.get_default() calls the cached `_get_default`; an instance attribute takes its place.
        field._get_default = _clock_now
        _patched_fields.append(field)


def _uninstall() -> None:
    timezone.now = _REAL_NOW
    while _patched_fields:
        del _patched_fields.pop().__dict__["_get_default"]


@contextmanager
def demo_clock(moment: datetime) -> Iterator[DemoClock]:
    """Run the block with timezone.now() (and the model defaults that are it) returning the clock's time.

    Clocks nest: the innermost one is in force, and leaving the outermost puts the real time back.
    """
    clock = DemoClock(moment)
    if not _clocks:
        _install()
    _clocks.append(clock)
    try:
        yield clock
    finally:
        _clocks.pop()
        if not _clocks:
            _uninstall()
