"""Let a batch insert index its papers in one statement (see search.engines.sqlite.SqliteEngine.batch_insert).

The insert trigger now stands aside while paper_fts_deferred holds a row; only the store's
transaction ever puts one there, and removes it before committing.
"""

from django.db import migrations

from paperfeed.search.migrations._sqlite_only import run_on_sqlite

CREATE = [
    "CREATE TABLE paper_fts_deferred (flag INTEGER NOT NULL)",
    "DROP TRIGGER paper_fts_insert",
    """CREATE TRIGGER paper_fts_insert AFTER INSERT ON papers_paper
        WHEN NOT EXISTS (SELECT 1 FROM paper_fts_deferred) BEGIN
        INSERT INTO paper_fts(rowid, title, abstract, authors_text)
        VALUES (new.id, new.title, new.abstract, new.authors_text);
    END""",
]
DROP = [
    "DROP TRIGGER paper_fts_insert",
    """CREATE TRIGGER paper_fts_insert AFTER INSERT ON papers_paper BEGIN
        INSERT INTO paper_fts(rowid, title, abstract, authors_text)
        VALUES (new.id, new.title, new.abstract, new.authors_text);
    END""",
    "DROP TABLE paper_fts_deferred",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0001_fts5")]
    operations = [migrations.RunPython(run_on_sqlite(CREATE), run_on_sqlite(DROP))]
