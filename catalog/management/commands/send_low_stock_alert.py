from django.core.management.base import BaseCommand

from catalog.alerts import low_stock_alert_send


class Command(BaseCommand):
    help = ("Email the owner and managers the products that fell to their reorder level since the last alert "
            "(what the morning schedule runs). Safe to rerun: a product is reported once until it recovers.")

    def handle(self, *args, **options):
        alert = low_stock_alert_send()
        self.stdout.write(f"{len(alert.rows)} product(s) newly low, {alert.still_low} still low from before; "
                          f"{len(alert.emails)} email(s) queued.")
