"""Saved searches against new papers: the hybrid recipe of search/hybrid.py, restricted to
the papers of one period, with an absolute threshold instead of a page of results."""

from __future__ import annotations

import numpy as np

from paperfeed.personal.recommend import vectors_for
from paperfeed.search.engines import engine
from paperfeed.search.embedder import shared_embedder
from paperfeed.search.hybrid import SEMANTIC_WEIGHT

LEXICAL_DEPTH = 2000  # keyword candidates looked at, across the whole collection


def match_new_papers(query: str, paper_ids: list[int], threshold: float, cache: dict) -> list[tuple[int, float]]:
    """[(paper_id, relevance 0–1)] of `paper_ids` scoring at least `threshold`, best first.

    Relevance = 0.6 × cosine(query, paper) + 0.4 × BM25 / best BM25 among these papers — the
    same weights as hybrid search, so a threshold means the same as a search score.
    """
    if not paper_ids or not query.strip():
        return []
    key = ("vectors", tuple(paper_ids))
    if key not in cache:
        cache[key] = vectors_for(paper_ids)
    ids, matrix = cache[key]
    cosines: dict[int, float] = {}
    if len(ids):
        query_key = ("query", query)
        if query_key not in cache:
            cache[query_key] = shared_embedder().encode([query])[0].astype(np.float32)
        vector = cache[query_key]
        vector = vector / (np.linalg.norm(vector) + 1e-12)
        cosines = dict(zip(ids.tolist(), (matrix @ vector).tolist(), strict=True))
    wanted = set(paper_ids)
    lexical = {pid: score for pid, score in engine().lexical.candidates(query, LEXICAL_DEPTH) if pid in wanted}
    best = max(lexical.values(), default=0.0)
    scored = []
    for pid in paper_ids:
        relevance = SEMANTIC_WEIGHT * cosines.get(pid, 0.0) + (1 - SEMANTIC_WEIGHT) * (
            lexical.get(pid, 0.0) / best if best > 0 else 0.0
        )
        if relevance >= threshold:
            scored.append((pid, relevance))
    return sorted(scored, key=lambda item: (-item[1], item[0]))
