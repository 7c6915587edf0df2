"""The vector store in PostgreSQL (pgvector): the PostgreSQL engine's default vector part.

With several web workers on several machines, a vector file per machine would have to be
rebuilt and copied everywhere; in the database every worker shares one index, kept up to
date by PostgreSQL as vectors are written, and workers hold no vectors in memory.

Layout (created by `paperfeed index`, not by a migration: the vector's dimension depends on
the configured model, and the `vector` extension needs a superuser once):

* `search_papervector.embedding vector` — the paper's embedding as float32 (the float16
  `vector` blob beside it stays the portable copy every database has);
* above PAPERFEED_ANN_THRESHOLD papers of the model, an HNSW index on
  `(embedding::vector(D))` for that model only (a partial index, so a model switch builds a
  new graph beside the old one). Below it, an exact scan is both fast and exact.

pgvector 0.6 (bundled by the pgserver wheel the tests use) has no half-precision type, so
vectors take 1.5 KB of disk per paper for MiniLM; they are in shared buffers, not in the
web workers.
"""

from __future__ import annotations

import hashlib
import threading
import time

import numpy as np
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from paperfeed.search.engines.base import (
    HNSW_EF_SEARCH,
    HNSW_M,
    Neighbour,
    Progress,
    VectorIndex,
    VectorStore,
    VectorStoreUnavailable,
)

TABLE = "search_papervector"
# pgvector's default build quality. At a million papers 200 (as for faiss) would triple a
# build that already takes the longest; recall at this setting is in docs/benchmarks.md.
HNSW_EF_CONSTRUCTION = 64
PROBE_SECONDS = 30  # how long a worker trusts what it found out about the vectors


class PgVectorUnavailable(VectorStoreUnavailable):
    """The `vector` extension is not installed and this role may not install it."""


def index_name(model: str) -> str:
    return "papervector_hnsw_" + hashlib.blake2b(model.encode(), digest_size=6).hexdigest()


def _literal(vector: np.ndarray) -> str:
    """pgvector's text form; the query vector is one short string per search."""
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32).ravel()) + "]"


def _parse(text: str) -> np.ndarray:
    return np.array(text.strip("[]").split(","), dtype=np.float32)


def has_embedding_column(using: str = DEFAULT_DB_ALIAS) -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'embedding'", [TABLE]
        )
        return cursor.fetchone() is not None


def ensure_schema(using: str = DEFAULT_DB_ALIAS) -> None:
    """The extension and the column (idempotent)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
        if cursor.fetchone() is None:
            try:
                with transaction.atomic(using=using):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
            except Exception as exc:  # noqa: BLE001 - any refusal means the same to the operator
                raise PgVectorUnavailable(
                    "the PostgreSQL extension 'vector' (pgvector) is not installed and this role may not install "
                    f"it ({str(exc).strip()}). Install pgvector and run once, as a superuser, in this database: "
                    "CREATE EXTENSION vector; — or set PAPERFEED_VECTOR_STORE=file to keep vectors in files."
                ) from exc
    if not has_embedding_column(using):
        with connections[using].cursor() as cursor:
            # Vectors written earlier in this transaction leave deferred foreign-key checks
            # pending, and PostgreSQL alters no table with pending checks: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS embedding vector")


def sync(model: str, progress: Progress | None = None, batch: int = 5_000, using: str = DEFAULT_DB_ALIAS) -> int:
    """Give every vector of `model` its pgvector copy, then build the HNSW graph when the
    model has grown past the threshold. Returns the number of papers searchable."""
    ensure_schema(using)
    connection = connections[using]
    from pgvector.psycopg import register_vector

    connection.ensure_connection()
    register_vector(connection.connection)  # numpy arrays in and out, in binary (COPY below)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE model = %s AND embedding IS NULL", [model])
        missing = cursor.fetchone()[0]
    done = 0
    if progress:
        progress(0, missing, "vectors → pgvector")
    while True:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT paper_id, vector FROM {TABLE} WHERE model = %s AND embedding IS NULL "
                "ORDER BY paper_id LIMIT %s",
                [model, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS pf_new_vectors (paper_id bigint, embedding vector) "
                "ON COMMIT DELETE ROWS"
            )
            with cursor.cursor.copy(
                "COPY pf_new_vectors (paper_id, embedding) FROM STDIN WITH (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["int8", "vector"])
                for paper_id, blob in rows:
                    copy.write_row((paper_id, np.frombuffer(bytes(blob), dtype="<f2").astype(np.float32)))
            cursor.execute(
                f"UPDATE {TABLE} AS v SET embedding = n.embedding "
                "FROM pf_new_vectors AS n WHERE v.paper_id = n.paper_id"
            )
        done += len(rows)
        if progress:
            progress(done, missing, "vectors → pgvector")
    count = searchable_count(model, using)
    with _probes_lock:
        _probes.pop((using, model), None)  # this process's searches see the new vectors at once
    if count > settings.PAPERFEED_ANN_THRESHOLD:
        build_graph(model, using)
    return count


def _dimensions(model: str, using: str = DEFAULT_DB_ALIAS) -> int | None:
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT vector_dims(embedding) FROM {TABLE} WHERE model = %s AND embedding IS NOT NULL LIMIT 1", [model]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def build_graph(model: str, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Create the model's HNSW index if it is missing (PostgreSQL keeps it current after)."""
    name = index_name(model)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        if cursor.fetchone():
            return False
        dimensions = _dimensions(model, using)
        if dimensions is None:
            return False
        # A graph is built fastest in memory; the setting lasts for this session only.
        cursor.execute("SET maintenance_work_mem = '1GB'")
        quoted_model = model.replace("'", "''")  # DDL takes no parameters: a quoted literal
        cursor.execute(
            f"CREATE INDEX {name} ON {TABLE} USING hnsw ((embedding::vector({dimensions})) vector_ip_ops) "
            f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) WHERE model = '{quoted_model}'"
        )
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute(f"ANALYZE {TABLE}")
    return True


