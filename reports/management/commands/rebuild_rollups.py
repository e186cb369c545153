"""Rebuild the daily rollup tables from the raw sales tables: `manage.py rebuild_rollups [--start D --end D]`."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reports.rollup_rebuild import rollups_rebuild


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a day like 2026-04-01.") from None


class Command(BaseCommand):
    help = "Rebuild the daily sales rollups (per product, payment method and hour) from invoices and credit notes."

    def add_arguments(self, parser):
        parser.add_argument("--start", type=_day, help="First day to rebuild (YYYY-MM-DD); default: the first sale.")
        parser.add_argument("--end", type=_day, help="Last day to rebuild (YYYY-MM-DD); default: the last sale.")

    def handle(self, *args, start=None, end=None, **options):
        if start and end and end < start:
            raise CommandError("--end is before --start.")
        written = rollups_rebuild(start=start, end=end)
        self.stdout.write(", ".join(f"{name}: {count} rows" for name, count in written.items()))
