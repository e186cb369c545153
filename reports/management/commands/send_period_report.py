import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reports.summaries import monthly_report_send, weekly_report_send


def parse_week(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-W(\d{1,2})", text)
    if not match or not 1 <= int(match[2]) <= 53:
        raise CommandError(f"--week must look like 2026-W47, not {text!r}.")
    year, week = int(match[1]), int(match[2])
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise CommandError(f"{year} has no week {week}.") from None
    return year, week


def parse_month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise CommandError(f"--month must look like 2026-11, not {text!r}.")
    return int(match[1]), int(match[2])


class Command(BaseCommand):
    help = ("Email the owner and managers the weekly or monthly report with its spreadsheet, as the Monday and "
            "1st-of-the-month schedules do. Safe to rerun: a period's report goes to each address once.")

    def add_arguments(self, parser):
        period = parser.add_mutually_exclusive_group(required=True)
        period.add_argument("--week", help="An ISO week, e.g. 2026-W47.")
        period.add_argument("--month", help="A month, e.g. 2026-11.")

    def handle(self, *args, **options):
        if options["week"]:
            emails = weekly_report_send(week=parse_week(options["week"]))
        else:
            emails = monthly_report_send(month=parse_month(options["month"]))
        self.stdout.write(f"{len(emails)} report email(s) queued or already queued: "
                          + (", ".join(email.to for email in emails) or "nobody has an email address"))
