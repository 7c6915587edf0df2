"""Personal ranking against trending, on simulated readers (precision@10 on held-out upvotes).

The bundled sample (2,191 real papers with their shipped MiniLM embeddings) is loaded into a
throwaway data directory. Each simulated reader has one or two favourite arXiv categories
(drawn in proportion to their size, so most readers like the big ones) and upvotes papers from
them, more often the popular ones (a heavy-tailed appeal shared by all readers; imported
upvotes are cleared so the readers' votes are the only community signal), plus 10% random noise.
70% of each reader's upvotes are cast as Vote rows; 30% are held out. Then:

* trending: papers ranked by upvotes cast by all readers (what the trending score reduces to
  when papers are the same age), minus the reader's own;
* personal: `paperfeed recommend`'s picks for the reader.

Precision@10 = held-out upvotes among the top 10, averaged over readers. The simulation knows
nothing of embeddings: readers' tastes are categories, so the model has to learn them from text.

    .venv/bin/python bench/recommend_quality.py --readers 200
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--upvotes", type=int, default=20, help="upvotes per reader (before the hold-out)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(describe())
    os.environ["PAPERFEED_DATA_DIR"] = tempfile.mkdtemp(prefix="paperfeed-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from paperfeed.community.votes.models import Vote
    from paperfeed.papers.models import DailyEntry, Paper
    from paperfeed.personal.models import Recommendation
    from paperfeed.personal.recommend import recommend
    from paperfeed.sample import load_sample, load_sample_vectors

    call_command("migrate", verbosity=0)
    load_sample()
    load_sample_vectors()
    rng = random.Random(args.seed)
    papers = list(
        Paper.objects.filter(vector__isnull=False, primary_category__isnull=False).values_list(
            "pk", "primary_category__code"
        )
    )
    # Popularity is heavy-tailed, as on any community site: a latent appeal per paper (Pareto),
    # shared by all readers. The sample's imported Hugging Face upvotes are cleared: in this
    # world the simulated readers' votes are the only community signal, for both rankings.
    DailyEntry.objects.update(upvotes=0)
    popularity = {pid: rng.paretovariate(1.2) for pid, _ in papers}
    by_category: dict[str, list[int]] = {}
    for pid, code in papers:
        by_category.setdefault(code, []).append(pid)
    categories = [c for c, ids in by_category.items() if len(ids) >= 15]
    sizes = [len(by_category[c]) for c in categories]
    all_ids = [pid for pid, _ in papers]

    User = get_user_model()
    held_out: dict[int, set[int]] = {}
    votes = []
    for n in range(args.readers):
        user = User.objects.create_user(f"sim{n}", f"sim{n}@example.org", None)
        liked = rng.choices(categories, weights=sizes, k=rng.choice([1, 2]))
        pool = sorted({pid for c in liked for pid in by_category[c]})
        weights = [popularity.get(pid, 1) for pid in pool]
        chosen: set[int] = set()
        while len(chosen) < min(args.upvotes, len(pool)):
            chosen.add(rng.choice(all_ids) if rng.random() < 0.1 else rng.choices(pool, weights=weights)[0])
        chosen_list = sorted(chosen)
        rng.shuffle(chosen_list)
        cut = int(len(chosen_list) * 0.7)
        votes += [Vote(user=user, paper_id=pid) for pid in chosen_list[:cut]]
        held_out[user.pk] = set(chosen_list[cut:])
    Vote.objects.bulk_create(votes, batch_size=2000)
    # Keep the counters as the vote endpoint does (bulk_create bypasses it).
    for pid, count in Counter(v.paper_id for v in votes).items():
        Paper.objects.filter(pk=pid).update(upvotes=count)

    started = time.perf_counter()
    recommend()
    seconds = time.perf_counter() - started

    vote_counts = Counter(v.paper_id for v in votes)
    ranking = [pid for pid, _ in vote_counts.most_common()] + [p for p in all_ids if p not in vote_counts]
    own = {}
    for v in votes:
        own.setdefault(v.user_id, set()).add(v.paper_id)
    trending_hits, personal_hits = [], []
    for user_id, hidden in held_out.items():
        top_trending = [p for p in ranking if p not in own[user_id]][:10]
        top_personal = list(
            Recommendation.objects.filter(user_id=user_id).order_by("-score").values_list("paper_id", flat=True)[:10]
        )
        trending_hits.append(len(hidden & set(top_trending)) / 10)
        personal_hits.append(len(hidden & set(top_personal)) / 10)
    print(
        f"{args.readers} simulated readers, {args.upvotes} upvotes each (70% train / 30% held out), "
        f"{len(all_ids):,} candidate papers"
    )
    print(f"precision@10 trending: {sum(trending_hits) / len(trending_hits):.3f}")
    print(f"precision@10 personal: {sum(personal_hits) / len(personal_hits):.3f}")
    print(f"training + picking for all readers: {seconds:.1f} s ({seconds / args.readers * 1000:.0f} ms per reader)")


if __name__ == "__main__":
    main()
