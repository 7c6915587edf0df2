"""The impact-list tables as Django models (TermImpactBuild, TermImpact), one schema on both
databases.

Migrations 0005–0007 wrote them in raw SQL, twice, with different schemas (a partial unique
index on PostgreSQL only, a column patched in on SQLite). The lists are derived data, rebuilt
by every `paperfeed index` whose fingerprint differs, so the old tables are dropped rather
than converted: until the next `paperfeed index` the lexical leg scores every word itself,
exactly as before the first build.
"""

from django.db import migrations, models

DROP = ["DROP TABLE IF EXISTS search_term_impact", "DROP TABLE IF EXISTS search_term_impact_build"]


class Migration(migrations.Migration):
    dependencies = [("search", "0007_sqlite_average_length")]

    operations = [
        # Going back would need the raw tables of 0005–0007 again; lists are rebuilt anyway.
        migrations.RunSQL(DROP, reverse_sql=migrations.RunSQL.noop),
        migrations.CreateModel(
            name="TermImpactBuild",
            fields=[
                ("generation", models.IntegerField(primary_key=True, serialize=False)),
                ("state", models.CharField(choices=[("building", "Building"), ("current", "Current"), ("retired", "Retired")], max_length=8)),
                ("built_max_rowid", models.BigIntegerField()),
                ("papers", models.BigIntegerField()),
                ("average_length", models.FloatField(default=0)),
                ("threshold", models.IntegerField()),
                ("list_length", models.IntegerField()),
                ("fingerprint", models.CharField(max_length=64)),
                ("terms", models.IntegerField(default=0)),
                ("started_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(null=True)),
            ],
            options={
                "db_table": "search_term_impact_build",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("state__in", ["building", "current", "retired"])),
                        name="search_term_impact_build_state",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("state", "current")),
                        fields=("state",),
                        name="search_term_impact_build_current",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="TermImpact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("generation", models.IntegerField()),
                ("term", models.TextField()),
                ("papers", models.IntegerField()),
                ("scale", models.FloatField()),
                ("best_impact", models.IntegerField()),
                ("ids", models.BinaryField()),
                ("impacts", models.BinaryField()),
            ],
            options={
                "db_table": "search_term_impact",
                "constraints": [
                    models.UniqueConstraint(fields=("generation", "term"), name="search_term_impact_term")
                ],
            },
        ),
    ]
