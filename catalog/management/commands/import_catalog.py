"""python manage.py import_catalog <kind> <file> [--dry-run] [--user NAME]: import a large catalogue file.

Unlike the admin's upload, the command takes any number of rows (the column limit still holds).
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from catalog.importing import FORMATS, import_file
from catalog.resources import RESOURCES
from shop.models import User
from shop.spreadsheets import SheetLimits

MAX_ERRORS_SHOWN = 100


class ProgressBar:
    """A one-line text progress bar, redrawn only when the percentage changes."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.shown = -1

    def update(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.WIDTH * percent // 100
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {percent:3d}%  {done:,}/{total:,} rows", ending="")
        self.stream.flush()

    def finish(self) -> None:
        if self.shown >= 0:
            self.stream.write("")


class Command(BaseCommand):
    help = ("Import a catalogue file (.csv or .xlsx) all-or-nothing: when any row is bad nothing is saved "
            "and the bad rows are listed.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(RESOURCES), help="What the file holds.")
        parser.add_argument("file", type=Path, help="A .csv (UTF-8) or .xlsx file; the first row holds the headers.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and save nothing.")
        parser.add_argument("--user", help="Username recorded on history and stock movements (needs import rights).")

    def handle(self, *args, kind: str, file: Path, dry_run: bool, user: str | None, **options):
        if not file.is_file():
            raise CommandError(f"There is no file {file}.")
        if file.suffix.lower() not in FORMATS:
            raise CommandError(f"Import a .csv or .xlsx file (this one is {file.suffix or 'without extension'}).")
        importer = User.objects.filter(username=user).first() if user else None
        if user and importer is None:
            raise CommandError(f"There is no user {user!r}.")

        self.stderr.write(f"Reading {file.name}...")
        bar = ProgressBar(self.stderr)
        try:
            report = import_file(kind=kind, path_or_bytes=file, user=importer, dry_run=dry_run, progress=bar.update,
                                 limits=SheetLimits.for_command())
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        finally:
            bar.finish()

        if not report.ok:
            lines = [f"  {error}" for error in report.errors[:MAX_ERRORS_SHOWN]]
            if len(report.errors) > MAX_ERRORS_SHOWN:
                lines.append(f"  ... and {len(report.errors) - MAX_ERRORS_SHOWN} more.")
            raise CommandError("\n".join([f"{report.summary()} ({file.name})", *lines]))
        self.stdout.write(self.style.SUCCESS(report.summary()))
