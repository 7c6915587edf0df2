"""Impact lists for common terms of the SQLite keyword index (search.impact).

Two tables, SQLite only (on PostgreSQL the lexical leg is another engine and this does
nothing): one row per build (`generation`), one row per common term and build holding its
papers and their BM25 contributions. `paperfeed index` writes a new generation beside
the current one and switches to it in one short transaction, so searches never see a
half-built set; the previous generation is deleted afterwards.
"""

from django.db import migrations

from paperfeed.search.migrations._sqlite_only import run_on_sqlite

CREATE = [
    """CREATE TABLE search_term_impact_build (
        generation INTEGER PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('building', 'current', 'retired')),
        built_max_rowid INTEGER NOT NULL,
        papers INTEGER NOT NULL,
        threshold INTEGER NOT NULL,
        list_length INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        terms INTEGER NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL,
        finished_at TEXT
    )""",
    # A rowid table, not WITHOUT ROWID: rows hold blobs of up to megabytes.
    # ids: every paper holding the term at the build, ascending (uint32); impacts: their BM25
    # contributions as multiples of `scale` (uint16); the term's best papers are those with an
    # impact of at least `best_impact`. See search.impact.
    """CREATE TABLE search_term_impact (
        generation INTEGER NOT NULL,
        term TEXT NOT NULL,
        papers INTEGER NOT NULL,
        scale REAL NOT NULL,
        best_impact INTEGER NOT NULL,
        ids BLOB NOT NULL,
        impacts BLOB NOT NULL
    )""",
    "CREATE UNIQUE INDEX search_term_impact_term ON search_term_impact (generation, term)",
]
DROP = [
    "DROP TABLE IF EXISTS search_term_impact",
    "DROP TABLE IF EXISTS search_term_impact_build",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0004_postgres_fts")]
    operations = [migrations.RunPython(run_on_sqlite(CREATE), run_on_sqlite(DROP))]
