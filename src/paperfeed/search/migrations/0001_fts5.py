"""Full-text index for SQLite: an FTS5 table over papers_paper, kept in sync by triggers.

Triggers (rather than application code) keep the index right on every write path: the
store, the admin, a bulk update, a shell. Other databases get their own index in their own
migration; on them this one does nothing.
"""

from django.db import migrations

from paperfeed.search.migrations._sqlite_only import run_on_sqlite

# porter: "optimizers" finds "optimizer"; remove_diacritics 2: "Balazs" finds "Balázs".
CREATE = [
    """CREATE VIRTUAL TABLE paper_fts USING fts5(
        title, abstract, authors_text,
        content='papers_paper', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER paper_fts_insert AFTER INSERT ON papers_paper BEGIN
        INSERT INTO paper_fts(rowid, title, abstract, authors_text)
        VALUES (new.id, new.title, new.abstract, new.authors_text);
    END""",
    """CREATE TRIGGER paper_fts_delete AFTER DELETE ON papers_paper BEGIN
        INSERT INTO paper_fts(paper_fts, rowid, title, abstract, authors_text)
        VALUES ('delete', old.id, old.title, old.abstract, old.authors_text);
    END""",
    """CREATE TRIGGER paper_fts_update AFTER UPDATE OF title, abstract, authors_text ON papers_paper BEGIN
        INSERT INTO paper_fts(paper_fts, rowid, title, abstract, authors_text)
        VALUES ('delete', old.id, old.title, old.abstract, old.authors_text);
        INSERT INTO paper_fts(rowid, title, abstract, authors_text)
        VALUES (new.id, new.title, new.abstract, new.authors_text);
    END""",
    "INSERT INTO paper_fts(paper_fts) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS paper_fts_update",
    "DROP TRIGGER IF EXISTS paper_fts_delete",
    "DROP TRIGGER IF EXISTS paper_fts_insert",
    "DROP TABLE IF EXISTS paper_fts",
]


class Migration(migrations.Migration):
    dependencies = [("papers", "0001_initial")]
    operations = [migrations.RunPython(run_on_sqlite(CREATE), run_on_sqlite(DROP))]
