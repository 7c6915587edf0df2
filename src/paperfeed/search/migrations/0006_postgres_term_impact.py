"""Impact lists for common lexemes of the PostgreSQL keyword index (search.impact).

The tables of migration 0005 (SQLite's), for PostgreSQL: one row per build, one row per
common lexeme and build with its papers and their BM25 contributions (bytea). The build row
also keeps the collection statistics the lists were scored with — the number of papers
(`papers`) and the average document length (`average_length`) — because on PostgreSQL the
lexical leg scores the rare words itself and must use the same ones (search.engines.postgres_bm25).
On SQLite FTS5 keeps those statistics, and this migration does nothing.
"""

from django.db import migrations

from paperfeed.search.migrations._postgres_only import run_on_postgres

CREATE = [
    """CREATE TABLE search_term_impact_build (
        generation integer PRIMARY KEY,
        state text NOT NULL CHECK (state IN ('building', 'current', 'retired')),
        built_max_rowid bigint NOT NULL,
        papers bigint NOT NULL,
        average_length double precision NOT NULL DEFAULT 0,
        threshold integer NOT NULL,
        list_length integer NOT NULL,
        fingerprint text NOT NULL,
        terms integer NOT NULL DEFAULT 0,
        started_at text NOT NULL,
        finished_at text
    )""",
    # At most one current build: the switch in search.impact_build relies on it.
    "CREATE UNIQUE INDEX search_term_impact_build_current ON search_term_impact_build (state) WHERE state = 'current'",
    """CREATE TABLE search_term_impact (
        generation integer NOT NULL,
        term text NOT NULL,
        papers integer NOT NULL,
        scale double precision NOT NULL,
        best_impact integer NOT NULL,
        ids bytea NOT NULL,
        impacts bytea NOT NULL,
        PRIMARY KEY (generation, term)
    )""",
]
DROP = [
    "DROP TABLE IF EXISTS search_term_impact",
    "DROP TABLE IF EXISTS search_term_impact_build",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0005_term_impact")]
    operations = [migrations.RunPython(run_on_postgres(CREATE), run_on_postgres(DROP))]
