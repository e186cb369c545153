from django.core.management.base import BaseCommand
from django.utils import timezone
from django_q.models import Schedule

from shop.notifications.schedules import schedules_ensure


class Command(BaseCommand):
    help = ("Create or update every Django-Q2 schedule Galla runs (shop.notifications.schedules.SCHEDULES). "
            "Safe to run again: existing schedules keep the times and on/off switch set in the admin.")

    def handle(self, *args, **options):
        for row in schedules_ensure(Schedule):
            state = "on" if row.repeats != 0 else "off"
            self.stdout.write(f"{row.name}: {row.func}, {row.get_schedule_type_display().lower()}, "
                              f"next {timezone.localtime(row.next_run):%Y-%m-%d %H:%M %Z} ({state})")
