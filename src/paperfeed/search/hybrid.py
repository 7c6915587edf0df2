"""Hybrid search: BM25 keywords and sentence embeddings, fused into one ranking.

The recipe, tuned on SciFact's train split only (docs/benchmarks.md):
- lexical leg: the query's keywords (stopwords dropped) joined with OR, BM25 with the title
  weighted 3 : 1 : 1, best 100;
- semantic leg: cosine between the query's and the papers' MiniLM embeddings, best 100;
- fusion: over the union of both, 0.6 × cosine + 0.4 × BM25 / (best BM25 of the query).
  Every candidate gets its real cosine (those found only by keywords too); a paper outside
  the lexical top 100 scores 0 there. The cosine is used as it is: it is already on a fixed
  scale, and normalising it by the query's spread threw information away.
- relevance floor: a paper found only by meaning (in no keyword match) must be at least
  PAPERFEED_SEARCH_MIN_SIMILARITY (cosine) from the query, or it is not a result at all. An
  embedding model always has *some* nearest paper, so without a floor a query of made-up
  words listed a page of random papers. Keyword matches always stay: a paper holding the
  query's rare words is a match whatever its cosine. The floor was chosen on SciFact's train
  split so that nDCG@10 does not move (docs/benchmarks.md, bench/relevance_floor.py).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings

from paperfeed.search.embedder import shared_embedder
from paperfeed.search.engines import current_index, engine

CANDIDATES = 100  # per leg
# The semantic leg (embedding the query, searching the vectors) runs beside the lexical leg
# (SQLite) in its own thread: both release the GIL, so on two cores they overlap.
_semantic_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="semantic-leg")
SEMANTIC_WEIGHT = 0.6
MODES = ("hybrid", "lexical", "semantic")


@dataclass
class RankedHit:
    paper_id: int
    score: float
    lexical: float | None = None  # BM25, when the paper was in the lexical leg
    semantic: float | None = None  # cosine, when in the semantic leg


@dataclass
class Ranking:
    hits: list[RankedHit] = field(default_factory=list)
    mode: str = "hybrid"  # the mode actually used
    note: str = ""  # said to the user when the mode had to change


def fuse(
    lexical: list[tuple[int, float]], semantic: list[tuple[int, float]], cosines: dict[int, float] | None = None
) -> list[RankedHit]:
    """`cosines` gives the similarity of candidates the semantic leg did not return."""
    best_lexical = max((score for _, score in lexical), default=0.0)
    hits: dict[int, RankedHit] = {}
    for paper_id, score in lexical:
        hits[paper_id] = RankedHit(paper_id, 0.0, lexical=score, semantic=(cosines or {}).get(paper_id))
    for paper_id, cosine in semantic:
        hits.setdefault(paper_id, RankedHit(paper_id, 0.0)).semantic = cosine
    for hit in hits.values():
        lexical_part = (hit.lexical or 0.0) / best_lexical if best_lexical > 0 else 0.0
        hit.score = SEMANTIC_WEIGHT * (hit.semantic or 0.0) + (1 - SEMANTIC_WEIGHT) * lexical_part
    return sorted(hits.values(), key=lambda h: (-h.score, h.paper_id))


def above_floor(hits: list[RankedHit], floor: float) -> list[RankedHit]:
    """The hits that match the words (any lexical score) or the meaning well enough."""
    return [hit for hit in hits if hit.lexical is not None or (hit.semantic or 0.0) >= floor]


def rank(text: str, mode: str = "hybrid", depth: int = CANDIDATES, floor: float | None = None) -> Ranking:
    """Every candidate for the query that clears the relevance floor (the setting's, unless
    given), best first (the caller pages and filters)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    index = current_index() if mode != "lexical" else None
    note = ""
    if mode != "lexical" and not index:
        # Said to readers: what to run is in the docs (docs/operations.md), not on the page.
        note = "Search by meaning is not available yet: showing keyword matches only."
        mode = "lexical"
    # An index in the database (pgvector) is searched from this thread: a pool thread would
    # open a connection of its own, outside this request's transaction.
    in_database = index is not None and index.in_database
    pending = None
    if mode != "lexical":
        leg = _embed_query if in_database else _semantic_leg
        pending = _semantic_pool.submit(leg, None if in_database else index, text, depth)
    lexical = engine().lexical.candidates(text, depth) if mode != "semantic" else []
    semantic, cosines = [], {}
    if pending is not None:
        query_vector, semantic = pending.result()
        if in_database:
            semantic = [(n.paper_id, n.score) for n in index.search(query_vector, depth)]
        found = {pid for pid, _ in semantic}
        cosines = index.similarities(query_vector, [pid for pid, _ in lexical if pid not in found])
    if mode == "lexical":
        hits = [RankedHit(pid, score, lexical=score) for pid, score in lexical]
    elif mode == "semantic":
        hits = [RankedHit(pid, score, semantic=score) for pid, score in semantic]
    else:
        hits = fuse(lexical, semantic, cosines)
    if mode != "lexical":
        hits = above_floor(hits, settings.PAPERFEED_SEARCH_MIN_SIMILARITY if floor is None else floor)
    return Ranking(hits, mode, note)


def _embed_query(_index, text: str, _depth: int):
    return shared_embedder().encode_query(text), []


def _semantic_leg(index, text: str, depth: int):
    query_vector = shared_embedder().encode_query(text)
    return query_vector, [(n.paper_id, n.score) for n in index.search(query_vector, depth)]


def similar_papers(paper_id: int, k: int = 6) -> list[tuple[int, float]]:
    """The papers nearest to a paper in embedding space (empty without a vector index)."""
    index = current_index()
    if index is None:
        return []
    vector = index.vector_of(paper_id)
    if vector is None:
        return []
    return [(n.paper_id, n.score) for n in index.search(vector, k + 1) if n.paper_id != paper_id][:k]
