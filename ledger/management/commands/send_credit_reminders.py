from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ledger.reminders import credit_reminders_send


class Command(BaseCommand):
    help = ("Queue this week's credit reminders (what the weekly schedule runs): customers owing longer than the "
            "shop's reminder age. Safe to rerun: each customer gets one reminder per ISO week.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to remind as of, YYYY-MM-DD (default today).")

    def handle(self, *args, **options):
        try:
            as_of = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("Give --date as YYYY-MM-DD, like 2026-11-24.") from None
        run = credit_reminders_send(as_of=as_of)
        self.stdout.write(f"{run.period}: {len(run.emails)} reminder(s) by email; {len(run.without_email)} "
                          f"customer(s) without email listed for the owner ({len(run.owner_emails)} email(s)).")
