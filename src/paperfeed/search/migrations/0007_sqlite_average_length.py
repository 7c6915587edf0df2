"""The build row's average length on SQLite too, so both databases have one schema.

PostgreSQL's table has it from migration 0006 (its BM25 scores rare words with the build's
statistics). On SQLite FTS5 keeps its own statistics and the column stays 0.
"""

from django.db import migrations

from paperfeed.search.migrations._sqlite_only import run_on_sqlite

ADD = ["ALTER TABLE search_term_impact_build ADD COLUMN average_length REAL NOT NULL DEFAULT 0"]
DROP = ["ALTER TABLE search_term_impact_build DROP COLUMN average_length"]


class Migration(migrations.Migration):
    dependencies = [("search", "0006_postgres_term_impact")]
    operations = [migrations.RunPython(run_on_sqlite(ADD), run_on_sqlite(DROP))]
