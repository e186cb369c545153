from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.summaries import daily_summary_send


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must be a date like 2026-11-24, not {text!r}.") from None


class Command(BaseCommand):
    help = ("Email the owner and managers the summary of a day (yesterday by default), as the 9:00 schedule does. "
            "Safe to rerun: a day's summary goes to each address once.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to summarise, YYYY-MM-DD (default: yesterday).")

    def handle(self, *args, **options):
        day = parse_day(options["date"]) if options["date"] else timezone.localdate() - timedelta(days=1)
        if day > timezone.localdate():
            raise CommandError(f"{day} has not happened yet.")
        emails = daily_summary_send(day=day)
        self.stdout.write(f"Summary of {day}: {len(emails)} email(s) queued or already queued: "
                          + (", ".join(email.to for email in emails) or "nobody has an email address"))
