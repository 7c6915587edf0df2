"""The vector index in PostgreSQL (pgvector), checked against the file index on the same vectors.

These run where the suite's database is PostgreSQL; on SQLite the store is the file index
(tests/search/test_hybrid.py), and asking for pgvector there is a configuration error.
"""

from __future__ import annotations

import numpy as np
import pytest
from django.conf import settings
from django.db import connection

from paperfeed.search.engines import current_index, vector_store
from paperfeed.search.engines.faiss_file import build_index, load_vectors
from paperfeed.search.indexer import write_vector_index
from paperfeed.search.models import PaperVector
from tests.helpers import run_cli

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
postgres_only = pytest.mark.postgres  # deselected on the SQLite run (tests/conftest.py)


def exact_neighbours(ids: np.ndarray, vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    scores = vectors @ query
    return [int(ids[i]) for i in np.argsort(-scores, kind="stable")[:k]]


def test_pgvector_on_sqlite_is_a_configuration_error(tmp_path):
    # No test database here: the PostgreSQL run leaves this out, the child has its own SQLite.
    result = run_cli(tmp_path, "status", PAPERFEED_VECTOR_STORE="pgvector")
    assert result.returncode == 2
    assert "PAPERFEED_VECTOR_STORE=pgvector needs a PostgreSQL DATABASE_URL" in result.stderr
    bad = run_cli(tmp_path, "status", PAPERFEED_VECTOR_STORE="redis")
    assert bad.returncode == 2 and "must be one of auto, file, pgvector" in bad.stderr


@pytest.mark.django_db
def test_the_store_follows_the_database(settings):
    assert (vector_store().name == "pgvector") is ON_POSTGRES
    settings.PAPERFEED_VECTOR_STORE = "file"
    assert vector_store().name == "file"


@postgres_only
@pytest.mark.django_db
def test_exact_search_in_postgres_matches_the_file_index(sample_vectors):
    from paperfeed.search.engines.pgvector import searchable_count

    index = current_index()
    assert index is not None and index.in_database
    assert searchable_count(settings.PAPERFEED_EMBEDDING_MODEL) == sample_vectors
    ids, vectors = load_vectors(settings.PAPERFEED_EMBEDDING_MODEL)
    rng = np.random.default_rng(7)
    for row in rng.choice(len(ids), 20, replace=False):
        query = vectors[row] + rng.normal(0, 0.02, vectors.shape[1]).astype(np.float32)
        query /= np.linalg.norm(query)
        found = index.search(query, 10)
        # Below the threshold PostgreSQL scans exactly: the same ten papers (float32 in the
        # database, float16 in the blobs: scores agree to ~1e-3).
        assert [n.paper_id for n in found] == exact_neighbours(ids, vectors, query, 10)
        assert abs(found[0].score - float(vectors[list(ids).index(found[0].paper_id)] @ query)) < 2e-3
    paper_id = int(ids[3])
    assert np.allclose(index.vector_of(paper_id), vectors[3], atol=1e-3)
    sims = index.similarities(vectors[3], [paper_id, int(ids[4])])
    assert sims[paper_id] == pytest.approx(1.0, abs=2e-3) and len(sims) == 2


@postgres_only
@pytest.mark.django_db
def test_above_the_threshold_an_hnsw_graph_is_built_and_used_with_high_recall(sample_vectors, settings):
    from paperfeed.search.engines import pgvector

    model = settings.PAPERFEED_EMBEDDING_MODEL
    settings.PAPERFEED_ANN_THRESHOLD = 100
    assert write_vector_index(model) == sample_vectors
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [pgvector.index_name(model)])
        (definition,) = cursor.fetchone()
        assert "USING hnsw" in definition and "vector_ip_ops" in definition
        index = current_index()
        query = pgvector._literal(index.vector_of(int(load_vectors(model)[0][0])))
        cursor.execute("SET enable_seqscan = off")  # tiny table: make the planner show it *can* use the graph
        cursor.execute(
            f"EXPLAIN SELECT paper_id FROM search_papervector WHERE model = %s AND embedding IS NOT NULL "
            f"ORDER BY embedding::vector({index.dimensions}) <#> %s::vector({index.dimensions}) LIMIT 10",
            [model, query],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert pgvector.index_name(model) in plan, plan

    ids, vectors = load_vectors(model)
    rng = np.random.default_rng(11)
    hits = total = 0
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for row in rng.choice(len(ids), 50, replace=False):
            query = vectors[row] + rng.normal(0, 0.05, vectors.shape[1]).astype(np.float32)
            query /= np.linalg.norm(query)
            found = {n.paper_id for n in index.search(query, 10)}
            hits += len(found & set(exact_neighbours(ids, vectors, query, 10)))
            total += 10
        cursor.execute("RESET enable_seqscan")
    assert hits / total >= 0.95, hits / total


@postgres_only
@pytest.mark.django_db
def test_a_re_embedded_paper_gets_its_new_vector(sample_vectors):
    model = settings.PAPERFEED_EMBEDDING_MODEL
    row = PaperVector.objects.filter(model=model).order_by("paper_id").first()
    fresh = np.zeros(len(np.frombuffer(bytes(row.vector), dtype="<f2")), dtype=np.float32)
    fresh[0] = 1.0
    PaperVector.objects.filter(pk=row.pk).delete()  # what `paperfeed index` does for a changed paper
    PaperVector.objects.create(paper_id=row.paper_id, model=model, digest="x" * 32, vector=fresh.astype("<f2").tobytes())
    assert current_index().vector_of(row.paper_id) is None  # not yet in pgvector
    write_vector_index(model)
    assert current_index().vector_of(row.paper_id)[0] == pytest.approx(1.0)
    assert current_index().search(fresh, 1)[0].paper_id == row.paper_id


@postgres_only
@pytest.mark.django_db
def test_without_rights_to_install_pgvector_index_says_what_to_do(tmp_path):
    from tests.child_databases import TEMPLATE, ChildDatabases, server_url

    databases = ChildDatabases(settings.DATABASES["default"])
    databases.url_for(tmp_path / "warm")  # makes sure the migrated template exists
    databases.drop_all()
    with databases._admin() as admin:
        admin.execute("DROP DATABASE IF EXISTS pf_no_vector WITH (FORCE)")
        admin.execute("DROP ROLE IF EXISTS pf_plain")
        admin.execute("CREATE ROLE pf_plain LOGIN")
        admin.execute(f'CREATE DATABASE pf_no_vector TEMPLATE "{TEMPLATE}" OWNER pf_plain')
    import psycopg

    with psycopg.connect(server_url(settings.DATABASES["default"], "pf_no_vector"), autocommit=True) as owner:
        # The template's tables belong to the superuser that migrated them: let the plain role use them.
        owner.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO pf_plain")
        owner.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO pf_plain")
    try:
        plain = {**settings.DATABASES["default"], "USER": "pf_plain"}
        result = run_cli(tmp_path, "index", DATABASE_URL=server_url(plain, "pf_no_vector"))
        assert result.returncode == 1, result.stdout + result.stderr
        assert "CREATE EXTENSION vector" in result.stderr and "PAPERFEED_VECTOR_STORE=file" in result.stderr
    finally:
        with databases._admin() as admin:
            admin.execute("DROP DATABASE IF EXISTS pf_no_vector WITH (FORCE)")
            admin.execute("DROP ROLE IF EXISTS pf_plain")
