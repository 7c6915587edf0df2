"""Subscriptions stored with a period no digest run sends ("hourly", or any text the settings
page took before it checked) become daily: they had silently stopped, and daily is what the
forms offer first."""

from django.db import migrations

KNOWN = ("daily", "weekly")


def unknown_to_daily(apps, schema_editor):
    Subscription = apps.get_model("digests", "Subscription")
    # The database being migrated, which is not always the default one (migrate-data's target).
    database = schema_editor.connection.alias
    Subscription.objects.using(database).exclude(period__in=KNOWN).update(period="daily")


class Migration(migrations.Migration):
    dependencies = [("digests", "0001_initial")]

    operations = [migrations.RunPython(unknown_to_daily, migrations.RunPython.noop)]
