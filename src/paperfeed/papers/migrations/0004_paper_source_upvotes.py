"""Paper.source_upvotes: the source's count of a paper, once, instead of a sum over its days."""

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def fill_from_daily_entries(apps, schema_editor):
    # The database being migrated, which is not always the default one (`paperfeed migrate-data`
    # migrates its target through another alias).
    using = schema_editor.connection.alias
    Paper = apps.get_model("papers", "Paper")
    DailyEntry = apps.get_model("papers", "DailyEntry")
    highest = (
        DailyEntry.objects.using(using).filter(paper=OuterRef("pk")).order_by().values("paper").annotate(top=Max("upvotes")).values("top")
    )
    voted = DailyEntry.objects.using(using).filter(upvotes__gt=0).values("paper")
    Paper.objects.using(using).filter(pk__in=voted).update(source_upvotes=Subquery(highest))


class Migration(migrations.Migration):
    dependencies = [("papers", "0003_community_counters_and_submitter")]

    operations = [
        migrations.AddField(
            model_name="paper",
            name="source_upvotes",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.RunPython(fill_from_daily_entries, migrations.RunPython.noop),
    ]
