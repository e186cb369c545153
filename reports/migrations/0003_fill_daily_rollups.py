"""Fill the daily rollups from the sales already recorded, so an upgraded shop's reports start complete."""

from django.db import migrations


def fill(apps, schema_editor):
    # The rebuild reads named columns of invoices, lines, payments and credit notes that exist since the
    # sales app's first migrations; on a new database it has nothing to read.
    from reports.rollup_rebuild import rollups_rebuild

    if apps.get_model("sales", "Invoice").objects.exists():
        rollups_rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_daily_rollups"),
        ("sales", "0008_payment_method_bank"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
