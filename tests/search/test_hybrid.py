"""Hybrid search over the sample with its shipped embeddings, and the parts it is made of."""

import json

import numpy as np
import pytest
from django.core.management import call_command

from paperfeed.papers.models import Paper
from paperfeed.search.hybrid import fuse, rank, similar_papers
from paperfeed.search.engines.faiss_file import build_index

pytestmark = pytest.mark.django_db

SWAN = "2412.13148"


def ids(ranking, n=5):
    found = Paper.objects.in_bulk([h.paper_id for h in ranking.hits[:n]])
    return [found[h.paper_id].arxiv_id for h in ranking.hits[:n]]


def test_fusion_formula():
    hits = fuse(lexical=[(1, 10.0), (2, 5.0)], semantic=[(2, 0.9), (3, 0.8)], cosines={1: 0.1})
    scores = {h.paper_id: round(h.score, 6) for h in hits}
    # 0.6 × cosine + 0.4 × BM25 / best BM25; outside the lexical top list BM25 counts 0, and a
    # keyword-only candidate brings its own cosine.
    assert scores == {1: round(0.6 * 0.1 + 0.4, 6), 2: round(0.6 * 0.9 + 0.4 * 0.5, 6), 3: round(0.6 * 0.8, 6)}
    assert [h.paper_id for h in hits] == [2, 3, 1]


def test_without_a_vector_index_search_is_lexical_and_says_so(client, sample_db, settings, tmp_path):
    settings.DATA_DIR = tmp_path  # no vectors here
    settings.PAPERFEED_VECTOR_STORE = "file"  # (on PostgreSQL, not the session's pgvector copy either)
    ranking = rank("stateless optimizer")
    assert ranking.mode == "lexical" and "not available" in ranking.note
    html = client.get("/papers/search", {"q": "stateless optimizer"}).content.decode()
    assert "Search by meaning is not available yet" in html and "paperfeed index" not in html


def test_hybrid_and_semantic_find_the_seed_paper(sample_vectors):
    assert ids(rank("stateless optimizer"))[0] == SWAN
    # No word of this query is in SWAN's title; the meaning is.
    paraphrase = "training language models with SGD instead of Adam to save optimizer memory"
    assert SWAN in ids(rank(paraphrase, "semantic"), 3)
    assert SWAN in ids(rank(paraphrase, "hybrid"), 3)


def test_search_page_is_hybrid_with_filters(client, sample_vectors):
    html = client.get("/papers/search", {"q": "stateless optimizer"}).content.decode()
    assert "Search by meaning is not available" not in html
    assert html.index('href="/papers/2412.13148"') < html.index("</ol>")
    # The seed paper was published 2024-12-17: a later window excludes it.
    late = client.get("/papers/search", {"q": "stateless optimizer", "from": "2025-01-01"}).content.decode()
    assert 'href="/papers/2412.13148"' not in late
    coded = client.get("/papers/search", {"q": "graph neural networks", "code": "1"}).content.decode()
    assert 'href="/papers/2403.11004"' in coded  # Forward Learning of GNNs has a GitHub repo
    for paper in Paper.objects.filter(github_repo="")[:50]:
        assert f'href="/papers/{paper.arxiv_id}"' not in coded


def test_similar_papers_on_the_paper_page(client, sample_vectors):
    swan = Paper.objects.get(arxiv_id=SWAN)
    neighbours = similar_papers(swan.pk, k=6)
    assert len(neighbours) == 6 and swan.pk not in [pid for pid, _ in neighbours]
    assert all(0 < score <= 1.0001 for _, score in neighbours)
    html = client.get(f"/papers/{SWAN}").content.decode()
    assert "Similar papers" in html
    first = Paper.objects.get(pk=neighbours[0][0])
    assert f'href="/papers/{first.arxiv_id}"' in html


def test_search_command_prints_json(sample_vectors, capsys):
    call_command("search", "stateless optimizer", "--json", "--limit", "3")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["rank"] for line in lines] == [1, 2, 3]
    assert lines[0]["id"] == SWAN and lines[0]["mode"] == "hybrid"


def test_approximate_index_agrees_with_exact_search():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(3000, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[:50] + 0.05 * rng.normal(size=(50, 64)).astype(np.float32)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    index = build_index(vectors, approximate=True)
    index.hnsw.efSearch = 128
    _, found = index.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, found)])
    assert recall >= 0.9, recall
