"""Full-text index for PostgreSQL: a weighted tsvector column on papers_paper and a GIN index.

The column is GENERATED ... STORED, so PostgreSQL itself keeps it right on every write path
(the store, the admin, a bulk update, a shell), as SQLite's triggers do for FTS5. Title,
abstract and authors carry the weights A, B and C (search.engines.postgres ranks them
3 : 1 : 1, as FIELD_WEIGHTS does on SQLite).

Diacritics are folded by `paperfeed_fold`, an IMMUTABLE translate() (a generated column may
only call immutable functions, and the `unaccent` extension is neither immutable nor
installed everywhere): "Balazs" finds "Balázs", as FTS5's remove_diacritics does.

Caveat for later migrations: PostgreSQL refuses to change the type of a column a generated
column reads; a migration altering title, abstract or authors_text must drop the column
first and add it again (this migration's DROP and CREATE).
"""

import unicodedata

from django.db import migrations

from paperfeed.search.migrations._postgres_only import run_on_postgres


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

CREATE = [
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
DROP = [
    "DROP INDEX IF EXISTS paper_search_document",
    "ALTER TABLE papers_paper DROP COLUMN IF EXISTS search_document",
    "DROP FUNCTION IF EXISTS paperfeed_fold(text)",
]


class Migration(migrations.Migration):
    dependencies = [("papers", "0001_initial"), ("search", "0003_papervector")]
    operations = [migrations.RunPython(run_on_postgres(CREATE), run_on_postgres(DROP))]
