"""Which index terms FTS5 makes of a word, asked of FTS5 itself (the SQLite engine's tokenizer).

The impact lists (search.impact) are keyed by the terms of the keyword index: lower-cased,
diacritics folded, Porter-stemmed. A query word must map to exactly the term FTS5 would look
up for it, and the one exact way to know is to ask the tokenizer: a tiny in-memory FTS5 table
with the index's own tokenizer options, one row holding the word, its terms read back through
fts5vocab, the row rolled back. Answers are cached, so a word is tokenized once per process.

The tokenizer options are read from the index's own CREATE statement, so a migration that
changes them changes this too.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections

INDEX_TABLE = "paper_fts"
CACHE_WORDS = 50_000  # a few MB per process at most
_TOKENIZE_OPTION = re.compile(r"""tokenize\s*=\s*(['"])(.*?)\1""", re.IGNORECASE | re.DOTALL)


class Tokenizer:
    """An FTS5 tokenizer, run on demand: `terms(word)` is what the index holds for `word`."""

    def __init__(self, options: str):
        self.options = options
        self._local = threading.local()  # an sqlite3 connection belongs to one thread
        self.terms = lru_cache(maxsize=CACHE_WORDS)(self.tokenize)  # for query words, which recur

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(":memory:")
            quoted = "'" + self.options.replace("'", "''") + "'"
            db.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize={quoted})")
            db.execute("CREATE VIRTUAL TABLE temp.word_terms USING fts5vocab(main, words, instance)")
            db.commit()
            self._local.db = db
        return db

    def tokenize(self, text: str) -> tuple[str, ...]:
        """The terms of `text` in order (a word with an underscore or a hyphen makes several)."""
        db = self._connection()
        try:
            db.execute("INSERT INTO words(rowid, word) VALUES (1, ?)", [text])
            return tuple(row[0] for row in db.execute("SELECT term FROM temp.word_terms ORDER BY offset"))
        finally:
            db.rollback()  # the table stays empty: no index to grow or merge


def surface_options(options: str) -> str:
    """The same tokenizer without stemming: it cuts text at the same places, so the n-th
    surface token of a text is the word the n-th indexed term was made from."""
    words = options.split()
    return " ".join(words[1:]) if words and words[0].lower() == "porter" else options


def tokenizer_options(create_sql: str) -> str:
    match = _TOKENIZE_OPTION.search(create_sql or "")
    return match.group(2) if match else "unicode61"  # FTS5's default


_tokenizers: dict[str, Tokenizer] = {}
_tokenizers_lock = threading.Lock()


def tokenizer(options: str) -> Tokenizer:
    with _tokenizers_lock:
        if options not in _tokenizers:
            _tokenizers[options] = Tokenizer(options)
        return _tokenizers[options]


@lru_cache(maxsize=4)
def _index_options(using: str) -> str:
    # Read once per process: the schema changes only through a migration and a restart.
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [INDEX_TABLE])
        row = cursor.fetchone()
    if row is None:
        raise RuntimeError(f"no {INDEX_TABLE} table: is the database migrated?")
    return tokenizer_options(row[0])


def index_tokenizer(using: str = DEFAULT_DB_ALIAS) -> Tokenizer:
    """The keyword index's tokenizer: maps a query word to the terms the index holds."""
    return tokenizer(_index_options(using))


def surface_tokenizer(using: str = DEFAULT_DB_ALIAS) -> Tokenizer:
    """The keyword index's tokenizer without stemming (see surface_options)."""
    return tokenizer(surface_options(_index_options(using)))
