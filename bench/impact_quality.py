"""What the impact lists cost in ranking quality, at the scale they are meant for.

The lists (search.impact) change nothing until words are held by more than
PAPERFEED_IMPACT_THRESHOLD papers, so on a benchmark of a few thousand documents the default
settings measure nothing. Instead the threshold and the list length are scaled to the
benchmark: at N papers, a threshold T and lists of K papers leave out what T × n / N and
K × n / N do on a benchmark of n documents (the same share of each word's papers — document
frequencies grow in proportion to the collection). Each setting is evaluated as `paperfeed
eval beir` does (its own loading, search and metrics; train split only), lexical and hybrid.

    .venv/bin/python bench/impact_quality.py ../shared/bench/scifact-train --split train \\
        --data-dir /tmp/impact-scifact --at 100000 1000000

The benchmark's data stays where it is; --data-dir keeps the loaded and embedded corpus for
the next run (embedding SciFact takes a minute or two).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from machine import describe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/)")
    parser.add_argument("--split", default="train")
    parser.add_argument("--data-dir", type=Path, help="keep (or reuse) the loaded corpus here")
    parser.add_argument(
        "--at",
        type=int,
        nargs="*",
        default=[100_000, 1_000_000],
        metavar="PAPERS",
        help="collection sizes to stand for (default: 100,000 and 1,000,000)",
    )
    parser.add_argument("--threshold", type=int, help="the threshold at those sizes (default: the setting)")
    parser.add_argument("--length", type=int, help="the list length at those sizes (default: the setting)")
    parser.add_argument(
        "--scaled",
        nargs="*",
        default=[],
        metavar="T:K",
        help="also evaluate these threshold:length pairs as they are (already scaled)",
    )
    parser.add_argument("--modes", nargs="*", default=["lexical", "hybrid"])
    args = parser.parse_args()
    if args.split == "test":
        parser.error("tune and report on the train split only")
    print(describe())
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="paperfeed-impact-quality-"))
    os.environ["PAPERFEED_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # always a throwaway SQLite database
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from paperfeed.core import preflight
    from paperfeed.papers.models import Paper
    from paperfeed.search.engines import engine
    from paperfeed.search.engines.base import FIELD_WEIGHTS
    from paperfeed.search.evaluation import evaluate
    from paperfeed.search.impact import impact_store
    from paperfeed.search.impact_build import build_impact_lists, list_length
    from paperfeed.search.management.commands.eval import Command as Eval

    preflight.migrate()
    evaluator = Eval()
    if Paper.objects.exists():
        mapping = _mapping(args.directory / "corpus.jsonl")
    else:
        mapping = evaluator._load_corpus(args.directory / "corpus.jsonl")
        call_command(*(["index", "--no-embed"] if args.modes == ["lexical"] else ["index"]))
    qrels = evaluator._qrels(args.directory / "qrels" / f"{args.split}.tsv")
    queries = evaluator._queries(args.directory / "queries.jsonl", qrels, None)
    papers = Paper.objects.count()
    threshold = args.threshold or engine().impact_threshold
    settings_to_try = [("no lists (exact BM25)", 0, 1)]
    for size in args.at:
        scale = papers / size
        length = list_length(args.length or settings.PAPERFEED_IMPACT_LIST_LENGTH, size)
        settings_to_try.append(
            (
                f"{threshold:,}:{length:,} at {size:,} papers",
                max(1, round(threshold * scale)),
                max(1, round(length * scale)),
            )
        )
    for pair in args.scaled:
        t, k = (int(x) for x in pair.split(":"))
        settings_to_try.append((f"{t}:{k} as given", t, k))
    print(f"{papers:,} documents, {len(queries)} queries ({args.split}); columns: threshold:length used on them")
    for label, t, k in settings_to_try:
        started = time.perf_counter()
        built = build_impact_lists(t, k, FIELD_WEIGHTS, force=True)
        impact_store.clear()
        build = time.perf_counter() - started
        scores = []
        for mode in args.modes:
            run, seconds = evaluator._search(queries, mode, mapping)
            result = evaluate({q: [d for d, _ in r] for q, r in run.items()}, {q: qrels[q] for q in queries})
            scores.append(
                f"{mode} nDCG@10 {result['ndcg@10']:.4f} R@100 {result['recall@100']:.4f} "
                f"({seconds / max(1, len(queries)) * 1000:.1f} ms/query)"
            )
        print(f"{label:>32} [{t}:{k}, {built.terms} lists, {build:.1f} s]: " + "; ".join(scores), flush=True)


def _mapping(corpus: Path) -> dict[str, str]:
    """Synthetic arXiv id → BEIR document id, as the eval command assigned them."""
    import json

    from paperfeed.search.management.commands.eval import synthetic_arxiv_id

    mapping = {}
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                mapping[synthetic_arxiv_id(len(mapping))] = str(json.loads(line)["_id"])
    return mapping


if __name__ == "__main__":
    main()
