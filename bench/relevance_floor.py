"""Choosing search's relevance floor (PAPERFEED_SEARCH_MIN_SIMILARITY) on a BEIR train split.

The corpus goes through the same path as `paperfeed eval beir` (normal ingest, `paperfeed
index`) into a throwaway data directory. Every query is ranked once by hybrid search with the
floor off; each floor is then applied to those rankings (a paper found only by meaning is
dropped below the floor, keyword matches stay, the top 100 of what is left is the run), so
all floors are compared on identical rankings. Made-up queries show what each floor leaves
for a query that matches nothing: the papers a reader would have been shown.

    .venv/bin/python bench/relevance_floor.py ../shared/bench/scifact-train --split train
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

FLOORS = [-1.0, 0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]
# Strings of made-up or unrelated words: no paper is about them.
NONSENSE = [
    "zxqvbn flurble grommet",
    "blorptastic wibblewump snorgle",
    "qwxz vvrrk plimf",
    "glorp",
    "asdfgh jkl qwerty uiop",
    "frumious bandersnatch vorpal",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--split", default="train")
    parser.add_argument("--data-dir", type=Path, help="reuse this data directory (loaded once)")
    args = parser.parse_args()
    print(describe())
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="paperfeed-bench-"))
    os.environ["PAPERFEED_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    import django

    django.setup()
    from paperfeed.core import preflight
    from paperfeed.papers.models import Paper
    from paperfeed.search.evaluation import evaluate
    from paperfeed.search.hybrid import above_floor, rank
    from paperfeed.search.management.commands.eval import Command, synthetic_arxiv_id

    preflight.migrate()
    command = Command()
    if not Paper.objects.exists():
        command._load_corpus(args.directory / "corpus.jsonl")
        command._index()
    count = Paper.objects.count()
    with (args.directory / "corpus.jsonl").open(encoding="utf-8") as lines:
        ids = [str(json.loads(line)["_id"]) for line in lines if line.strip()]
    by_arxiv = {synthetic_arxiv_id(n): doc for n, doc in enumerate(ids)}
    doc_of = {pk: by_arxiv[a] for pk, a in Paper.objects.values_list("id", "arxiv_id") if a in by_arxiv}
    qrels = command._qrels(args.directory / "qrels" / f"{args.split}.tsv")
    queries = command._queries(args.directory / "queries.jsonl", qrels, None)
    rankings = {qid: rank(text, "hybrid", floor=-1.0).hits for qid, text in queries.items()}
    nonsense = {text: rank(text, "hybrid", floor=-1.0).hits for text in NONSENSE}
    print(f"{count} papers, {len(queries)} queries of the {args.split} split\n")
    print("| floor | nDCG@10 | Recall@100 | MRR@10 | results of the made-up queries |")
    print("|---|---|---|---|---|")
    for floor in FLOORS:
        run = {
            qid: [doc_of[h.paper_id] for h in above_floor(hits, floor)[:100] if h.paper_id in doc_of]
            for qid, hits in rankings.items()
        }
        scores = evaluate(run, {q: qrels[q] for q in queries})
        left = ", ".join(str(len(above_floor(hits, floor))) for hits in nonsense.values())
        print(
            f"| {floor:g} | {scores['ndcg@10']:.4f} | {scores['recall@100']:.4f} | {scores['mrr@10']:.4f} | {left} |"
        )
    relevant_cosines = sorted(
        h.semantic
        for qid, hits in rankings.items()
        for h in hits[:10]
        if h.lexical is None and h.semantic is not None and qrels[qid].get(doc_of.get(h.paper_id, ""), 0) > 0
    )
    print(f"\nrelevant papers in a top 10 found by meaning alone: {len(relevant_cosines)}; lowest cosines: "
          + ", ".join(f"{c:.3f}" for c in relevant_cosines[:5]))
    for text, hits in nonsense.items():
        best = max((h.semantic or 0.0 for h in hits), default=0.0)
        print(f"made-up {text!r}: {sum(h.lexical is not None for h in hits)} keyword matches, best cosine {best:.3f}")


if __name__ == "__main__":
    main()
