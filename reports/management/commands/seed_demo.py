from django.core.management.base import BaseCommand

from reports.demo import DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = "Load demo data: a kirana shop, three users (owner, manager, cashier) and a catalogue. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=0,
                            help="Also make sure this many generated products exist (for benchmarks).")

    def handle(self, *args, products, **options):
        result = seed_demo(products=products)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {result.products_created} products added, "
            f"{len(result.users_created)} users added."))
        self.stdout.write("Demo logins (username / password):")
        for username, password, role, _name in DEMO_USERS:
            self.stdout.write(f"  {role:<8} {username} / {password}")
