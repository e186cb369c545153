import time

from django.core.management.base import BaseCommand, CommandError

from reports.demo import DEMO_USERS, seed_demo
from reports.demo_history import DEFAULT_BILLS_PER_DAY, HistoryRefused, Trading, seed_history


class Command(BaseCommand):
    help = ("Load demo data: a kirana shop, three users (owner, manager, cashier) and a catalogue; with --days, also "
            "a history of that many days written through the real services. Safe to re-run: a history is "
            "written only into a fresh database, and a second run says so and adds nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=0,
                            help="Also make sure this many generated products exist (for benchmarks).")
        parser.add_argument("--days", type=int, default=0,
                            help="Write this many closed days of trading before today, and today's bills so far.")
        parser.add_argument("--seed", type=int, default=1,
                            help="Seed of the random choices: the same seed on a fresh database, the same history.")
        parser.add_argument("--bills-per-day", type=int, default=DEFAULT_BILLS_PER_DAY,
                            help=f"Bills on an average day (default {DEFAULT_BILLS_PER_DAY}); weekends and "
                                 "festival eves get more.")

    def handle(self, *args, products, days, seed, bills_per_day, **options):
        if days < 0 or bills_per_day < 1:
            raise CommandError("--days cannot be negative and --bills-per-day must be at least 1.")
        if days:
            started = time.monotonic()
            try:
                counts = seed_history(days=days, seed=seed, trading=Trading(bills_per_day=bills_per_day))
            except HistoryRefused as refusal:
                self.stdout.write(self.style.WARNING(str(refusal)))
            else:
                self.stdout.write(self.style.SUCCESS(
                    f"Demo history written in {time.monotonic() - started:.1f} s: {counts.summary()}"))
        result = seed_demo(products=products)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {result.products_created} products added, "
            f"{len(result.users_created)} users added."))
        self.stdout.write("Demo logins (username / password):")
        for username, password, role, _name in DEMO_USERS:
            self.stdout.write(f"  {role:<8} {username} / {password}")
