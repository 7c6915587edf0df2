"""Per-reader ranking: a logistic regression over paper embeddings, trained in batch.

Positives are the reader's upvotes, the papers in their collections and followed authors'
papers; negatives are their "not interested" clicks plus a random sample of other papers
(implicit negatives: most papers are not for any one reader). The model scores the candidate
pool — the most recent papers — and the best picks are stored with the reader's own papers
nearest to each, which the page shows as the reason.

Cold start (no positives yet): papers in the reader's chosen categories and by followed
authors, most upvoted first.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max

from paperfeed.community.collections.models import CollectionItem
from paperfeed.community.votes.models import Vote
from paperfeed.papers.models import DailyEntry, Paper, total_upvotes_expression
from paperfeed.personal.models import FollowedAuthor, NotInterested, Preferences, Recommendation
from paperfeed.personal.mutes import Mutes
from paperfeed.search.models import PaperVector

CANDIDATE_POOL = 5000  # the most recent papers a pick can come from
PICKS = 50  # stored per reader
IMPLICIT_NEGATIVES = 4  # random other papers per positive
BECAUSE = 2  # nearest own papers shown as the reason
# The model says what a reader likes; the community says what is good. A pick's score is the
# model's log-odds plus this much of log(1 + upvotes) scaled to 0–1, so among equally relevant
# papers the ones many people upvoted come first (measured in bench/recommend_quality.py).
POPULARITY_WEIGHT = 2.0
# Readers who upvoted what this reader upvoted: the papers they also upvoted get up to this
# much (item co-occurrence, "readers like you"), scaled to 0–1 per reader.
CO_VOTE_WEIGHT = 2.0


@dataclass
class Summary:
    users: int = 0
    trained: int = 0
    cold_start: int = 0
    picks: int = 0


def vectors_for(paper_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(ids, unit vectors as float32) of the papers that have an embedding."""
    rows = PaperVector.objects.filter(paper_id__in=paper_ids, model=settings.PAPERFEED_EMBEDDING_MODEL).values_list(
        "paper_id", "vector"
    )
    ids, vectors = [], []
    for pid, blob in rows.iterator(chunk_size=2000):
        ids.append(pid)
        vectors.append(np.frombuffer(bytes(blob), dtype="<f2").astype(np.float32))
    if not ids:
        return np.empty(0, dtype=np.int64), np.empty((0, 0), dtype=np.float32)
    matrix = np.vstack(vectors)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-12
    return np.asarray(ids, dtype=np.int64), matrix


def candidate_ids() -> list[int]:
    """The most recent papers by first version, plus the most recent daily lists."""
    recent = list(
        Paper.objects.filter(withdrawn=False).order_by("-published").values_list("pk", flat=True)[:CANDIDATE_POOL]
    )
    latest_day = DailyEntry.objects.aggregate(d=Max("date"))["d"]
    if latest_day:
        recent += DailyEntry.objects.filter(date__gte=latest_day.replace(day=1)).values_list("paper_id", flat=True)
    return list(dict.fromkeys(recent))


def popularity_of(paper_ids) -> np.ndarray:
    """log(1 + upvotes) per paper: its one count (the source's + local votes)."""
    totals = dict(
        Paper.objects.filter(pk__in=list(map(int, paper_ids)))
        .annotate(total=total_upvotes_expression())
        .values_list("pk", "total")
    )
    counts = np.log1p(np.array([totals.get(int(p), 0) for p in paper_ids], dtype=np.float32))
    # Scaled to 0–1 over the pool: popularity may order papers the model finds equally
    # relevant, but a hugely upvoted paper outside the reader's interests must not win.
    return counts / counts.max() if len(counts) and counts.max() > 0 else counts


class CoVotes:
    """The reader × paper matrix of upvotes and saves, for "readers like you" scores."""

    def __init__(self, candidate_ids: np.ndarray):
        from scipy.sparse import csr_matrix

        pairs = list(Vote.objects.values_list("user_id", "paper_id"))
        pairs += CollectionItem.objects.values_list("collection__owner_id", "paper_id")
        users = sorted({u for u, _ in pairs})
        papers = sorted({p for _, p in pairs} | set(map(int, candidate_ids)))
        self.user_row = {u: i for i, u in enumerate(users)}
        column = {p: i for i, p in enumerate(papers)}
        rows = [self.user_row[u] for u, _ in pairs]
        cols = [column[p] for _, p in pairs]
        matrix = csr_matrix((np.ones(len(pairs), dtype=np.float32), (rows, cols)), shape=(len(users), len(papers)))
        matrix.data[:] = 1.0  # an upvote and a save of one paper count once
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        self.matrix = matrix
        self.candidate_columns = np.array([column[int(p)] for p in candidate_ids], dtype=np.int64)

    def scores(self, user_id: int) -> np.ndarray:
        """Per candidate: how often readers who share this reader's papers upvoted it, 0–1."""
        if user_id not in self.user_row or not len(self.candidate_columns):
            return np.zeros(len(self.candidate_columns), dtype=np.float32)
        me = self.user_row[user_id]
        overlap = np.asarray((self.matrix @ self.matrix[me].T).todense()).ravel()
        overlap[me] = 0.0
        totals = np.asarray(self.matrix.T @ overlap).ravel()[self.candidate_columns]
        top = totals.max()
        return (totals / top).astype(np.float32) if top > 0 else totals.astype(np.float32)


