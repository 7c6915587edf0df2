"""Search engines: one per database, behind the contract of engines.base.

`engine(using)` is the one place that asks which database a connection is (and which vector
store PAPERFEED_VECTOR_STORE picks); everything else asks the engine. The SQLite engine
(engines.sqlite) and the PostgreSQL one (engines.postgres) never import each other; each
is imported only when a connection of its database is used.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from paperfeed.search.engines.base import Engine, VectorIndex, VectorStore


def engine(using: str = DEFAULT_DB_ALIAS) -> Engine:
    """The search engine of the database `using` names. Cheap: made per use, holding no
    connection (each part asks Django for this thread's)."""
    vendor = connections[using].vendor
    if vendor == "sqlite":
        from paperfeed.search.engines.sqlite import Fts5ImpactLists, Fts5Index, SqliteEngine

        return SqliteEngine(using, Fts5Index(using), Fts5ImpactLists(using), vector_store(using))
    if vendor == "postgresql":
        from paperfeed.search.engines.postgres import PostgresEngine, TsvectorImpactLists, TsvectorIndex

        return PostgresEngine(using, TsvectorIndex(using), TsvectorImpactLists(using), vector_store(using))
    raise NotImplementedError(f"search on {vendor} is not supported")


def vector_store(using: str = DEFAULT_DB_ALIAS) -> VectorStore:
    """Where vectors are searched: PAPERFEED_VECTOR_STORE, whose `auto` means pgvector on
    PostgreSQL and the faiss file elsewhere (settings refuse pgvector without PostgreSQL)."""
    store = settings.PAPERFEED_VECTOR_STORE
    if store == "pgvector" or (store == "auto" and connections[using].vendor == "postgresql"):
        from paperfeed.search.engines.pgvector import PgVectorStore

        return PgVectorStore(using)
    from paperfeed.search.engines.faiss_file import FileVectorStore

    return FileVectorStore(using)


def current_index(model: str | None = None, using: str = DEFAULT_DB_ALIAS) -> VectorIndex | None:
    """The vector index of `model` (default: the configured one), None until one was built
    (search then runs lexical-only and says so)."""
    return vector_store(using).current_index(model or settings.PAPERFEED_EMBEDDING_MODEL)


def read_ahead_in_background() -> threading.Thread:
    """Meet the current impact-list build in a web worker as it starts, without holding up its
    first requests: the commonest words' lists (search.impact) are then read before the first
    search needs them."""

    def meet() -> None:
        try:
            engine().lexical.impact_store.current()
        except Exception:  # noqa: BLE001 - the first search meets the build instead, and reports
            pass
        finally:
            connections[DEFAULT_DB_ALIAS].close()  # this thread's own connection

    thread = threading.Thread(target=meet, name="impact-lists-read-ahead", daemon=True)
    thread.start()
    return thread
