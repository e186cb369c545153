from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Billing"

    def ready(self):
        from sales import checks  # noqa: F401  registers the PDF font checks