def positives_of(user) -> list[int]:
    ids = list(Vote.objects.filter(user=user).values_list("paper_id", flat=True))
    ids += CollectionItem.objects.filter(collection__owner=user).values_list("paper_id", flat=True)
    ids += Paper.objects.filter(authorships__author__followers__user=user).values_list("pk", flat=True)[:500]
    return list(dict.fromkeys(ids))


def train_and_pick(user, candidates: list[int], candidate_vectors: tuple, rng: random.Random, co_votes: CoVotes):
    """Fit one reader's model and return [(paper_id, score, because_ids)], best first,
    or None when the reader has no positives with embeddings."""
    positive_ids = positives_of(user)
    pos_ids, pos_vectors = vectors_for(positive_ids)
    if not len(pos_ids):
        return None
    negative_ids = set(NotInterested.objects.filter(user=user).values_list("paper_id", flat=True))
    cand_ids, cand_vectors, popularity = candidate_vectors
    own = set(pos_ids.tolist()) | negative_ids
    pool = [i for i in range(len(cand_ids)) if int(cand_ids[i]) not in own]
    implicit = rng.sample(pool, min(len(pool), IMPLICIT_NEGATIVES * len(pos_ids) + 10))
    neg_ids, neg_vectors = vectors_for(list(negative_ids))
    negatives = (
        np.vstack([m for m in (neg_vectors, cand_vectors[implicit]) if m.size])
        if (neg_vectors.size or implicit)
        else None
    )
    if negatives is None or not len(negatives):
        return None
    features = np.vstack([pos_vectors, negatives])
    labels = np.concatenate([np.ones(len(pos_vectors)), np.zeros(len(negatives))])
    # Imported here, not at the top: the URLconf imports this module, so every `paperfeed`
    # command (system checks) and every server start would pay ~1 s of CPU to import
    # scikit-learn, which only `paperfeed recommend` needs.
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=200)
    model.fit(features, labels)
    similarity = cand_vectors @ pos_vectors.T  # for the "because" of each pick
    scores = (
        cand_vectors @ model.coef_[0]
        + model.intercept_[0]
        + POPULARITY_WEIGHT * popularity
        + CO_VOTE_WEIGHT * co_votes.scores(user.pk)
    )
    order = np.argsort(-scores)
    picks = []
    for i in order:
        pid = int(cand_ids[i])
        if pid in own:
            continue
        closest = np.argsort(-similarity[i])[:BECAUSE]
        picks.append((pid, float(scores[i]), [int(pos_ids[j]) for j in closest]))
        if len(picks) >= PICKS * 2:  # room for mute rules to remove some
            break
    return picks


def cold_start_picks(user) -> list[tuple[int, float, list[int]]]:
    prefs = Preferences.objects.filter(user=user).first()
    categories = prefs.category_codes if prefs else []
    followed = list(FollowedAuthor.objects.filter(user=user).values_list("author_id", flat=True))
    if not categories and not followed:
        return []
    query = Paper.objects.filter(withdrawn=False)
    from django.db.models import Q

    condition = Q(categories__code__in=categories) | Q(authorships__author_id__in=followed)
    papers = (
        query.filter(condition)
        .annotate(recent=Max("daily_entries__date"))
        .order_by(F("recent").desc(nulls_last=True), "-published")
        .distinct()
        .values_list("pk", flat=True)[: PICKS * 2]
    )
    return [(pid, float(PICKS * 2 - rank), []) for rank, pid in enumerate(papers)]


def recommend(users=None, *, seed: int = 0, progress: Callable[[int, int | None, str], None] | None = None) -> Summary:
    from paperfeed.personal.fresh import mark_computed

    users = list(users if users is not None else get_user_model().objects.filter(is_active=True))
    summary = Summary(users=len(users))
    candidates = candidate_ids()
    ids, matrix = vectors_for(candidates)
    candidate_vectors = (ids, matrix, popularity_of(ids) if len(ids) else np.empty(0, dtype=np.float32))
    rng = random.Random(seed)
    co_votes = CoVotes(ids)
    for done, user in enumerate(users, 1):
        picks = train_and_pick(user, candidates, candidate_vectors, rng, co_votes) if len(ids) else None
        source = "model"
        if picks is None:
            picks, source = cold_start_picks(user), "cold-start"
        mutes = Mutes.for_user(user)
        kept = set(mutes.keep([pid for pid, _, _ in picks]))
        picks = [p for p in picks if p[0] in kept][:PICKS]
        with transaction.atomic():
            Recommendation.objects.filter(user=user).delete()
            Recommendation.objects.bulk_create(
                [
                    Recommendation(user=user, paper_id=pid, score=score, because=because, source=source)
                    for pid, score, because in picks
                ]
            )
        mark_computed(user)  # For you need not recompute them on the next visit
        summary.picks += len(picks)
        summary.trained += source == "model" and bool(picks)
        summary.cold_start += source == "cold-start" and bool(picks)
        if progress:
            progress(done, len(users), "readers")
    return summary
