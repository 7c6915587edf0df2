"""The keyword index of each database, in SQL: Django has no operations for it, so
search/migrations/0001_initial.py runs these after its generated ones.

SQLite: `paper_fts`, an external-content FTS5 table over papers_paper, kept right by triggers
(rather than application code) on every write path: the store, the admin, a bulk update, a
shell. The insert trigger stands aside while `paper_fts_deferred` holds a row, so a batch
insert can index its papers in one statement (search.engines.sqlite.SqliteEngine.batch_insert);
only the store's transaction ever puts a row there, and removes it before committing.

PostgreSQL: `papers_paper.search_document`, a weighted tsvector column GENERATED ... STORED, so
PostgreSQL itself keeps it right on every write path, and a GIN index on it. Title, abstract
and authors carry the weights A, B and C (search.engines.postgres ranks them 3 : 1 : 1, as
FIELD_WEIGHTS does on SQLite). Diacritics are folded by `paperfeed_fold`, an IMMUTABLE
translate() (a generated column may only call immutable functions, and the `unaccent`
extension is neither immutable nor installed everywhere): "Balazs" finds "Balázs", as FTS5's
remove_diacritics does.

`on(vendor, statements)` runs a list only on its own database and does nothing on the other
(a RunPython step that checks the vendor: RunSQL cannot be made conditional).

Caveats for later migrations of papers_paper:
- PostgreSQL refuses to change the type of a column a generated column reads: a migration
  altering title, abstract or authors_text must drop search_document first and add it again
  (POSTGRES_DROP and POSTGRES_CREATE).
- On SQLite, Django rebuilds a table to add a NOT NULL column or change most columns
  (create a copy, drop the old one, rename): dropping the table drops its triggers. Such a
  migration must re-create them afterwards: `RunPython(on("sqlite", SQLITE_TRIGGERS))`, with a
  dependency on ("search", "0001_initial") (tests/test_migrations.py checks an upgrade).
"""

import unicodedata


def _fold_table() -> tuple[str, str]:
    """Latin letters with diacritics → their base letter (Latin-1 to Latin Extended-B).

    Canonical decompositions of these letters are frozen by Unicode's stability policy, so
    the table is the same whichever Python builds it."""
    source, target = "øØđĐłŁħĦıŧŦ", "oOdDlLhHitT"  # no decomposition, but a plain base letter
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            source, target = source + char, target + base
    return source, target


_SOURCE, _TARGET = _fold_table()
# Letters that fold to two: translate() maps one character to one.
_PAIRS = [("ß", "ss"), ("æ", "ae"), ("Æ", "AE"), ("œ", "oe"), ("Œ", "OE")]
_FOLDED = "$1"
for _char, _plain in _PAIRS:
    _FOLDED = f"replace({_FOLDED}, '{_char}', '{_plain}')"

SQLITE_TRIGGERS = [
    """CREATE TRIGGER paper_fts_insert AFTER INSERT ON papers_paper
        WHEN NOT EXISTS (SELECT 1 FROM paper_fts_deferred) BEGIN
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
]
SQLITE_CREATE = [
    # porter: "optimizers" finds "optimizer"; remove_diacritics 2: "Balazs" finds "Balázs".
    """CREATE VIRTUAL TABLE paper_fts USING fts5(
        title, abstract, authors_text,
        content='papers_paper', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    "CREATE TABLE paper_fts_deferred (flag INTEGER NOT NULL)",
    *SQLITE_TRIGGERS,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS paper_fts_update",
    "DROP TRIGGER IF EXISTS paper_fts_delete",
    "DROP TRIGGER IF EXISTS paper_fts_insert",
    "DROP TABLE IF EXISTS paper_fts_deferred",
    "DROP TABLE IF EXISTS paper_fts",
]

POSTGRES_CREATE = [
    f"""CREATE FUNCTION paperfeed_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT translate({_FOLDED}, '{_SOURCE}', '{_TARGET}') $$""",
    """ALTER TABLE papers_paper ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', paperfeed_fold(coalesce(title, ''))), 'A')
        || setweight(to_tsvector('english', paperfeed_fold(coalesce(abstract, ''))), 'B')
        || setweight(to_tsvector('english', paperfeed_fold(coalesce(authors_text, ''))), 'C')
    ) STORED""",
    "CREATE INDEX paper_search_document ON papers_paper USING gin (search_document)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS paper_search_document",
    "ALTER TABLE papers_paper DROP COLUMN IF EXISTS search_document",
    "DROP FUNCTION IF EXISTS paperfeed_fold(text)",
]


def on(vendor: str, statements: list[str]):
    """A RunPython step that runs `statements` on `vendor`'s databases and does nothing on others."""

    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != vendor:
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return apply