_probes: dict[tuple[str, str], tuple[int | None, float]] = {}  # (alias, model) →
_probes_lock = threading.Lock()


def _probe(model: str, using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The dimension of the model's vectors in pgvector, None when there are none yet.

    Every search asks this, so it is one row looked up, never a count (a count scans the
    table: ~1 s at a million papers); cached briefly per process."""
    now = time.monotonic()
    with _probes_lock:
        cached = _probes.get((using, model))
    if cached and now - cached[1] < PROBE_SECONDS:
        return cached[0]
    dimensions = _dimensions(model, using) if has_embedding_column(using) else None
    with _probes_lock:
        _probes[(using, model)] = (dimensions, now)
    return dimensions


def searchable_count(model: str, using: str = DEFAULT_DB_ALIAS) -> int:
    """Papers of `model` with a pgvector copy — exact, so a scan: for batch commands only."""
    if not has_embedding_column(using):
        return 0
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE model = %s AND embedding IS NOT NULL", [model])
        return cursor.fetchone()[0]


class PgVectorIndex(VectorIndex):
    """A model's vectors, searched by PostgreSQL."""

    in_database = True  # searched on the request's own connection (hybrid.rank)

    def __init__(self, model: str, dimensions: int, using: str = DEFAULT_DB_ALIAS):
        self.model = model
        self.dimensions = dimensions
        self.using = using

    def __bool__(self) -> bool:
        return True  # current_index() makes one only when the model has vectors

    def __len__(self) -> int:
        """Exact, so a scan (~1 s at a million papers): for commands and tests; search asks
        only whether there is an index (bool)."""
        return searchable_count(self.model, self.using)

    def search(self, query: np.ndarray, k: int) -> list[Neighbour]:
        if k <= 0:
            return []
        cast = f"vector({self.dimensions})"
        with transaction.atomic(using=self.using), connections[self.using].cursor() as cursor:
            # Inside this transaction only: how far the graph search looks (as for faiss).
            cursor.execute(f"SET LOCAL hnsw.ef_search = {max(HNSW_EF_SEARCH, k)}")
            # The model is a literal (client-side binding), which lets the planner match
            # the partial HNSW index; <#> is the negative inner product (cosine on unit vectors).
            cursor.execute(
                f"SELECT paper_id, (embedding::{cast} <#> %s::{cast}) AS distance FROM {TABLE} "
                f"WHERE model = %s AND embedding IS NOT NULL ORDER BY distance LIMIT %s",
                [_literal(query), self.model, k],
            )
            return [Neighbour(paper_id, -float(distance)) for paper_id, distance in cursor.fetchall()]

    def similarities(self, query: np.ndarray, paper_ids: list[int]) -> dict[int, float]:
        if not paper_ids:
            return {}
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT paper_id, -(embedding <#> %s::vector) FROM {TABLE} "
                "WHERE paper_id = ANY(%s) AND model = %s AND embedding IS NOT NULL",
                [_literal(query), list(paper_ids), self.model],
            )
            return {paper_id: float(score) for paper_id, score in cursor.fetchall()}

    def vector_of(self, paper_id: int) -> np.ndarray | None:
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT embedding::text FROM {TABLE} WHERE paper_id = %s AND model = %s AND embedding IS NOT NULL",
                [paper_id, self.model],
            )
            row = cursor.fetchone()
        return _parse(row[0]) if row else None


class PgVectorStore(VectorStore):
    name = "pgvector"

    def current_index(self, model: str) -> PgVectorIndex | None:
        """None until `paperfeed index` has put vectors of the model into pgvector."""
        dimensions = _probe(model, self.using)
        return PgVectorIndex(model, dimensions, self.using) if dimensions else None

    def write(self, model: str, progress: Progress | None = None) -> int:
        """PostgreSQL keeps the index current from then on."""
        return sync(model, progress, using=self.using)
